"""The AMQP adapter: a durable quorum queue consumed in batches, acknowledged after the commit.

    adapter:
      type: amqp
      url: amqp://${HUB_AMQP_USER}:${HUB_AMQP_PASSWORD}@rabbitmq:5672/%2F
      exchange: departmental.events
      queue: hub.departmental_events
      routing_keys: ["inspection.*", "penalty.*"]
      message_types: {inspection: inspections, penalty: penalties}

Delivery is at least once and the store makes it exactly once: ``fetch`` yields batches of up
to ``batch_size`` messages (one ``Arrival`` each, ``remote_id`` = the AMQP message id) whose
``acknowledge`` is one ``basic_ack(multiple=True)`` of the batch's last delivery tag, run by
the runner only after the commit. A crash or a dropped connection before it returns the
messages to the queue; the replay is absorbed by the idempotent upsert.

The queue is a quorum queue so that the broker counts deliveries: a message that keeps
failing (returned more than ``max_redeliveries`` times) is dead-lettered by RabbitMQ to the
dead-letter exchange with ``x-death`` reason ``delivery_limit``. A redelivered message is
fetched in a batch of its own, so that a poison message does not drag good ones with it. A
message whose type names no message of the channel is dead-lettered at once, its reason in
the ``x-hub-dead-letter-reason`` header.

Publishing (``push``, ``publish_many``) sends persistent messages with publisher confirms,
keeping up to ``publish_window`` confirms outstanding instead of waiting for each one.
"""

from __future__ import annotations

import fnmatch
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pika
from pika.adapters.blocking_connection import BlockingChannel, BlockingConnection

from adapters.amqp.errors import translated
from adapters.base import Adapter, FetchedBatch, OutboundMessage, Receipt
from adapters.registry import register_adapter
from hub.errors import RemoteUnavailable
from hub.exchange.channels import ChannelConfig
from hub.exchange.envelopes import Arrival

log = logging.getLogger(__name__)

PERSISTENT = 2  # AMQP delivery_mode: written to disk by the broker
REASON_HEADER = "x-hub-dead-letter-reason"
ROUTING_KEY_HEADER = "routing_key"  # an OutboundMessage header naming its routing key
UNROUTABLE = "unroutable: no queue is bound for its routing key"
KNOWN_KINDS_LIMIT = 1024  # types remembered; a sender inventing types cannot grow it further


@dataclass
class _Outstanding:
    """A publish waiting for its confirm: where its receipt goes and its message id."""

    index: int
    message_id: str


