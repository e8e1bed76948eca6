"""pika's exceptions translated into the hub's error families, at this one boundary.

    broker gone, connection dropped or forced closed, socket errors  → RemoteUnavailable
    access refused, bad credentials, topology declared differently   → ConfigurationError

Refusals are configuration: retrying with the same user, vhost or queue arguments cannot
succeed, so the channel refuses to start and says why (with the URL's password masked).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pika import exceptions as pika_errors

from hub.errors import AuthenticationFailed, ConfigurationError, RemoteUnavailable

# AMQP reply codes that no retry can fix: access-refused, not-found, precondition-failed,
# not-allowed (a vhost the user may not open).
_REFUSED = {403, 404, 406, 530}


@contextmanager
def translated(where: str) -> Iterator[None]:
    """Run a block of pika calls; re-raise pika's failures as the hub's, keeping the cause."""
    try:
        yield
    except (
        pika_errors.ProbableAuthenticationError,
        pika_errors.ProbableAccessDeniedError,
        pika_errors.AuthenticationError,
    ) as exc:
        raise AuthenticationFailed(f"{where}: access refused by the broker ({exc!r})") from exc
    except (pika_errors.ConnectionClosedByBroker, pika_errors.ChannelClosedByBroker) as exc:
        if exc.reply_code in _REFUSED:
            raise ConfigurationError(
                f"{where}: refused by the broker ({exc.reply_code} {exc.reply_text})"
            ) from exc
        raise RemoteUnavailable(
            f"{where}: the broker closed the connection ({exc.reply_code} {exc.reply_text})"
        ) from exc
    except (pika_errors.AMQPError, OSError) as exc:
        raise RemoteUnavailable(f"{where}: broker unavailable ({exc!r})") from exc
