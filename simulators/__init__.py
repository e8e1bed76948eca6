"""Runnable stand-ins for every outside system, speaking its protocol over a real socket."""
