"""The AMQP adapter against the real broker: exactly once through crashes, drops and poison.

Every test declares its own exchange and queues, named with a random test id, and deletes
them afterwards, so parallel runs never meet.
"""

from __future__ import annotations

import dataclasses
import subprocess
import uuid
from collections.abc import Iterator
from typing import Any

import pika
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from adapters.amqp.client import REASON_HEADER, AmqpAdapter
from adapters.base import OutboundMessage
from adapters.registry import adapter_class
from hub.errors import ConfigurationError, RemoteUnavailable
from hub.exchange import pipeline
from hub.exchange.channels import ChannelConfig, load_channel
from hub.exchange.envelopes import Arrival
from hub.exchange.report import RunReport
from hub.exchange.runner import run_channel
from hub.store.models.actions import Inspection, Penalty
from simulators.departmental import CHANNEL_FILE, DepartmentalEvents, DepartmentalSimulator
from simulators.registry import known_simulators

pytestmark = pytest.mark.rabbitmq

BROKER = "amqp://guest:guest@127.0.0.1:5672/%2F"


@pytest.fixture
def channel() -> Iterator[ChannelConfig]:
    """The departmental_events channel on a topology of this test's own, deleted after."""
    test_id = f"t{uuid.uuid4().hex[:10]}"
    shipped = load_channel(CHANNEL_FILE)
    settings: dict[str, Any] = {
        **shipped.adapter,
        "url": BROKER,
        "exchange": f"{test_id}.events",
        "queue": f"{test_id}.queue",
        "dead_letter_exchange": f"{test_id}.dead",
        "idle_seconds": 0.3,
        "reconnect_backoff_seconds": 0.1,
    }
    yield dataclasses.replace(shipped, adapter=settings)
    connection = pika.BlockingConnection(pika.URLParameters(BROKER))
    broker = connection.channel()
    for queue in (settings["queue"], f"{settings['queue']}.dead"):
        broker.queue_delete(queue)
    for exchange in (settings["exchange"], settings["dead_letter_exchange"]):
        broker.exchange_delete(exchange)
    connection.close()


def _publish(channel: ChannelConfig, count: int, **faults: float) -> DepartmentalEvents:
    events = DepartmentalEvents(11, count, **faults)
    DepartmentalSimulator(channel.adapter, events).start().wait(timeout=30)
    return events


def _stored(events: DepartmentalEvents) -> int:
    return events.planted[("inspection", "good")] + events.planted[("penalty", "good")]


def _records(engine: Engine) -> int:
    with Session(engine) as session:
        return sum(
            int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Inspection, Penalty)
        )


def _queue_depth(queue: str) -> int:
    connection = pika.BlockingConnection(pika.URLParameters(BROKER))
    depth = int(connection.channel().queue_declare(queue, passive=True).method.message_count)
    connection.close()
    return depth


def _balanced(report: RunReport) -> bool:
    return report.received == report.stored + report.duplicates + report.quarantined


def test_simulated_events_are_stored_exactly_once(engine: Engine, channel: ChannelConfig) -> None:
    events = _publish(channel, 300, malformed=0.03, duplicates=0.02)
    planted = events.planted

    report = run_channel(engine, channel)

    routed = sum(n for (kind, _), n in planted.items() if kind in ("inspection", "penalty"))
    assert report.received == routed
    assert report.stored == _stored(events) == _records(engine)
    assert (
        report.duplicates
        == planted[("inspection", "duplicate")] + planted[("penalty", "duplicate")]
    )
    assert (
        report.quarantined
        == planted[("inspection", "malformed")] + planted[("penalty", "malformed")]
    )
    assert report.quarantined > 0 and report.duplicates > 0 and _balanced(report)
    assert _queue_depth(channel.adapter["queue"]) == 0
    assert run_channel(engine, channel).received == 0


