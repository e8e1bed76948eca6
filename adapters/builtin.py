"""The adapters shipped with the hub; importing this module registers them."""

from adapters.file import client as file_client

__all__ = ["file_client"]