@register_adapter
class AmqpAdapter(Adapter):
    """RabbitMQ through pika; see the module docstring for the delivery guarantees."""

    name = "amqp"
    capabilities = frozenset({"fetch", "push", "acknowledge", "dead_letter", "reconnect"})
    config_schema = "config/adapters/amqp.json"
    url_setting = "url"

    def __init__(self, channel: ChannelConfig, settings: Mapping[str, Any]) -> None:
        super().__init__(channel, settings)
        self.parameters = pika.URLParameters(str(settings["url"]))
        self.parameters.client_properties = {
            "connection_name": f"hub:{channel.name}:{settings['queue']}"
        }
        self.where = (
            f"channel {channel.name!r}: amqp://{self.parameters.host}:{self.parameters.port}"
            f"/{self.parameters.virtual_host}"
        )
        self.exchange = str(settings["exchange"])
        self.queue = str(settings["queue"])
        self.dead_letter_exchange = str(
            settings.get("dead_letter_exchange", f"{self.exchange}.dead")
        )
        self.dead_letter_queue = str(settings.get("dead_letter_queue", f"{self.queue}.dead"))
        self.message_types: dict[str, str] = dict(settings["message_types"])
        self.type_header = str(settings.get("type_header", "message_type"))
        # The message each type seen so far names: matched once, not per delivery.
        self._message_of_kind: dict[str, str | None] = {}
        self._connection: BlockingConnection | None = None
        self._consumer: BlockingChannel | None = None
        self._publisher: BlockingChannel | None = None
        self._publish_tag = 0
        self._outstanding: dict[int, _Outstanding] = {}  # by publish tag, in tag order
        self._confirmed: dict[int, bool] = {}
        self._returned: set[str] = set()

    # -- connection ------------------------------------------------------------------------

    def _connect(self) -> BlockingConnection:
        """The open connection, or a new one after waits of backoff, 2×backoff, ... seconds."""
        if self._connection is not None and self._connection.is_open:
            return self._connection
        self._forget_connection()
        attempts = int(self.settings.get("reconnect_attempts", 5))
        delay = float(self.settings.get("reconnect_backoff_seconds", 0.5))
        attempt = 0
        while True:
            try:
                with translated(self.where):
                    connection = pika.BlockingConnection(self.parameters)
                    self._declare(connection)
                self._connection = connection
                return connection
            except RemoteUnavailable:
                if attempt >= attempts:
                    raise
                attempt += 1
                log.warning("%s: broker unavailable, reconnecting in %.1f s", self.where, delay)
                time.sleep(delay)
                delay *= 2

    def _declare(self, connection: BlockingConnection) -> None:
        """Declare the whole topology (idempotent), so publishers never lose a message to a
        queue that does not exist yet."""
        channel = connection.channel()
        channel.exchange_declare(
            self.exchange, str(self.settings.get("exchange_type", "topic")), durable=True
        )
        channel.exchange_declare(self.dead_letter_exchange, "fanout", durable=True)
        channel.queue_declare(
            self.dead_letter_queue, durable=True, arguments={"x-queue-type": "quorum"}
        )
        channel.queue_bind(self.dead_letter_queue, self.dead_letter_exchange)
        channel.queue_declare(
            self.queue,
            durable=True,
            arguments={
                "x-queue-type": "quorum",
                "x-dead-letter-exchange": self.dead_letter_exchange,
                "x-delivery-limit": int(self.settings.get("max_redeliveries", 5)),
            },
        )
        for key in self.settings.get("routing_keys", ["#"]):
            channel.queue_bind(self.queue, self.exchange, routing_key=str(key))
        channel.close()

    def _forget_connection(self) -> None:
        connection, self._connection = self._connection, None
        self._consumer = self._publisher = None
        self._outstanding.clear()
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except Exception:  # closing a connection that is going away anyway
                log.debug("%s: error while closing", self.where, exc_info=True)

    def connect(self) -> None:
        """Open the connection and declare the topology now, not at the first fetch or push
        (so that messages published before the first run already have their queue)."""
        self._connect()

    def close(self) -> None:
        """Close the connection; messages delivered but not acknowledged return to the queue."""
        self._forget_connection()

    # -- consuming -------------------------------------------------------------------------

    def fetch(self, cursor: str | None) -> Iterator[FetchedBatch]:
        """Batches until the queue has been quiet for ``idle_seconds``, reconnecting (with
        backoff) when the connection drops; the broker then redelivers what was not acked.
        A broker that cannot be reached within ``reconnect_attempts`` raises ``RetryLater``."""
        while True:
            connection = self._connect()
            try:
                with translated(self.where):
                    yield from self._consume(connection)
                return
            except RemoteUnavailable:
                log.warning("%s: connection lost while consuming, reconnecting", self.where)
                self._forget_connection()

    def _consume(self, connection: BlockingConnection) -> Iterator[FetchedBatch]:
        channel = connection.channel()
        channel.basic_qos(prefetch_count=int(self.settings.get("prefetch", 1000)))
        self._consumer = channel
        batch_size = int(self.settings.get("batch_size", 500))
        idle = float(self.settings.get("idle_seconds", 1.0))
        arrivals: list[Arrival] = []
        last_tag = 0
        for method, properties, body in self._deliveries(channel, idle):
            message = self._message_name(method, properties)
            if message is None:
                self._dead_letter(channel, method, properties, body)
                continue
            arrival = Arrival(
                self.channel.name,
                message,
                body,
                remote_id=properties.message_id,
                content_type=properties.content_type or "",
            )
            if method.redelivered:  # a suspect travels alone: it may be the one that failed
                if arrivals:
                    yield FetchedBatch(arrivals, acknowledge=self._acker(channel, last_tag))
                    arrivals = []
                yield FetchedBatch([arrival], acknowledge=self._acker(channel, method.delivery_tag))
                continue
            arrivals.append(arrival)
            last_tag = method.delivery_tag
            if len(arrivals) >= batch_size:
                yield FetchedBatch(arrivals, acknowledge=self._acker(channel, last_tag))
                arrivals = []
        if arrivals:
            yield FetchedBatch(arrivals, acknowledge=self._acker(channel, last_tag))
        channel.cancel()

    def _deliveries(
        self, channel: BlockingChannel, idle: float
    ) -> Iterator[tuple[pika.spec.Basic.Deliver, pika.BasicProperties, bytes]]:
        """Deliveries until the queue is quiet; a channel found closed (an ack that failed
        while the batch was stored) is a lost connection, not an end of the queue."""
        deliveries = channel.consume(self.queue, inactivity_timeout=idle)
        while True:
            if not channel.is_open:
                raise RemoteUnavailable(f"{self.where}: connection lost")
            method, properties, body = next(deliveries)
            if method is None:
                return
            yield method, properties, body

    def _acker(self, channel: BlockingChannel, delivery_tag: int) -> Callable[[], None]:
        def acknowledge() -> None:
            # A connection lost after the commit is no failure of the run: the broker has
            # requeued these messages, their replay is absorbed by the store as duplicates,
            # and fetch reconnects. A tag is never acked on a newer channel than its own.
            consumer = self._consumer
            try:
                if consumer is None or consumer is not channel or not consumer.is_open:
                    raise RemoteUnavailable("connection lost")
                with translated(self.where):
                    consumer.basic_ack(delivery_tag, multiple=True)
            except RemoteUnavailable as exc:
                log.warning("%s: cannot ack up to %d: %s", self.where, delivery_tag, exc)

        return acknowledge

    def _message_name(
        self, method: pika.spec.Basic.Deliver, properties: pika.BasicProperties
    ) -> str | None:
        """The channel's message for an AMQP message: by its type property, else its type
        header, else the first word of its routing key, matched against ``message_types``."""
        headers = properties.headers or {}
        kind = properties.type or headers.get(self.type_header)
        kind = str(kind or str(method.routing_key).split(".", 1)[0])
        try:
            return self._message_of_kind[kind]
        except KeyError:
            message = next(
                (
                    message
                    for pattern, message in self.message_types.items()
                    if fnmatch.fnmatchcase(kind, pattern)
                ),
                None,
            )
            if len(self._message_of_kind) < KNOWN_KINDS_LIMIT:
                self._message_of_kind[kind] = message
            return message

    def _dead_letter(
        self,
        channel: BlockingChannel,
        method: pika.spec.Basic.Deliver,
        properties: pika.BasicProperties,
        body: bytes,
    ) -> None:
        """Send a message the channel cannot name to the dead-letter exchange with the reason,
        then ack it alone (the batch around it is acked after its commit as usual)."""
        reason = (
            f"no message of channel {self.channel.name!r} for type "
            f"{properties.type!r} / routing key {method.routing_key!r}"
        )
        headers = dict(properties.headers or {})
        headers[REASON_HEADER] = reason
        properties.headers = headers
        [confirmed] = self._publish_confirmed(
            [(self.dead_letter_exchange, str(method.routing_key), body, properties)]
        )
        if not confirmed:
            raise RemoteUnavailable(f"{self.where}: the broker did not confirm a dead letter")
        channel.basic_ack(method.delivery_tag)

    # -- publishing ------------------------------------------------------------------------

    def push(self, message: OutboundMessage) -> Receipt:
        """Publish one persistent message; the receipt comes once the broker confirmed it."""
        [receipt] = self.publish_many([message])
        return receipt

    def publish_many(self, messages: Iterable[OutboundMessage]) -> list[Receipt]:
        """Publish persistent messages with up to ``publish_window`` confirms outstanding; one
        receipt per message, in order, each accepted only if the broker confirmed it and could
        route it. A lost connection raises ``RetryLater``: re-send, the key makes it harmless."""
        sent: list[str] = []

        def items() -> Iterator[tuple[str, str, bytes, pika.BasicProperties]]:
            for message in messages:
                headers = dict(message.headers)
                routing_key = headers.pop(ROUTING_KEY_HEADER, message.message_type)
                sent.append(message.idempotency_key)
                yield (
                    self.exchange,
                    routing_key,
                    message.payload,
                    pika.BasicProperties(
                        delivery_mode=PERSISTENT,
                        message_id=message.idempotency_key,
                        content_type=message.content_type,
                        type=message.message_type,
                        headers=headers or None,
                    ),
                )

        with translated(self.where):
            confirmed = self._publish_confirmed(items())
        return [
            Receipt(True, key, "confirmed by the broker")
            if ok
            else Receipt(
                False, key, UNROUTABLE if key in self._returned else "nacked by the broker"
            )
            for key, ok in zip(sent, confirmed, strict=True)
        ]

    def _publish_confirmed(
        self, items: Iterable[tuple[str, str, bytes, pika.BasicProperties]]
    ) -> list[bool]:
        """Publish on the confirming channel, pumping confirms while the window is full."""
        connection = self._connect()
        channel = self._publishing_channel(connection)
        window = int(self.settings.get("publish_window", 1000))
        # BlockingChannel.confirm_delivery waits for each confirm (a round trip per message);
        # its underlying channel takes a callback instead, which lets a window stay in flight,
        # and the connection's I/O loop runs until a condition of ours holds.
        # Frames are only buffered until the window is full: then the loop writes them all at
        # once and reads confirms until there is room again (as a callback-driven publisher
        # would), instead of a write and a poll per message.
        impl = channel._impl
        outstanding = self._outstanding
        window_open = lambda: len(outstanding) < window  # noqa: E731
        results: list[bool] = []
        self._returned.clear()
        for exchange, routing_key, body, properties in items:
            if len(outstanding) >= window:
                connection._flush_output(window_open)
                self._settle(results)
            self._publish_tag += 1
            outstanding[self._publish_tag] = _Outstanding(len(results), str(properties.message_id))
            results.append(False)
            impl.basic_publish(exchange, routing_key, body, properties, mandatory=True)
        connection._flush_output(lambda: not outstanding)
        self._settle(results)
        return results

    def _settle(self, results: list[bool]) -> None:
        for index, ok in self._confirmed.items():
            results[index] = ok
        self._confirmed.clear()

    def _publishing_channel(self, connection: BlockingConnection) -> BlockingChannel:
        if self._publisher is not None and self._publisher.is_open:
            return self._publisher
        channel = connection.channel()
        selected: list[bool] = []
        self._publish_tag = 0
        self._outstanding.clear()
        channel._impl.add_on_return_callback(self._on_return)
        channel._impl.confirm_delivery(
            ack_nack_callback=self._on_confirm, callback=lambda _frame: selected.append(True)
        )
        connection._flush_output(lambda: bool(selected))
        self._publisher = channel
        return channel

    def _on_confirm(self, frame: Any) -> None:
        """Basic.Ack or Basic.Nack for one tag or, with ``multiple``, every tag up to it."""
        method = frame.method
        ok = isinstance(method, pika.spec.Basic.Ack)
        if method.multiple:
            tags = []
            for tag in self._outstanding:
                if tag > method.delivery_tag:
                    break
                tags.append(tag)
        else:
            tags = [method.delivery_tag]
        for tag in tags:
            outstanding = self._outstanding.pop(tag, None)
            if outstanding is not None:
                self._confirmed[outstanding.index] = (
                    ok and outstanding.message_id not in self._returned
                )

    def _on_return(self, _channel: Any, _method: Any, properties: Any, _body: bytes) -> None:
        """An unroutable message (mandatory): the broker returns it before confirming it."""
        self._returned.add(str(properties.message_id))