def test_a_crash_before_the_ack_redelivers_and_the_next_run_stores_once(
    engine: Engine, channel: ChannelConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel.adapter["batch_size"] = 50
    events = _publish(channel, 200, malformed=0.0, duplicates=0.0)
    original = pipeline.MessageRun.run_arrival
    calls = 0

    def crash_in_the_second_batch(self: pipeline.MessageRun, arrival: Arrival) -> None:
        # A batch of both kinds arrives as two envelopes (one per message type): the
        # fourth is the second batch's second, after its first was stored but not acked.
        nonlocal calls
        calls += 1
        if calls == 4:
            raise RuntimeError("consumer killed")
        original(self, arrival)

    monkeypatch.setattr(pipeline.MessageRun, "run_arrival", crash_in_the_second_batch)
    with pytest.raises(RuntimeError, match="consumer killed"):
        run_channel(engine, channel)
    monkeypatch.undo()
    stored_before_crash = _records(engine)
    assert 50 < stored_before_crash < 100  # the first batch acked; part of the second stored

    again = run_channel(engine, channel)

    assert again.received == _stored(events) - 50  # the whole unacked rest came back
    assert again.duplicates == stored_before_crash - 50 and _balanced(again)
    assert _records(engine) == _stored(events)
    assert _queue_depth(channel.adapter["queue"]) == 0


def _close_connections_of(queue: str) -> int:
    """Close, from the broker's side, this test's connections only (named after its queue)."""
    listing = subprocess.run(
        ["rabbitmqctl", "-q", "list_connections", "pid", "client_properties"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pids = [line.split("\t", 1)[0] for line in listing.splitlines() if queue in line]
    for pid in pids:
        subprocess.run(["rabbitmqctl", "-q", "close_connection", pid, "test"], check=True)
    return len(pids)


def test_a_connection_closed_by_the_broker_mid_run_is_reopened(
    sqlite_engine: Engine, channel: ChannelConfig
) -> None:
    channel.adapter["batch_size"] = 40
    events = _publish(channel, 200, malformed=0.0, duplicates=0.0)
    closed: list[int] = []

    def close_once(report: RunReport) -> None:
        if report.received >= 60 and not closed:
            closed.append(_close_connections_of(channel.adapter["queue"]))

    report = run_channel(sqlite_engine, channel, progress=close_once)

    assert closed == [1]
    assert report.stored == _stored(events) == _records(sqlite_engine)
    assert _balanced(report)  # the redelivered tail of the open batch counts as duplicates
    assert _queue_depth(channel.adapter["queue"]) == 0


def _dead_letters(queue: str) -> list[tuple[Any, bytes]]:
    connection = pika.BlockingConnection(pika.URLParameters(BROKER))
    broker = connection.channel()
    found = []
    while True:
        method, properties, body = broker.basic_get(f"{queue}.dead", auto_ack=True)
        if method is None:
            break
        found.append((properties, body))
    connection.close()
    return found


def test_a_poison_message_is_dead_lettered_after_the_configured_redeliveries(
    sqlite_engine: Engine, channel: ChannelConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel.adapter["max_redeliveries"] = 2
    good = next(iter(DepartmentalEvents(3, 1, malformed=0.0, duplicates=0.0)))
    with AmqpAdapter(channel, channel.adapter) as adapter:
        receipts = adapter.publish_many(
            [
                dataclasses.replace(good, idempotency_key="poison"),
                dataclasses.replace(good, message_type="weather", idempotency_key="unknown"),
            ]
        )
    assert all(receipt.accepted for receipt in receipts)
    original = pipeline.MessageRun.run_arrival

    def choke_on_poison(self: pipeline.MessageRun, arrival: Arrival) -> None:
        if arrival.remote_id == "poison":
            raise RuntimeError("poison")
        original(self, arrival)

    monkeypatch.setattr(pipeline.MessageRun, "run_arrival", choke_on_poison)
    failures = 0
    while True:
        try:
            report = run_channel(sqlite_engine, channel)
            break
        except RuntimeError:
            failures += 1
            assert failures <= 3

    assert failures == 3  # the first delivery and two redeliveries
    assert report.received == 0
    letters = {
        properties.message_id: properties
        for properties, _ in _dead_letters(channel.adapter["queue"])
    }
    assert set(letters) == {"poison", "unknown"}
    assert letters["poison"].headers["x-death"][0]["reason"] == "delivery_limit"
    assert "'weather'" in letters["unknown"].headers[REASON_HEADER]


def test_push_returns_a_receipt_only_once_the_broker_confirmed(channel: ChannelConfig) -> None:
    happened: list[str] = []
    adapter = AmqpAdapter(channel, channel.adapter)
    confirm = adapter._on_confirm

    def record_confirm(frame: Any) -> None:
        happened.append("confirm")
        confirm(frame)

    adapter._on_confirm = record_confirm  # type: ignore[method-assign]
    message = OutboundMessage(
        "inspection", b'{"x":1}', "key-1", headers={"routing_key": "inspection.SCJG"}
    )
    with adapter:
        receipt = adapter.push(message)
        happened.append("receipt")
        unroutable = adapter.push(dataclasses.replace(message, message_type="weather", headers={}))

    assert happened[:2] == ["confirm", "receipt"]
    assert (receipt.accepted, receipt.remote_id) == (True, "key-1")
    assert not unroutable.accepted and "unroutable" in unroutable.detail
    connection = pika.BlockingConnection(pika.URLParameters(BROKER))
    _method, properties, body = connection.channel().basic_get(
        channel.adapter["queue"], auto_ack=True
    )
    connection.close()
    assert (properties.message_id, properties.delivery_mode, body) == ("key-1", 2, b'{"x":1}')


def test_broker_errors_are_translated(channel: ChannelConfig) -> None:
    refused = {**channel.adapter, "url": "amqp://guest:wrong@127.0.0.1:5672/%2F"}
    with (
        pytest.raises(ConfigurationError, match="refused"),
        AmqpAdapter(channel, refused) as adapter,
    ):
        adapter.push(OutboundMessage("inspection", b"{}", idempotency_key="k"))
    gone = {**channel.adapter, "url": "amqp://guest:guest@127.0.0.1:1/%2F", "reconnect_attempts": 1}
    with pytest.raises(RemoteUnavailable), AmqpAdapter(channel, gone) as adapter:
        next(adapter.fetch(None))


def test_the_simulator_and_the_adapter_are_registered() -> None:
    assert "departmental" in known_simulators()
    assert adapter_class("amqp") is AmqpAdapter
