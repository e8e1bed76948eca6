"""The adapter contract: how a transport hands raw bytes to the hub and sends messages out.

An adapter knows one transport (REST, SOAP, SFTP, AMQP, files) and nothing of the data: it
fetches bytes with their metadata (``Arrival``) and sends bytes with an idempotency key,
returning the remote's ``Receipt``. Parsing, validation and mapping are the pipeline's job.

    class RestAdapter(Adapter):
        name = "rest"
        capabilities = frozenset({"fetch", "push", "paginate", "incremental"})
        config_schema = "config/adapters/rest.json"

Delivery is at least once: ``fetch`` yields batches whose ``cursor`` and ``acknowledge`` the
runner applies only after the batch is committed to the store, so a crash replays from the
last commit and the store's idempotent upsert makes the effect exactly once.

Each adapter translates its library's exceptions into the hub's error families at one
boundary (``hub.errors``: ``RetryLater``, ``DataError``, ``ConfigurationError``), keeping
the cause with ``raise ... from exc``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from hub.errors import ConfigurationError
from hub.exchange.channels import ChannelConfig
from hub.exchange.envelopes import Arrival

_DEFAULT_PORTS = {"http": 80, "https": 443, "amqp": 5672, "amqps": 5671}


@dataclass(frozen=True)
class FetchedBatch:
    """Raw arrivals and what to do once they are safely stored.

    ``cursor`` is committed as the channel's new position, then ``acknowledge`` runs (an
    AMQP ack, an SFTP move to ``done/``); neither happens when storing fails.
    """

    arrivals: list[Arrival]
    cursor: str | None = None
    acknowledge: Callable[[], None] | None = None


@dataclass(frozen=True)
class OutboundMessage:
    """Bytes to send, with the key that lets the remote recognise a re-send."""

    message_type: str
    payload: bytes
    idempotency_key: str
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Receipt:
    """The remote's answer to a push: accepted or not, its id for the message, its words."""

    accepted: bool
    remote_id: str | None = None
    detail: str = ""
    raw: bytes = b""


class Adapter:
    """One transport, configured by a channel file's ``adapter`` section.

    Subclasses declare ``name`` (the ``adapter.type`` that selects them), ``capabilities``
    (what the conformance suite and behaviour tests exercise) and ``config_schema`` (the
    JSON Schema of their settings under ``standards/schemas``), and override the operations
    they offer. Heavy libraries are imported inside the subclass's module only.
    """

    name: ClassVar[str]
    capabilities: ClassVar[frozenset[str]] = frozenset()
    config_schema: ClassVar[str | None] = None
    # The setting holding the URL the adapter connects to, if it connects to one address.
    url_setting: ClassVar[str | None] = None

    def __init__(self, channel: ChannelConfig, settings: Mapping[str, Any]) -> None:
        self.channel = channel
        self.settings = settings
        # What the adapter saw the remote do that a conforming remote would not, short of an
        # error (a 503 without Retry-After, say): read by the conformance suite.
        self.observations: Counter[str] = Counter()

    @classmethod
    def endpoint(cls, settings: Mapping[str, Any]) -> tuple[str, int] | None:
        """The (host, port) the adapter connects to, or None when it has no single address.

        The conformance suite puts a fault-injecting proxy there (``with_endpoint``).
        """
        if cls.url_setting is None:
            return None
        parts = urlsplit(str(settings[cls.url_setting]))
        return parts.hostname or "", parts.port or _DEFAULT_PORTS.get(parts.scheme, 0)

    @classmethod
    def with_endpoint(cls, settings: Mapping[str, Any], host: str, port: int) -> dict[str, Any]:
        """``settings`` connecting to ``host:port`` instead, everything else unchanged."""
        if cls.url_setting is None:
            raise ConfigurationError(f"adapter {cls.name!r} has no address to redirect")
        parts = urlsplit(str(settings[cls.url_setting]))
        credentials = parts.netloc.rpartition("@")[0]
        netloc = f"{credentials}@{host}:{port}" if credentials else f"{host}:{port}"
        return {**settings, cls.url_setting: urlunsplit(parts._replace(netloc=netloc))}

    def fetch(self, cursor: str | None) -> Iterator[FetchedBatch]:
        """Batches of raw arrivals after ``cursor`` (the last committed position)."""
        raise ConfigurationError(
            f"adapter {self.name!r} cannot fetch (channel {self.channel.name})"
        )

    def push(self, message: OutboundMessage) -> Receipt:
        """Send one message; a receipt is returned only when the remote answered."""
        raise ConfigurationError(f"adapter {self.name!r} cannot push (channel {self.channel.name})")

    def close(self) -> None:
        """Release connections; the adapter is not used afterwards."""

    def __enter__(self) -> Adapter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
