"""``hub conformance``: the standard checks that certify a channel's remote system.

Each check runs the hub's real adapter and pipeline against the remote (an in-process
simulator, or a real endpoint given on the command line) into a scratch store of its own,
never the hub's. See ``hub.conformance.checks`` for the checks and ``README.md`` there.
"""
