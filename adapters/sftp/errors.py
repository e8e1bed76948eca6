"""The one boundary where paramiko's and the socket's exceptions become the hub's families.

    paramiko.BadHostKeyException      → AuthenticationFailed (the pinned host key does not match)
    paramiko.AuthenticationException  → AuthenticationFailed (wrong user, password or key),
                                        RetryLater when the line dropped during the login
    paramiko.SSHException, OSError,
    EOFError (socket gone, timeout)   → RetryLater

``HostKeyMismatch`` is raised by the adapter's own host-key policy and passes unchanged.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import paramiko

from hub.errors import AuthenticationFailed, HubError, RetryLater


def fingerprint(key: Any) -> str:
    """The OpenSSH ``SHA256:...`` fingerprint of a paramiko key (what ``ssh-keygen -l`` prints)."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


class HostKeyMismatch(AuthenticationFailed):
    """The server showed a host key other than the one pinned in the channel settings."""

    def __init__(self, where: str, seen: Any, pinned: str) -> None:
        super().__init__(
            f"{where}: host key mismatch, refusing to connect: the server offered "
            f"{seen.get_name()} {fingerprint(seen)}, the channel pins {pinned} "
            "(update adapter.host_key only if the server's key really changed)"
        )
        self.seen_fingerprint = fingerprint(seen)


# What paramiko says when the transport ends while it waits for the server's answer to a
# login (an ``AuthenticationException`` like a refused password, told apart only by this).
_LOST_DURING_AUTH = "transport shut down or saw EOF"


@contextmanager
def translated(where: str) -> Iterator[None]:
    """Run an SFTP operation, re-raising its failures as ``RetryLater`` or ``AuthenticationFailed``.

    ``where`` (channel and server) starts every message, so an operator knows what to fix.
    """
    try:
        yield
    except HubError:
        raise
    except paramiko.BadHostKeyException as exc:
        raise HostKeyMismatch(where, exc.key, fingerprint(exc.expected_key)) from exc
    except paramiko.AuthenticationException as exc:
        if _LOST_DURING_AUTH in str(exc):  # the line dropped while logging in: not a refusal
            raise RetryLater(f"{where}: connection lost while authenticating") from exc
        raise AuthenticationFailed(
            f"{where}: authentication failed ({exc}); check adapter.username and its "
            "password or private key"
        ) from exc
    except (paramiko.SSHException, EOFError, OSError) as exc:
        raise RetryLater(f"{where}: {type(exc).__name__}: {exc or 'connection lost'}") from exc
