"""Restarts in the middle of a run: the broker under a consumer, a remote system mid-page.

Each scenario ends the same way: every record is in the store exactly once and the counts
balance, received = stored + duplicates + quarantined, over the run or runs it took (summed
from the runs' rows, which keep their counts when a run fails).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pika
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hub.errors import RetryLater
from hub.exchange.channels import ChannelConfig, load_channel
from hub.exchange.cursors import read_cursor
from hub.exchange.pipeline import ProgressCallback
from hub.exchange.report import RunReport
from hub.exchange.runner import run_channel
from hub.store.models.actions import Inspection, Penalty
from hub.store.models.complaints import Complaint
from hub.store.models.exchange import ExchangeRun, Provenance
from simulators.departmental import CHANNEL_FILE, DepartmentalEvents, DepartmentalSimulator
from simulators.hotline_12345 import Credentials, HotlineSimulator
from simulators.hotline_12345.orders import order_key
from simulators.registry import SimulatorOptions

# -- helpers for both scenarios --------------------------------------------------------------


def _runs(engine: Engine, channel: str) -> list[ExchangeRun]:
    with Session(engine) as session:
        return list(
            session.scalars(
                select(ExchangeRun).where(ExchangeRun.channel == channel).order_by(ExchangeRun.id)
            )
        )


def _summed(runs: list[ExchangeRun]) -> RunReport:
    total = RunReport(channel=runs[0].channel)
    for run in runs:
        total.add(
            RunReport(
                run.channel,
                received=run.received,
                stored=run.stored,
                duplicates=run.duplicates,
                quarantined=run.quarantined,
            )
        )
    return total


def _count(engine: Engine, model: type[Any]) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


# -- RabbitMQ restarted under the consumer ---------------------------------------------------

BROKER = "amqp://guest:guest@127.0.0.1:5672/%2F"
RABBITMQCTL = shutil.which("rabbitmqctl")
EVENTS = 3000  # about 2200 of them inspections and penalties, the rest not bound
RESTART_AFTER = 500  # records stored when the broker is stopped


def _rabbitmqctl(*args: str, timeout: float = 120) -> None:
    subprocess.run(
        [RABBITMQCTL or "rabbitmqctl", "-q", *args],
        check=True,
        capture_output=True,
        timeout=timeout,
    )


def _await_broker(seconds: float = 60) -> None:
    """Until the broker's application has started and takes an AMQP connection."""
    _rabbitmqctl("await_startup", "--timeout", str(int(seconds)), timeout=seconds + 10)
    deadline = time.monotonic() + seconds
    while True:
        try:
            pika.BlockingConnection(pika.URLParameters(BROKER)).close()
            return
        except pika.exceptions.AMQPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


class BrokerRestart:
    """On a thread of its own, once ``asked``: ``rabbitmqctl stop_app`` (then ``down`` is set)
    and ``start_app`` (then ``up``). The node's Erlang VM keeps running, as in an operator's
    restart of RabbitMQ; only the broker application goes away and comes back."""

    def __init__(self) -> None:
        self.asked = threading.Event()
        self.down = threading.Event()
        self.up = threading.Event()
        self.failure: BaseException | None = None
        self._cancelled = False
        self._thread = threading.Thread(target=self._restart, name="broker-restart", daemon=True)
        self._thread.start()

    def _restart(self) -> None:
        try:
            self.asked.wait()
            if self._cancelled:
                return
            _rabbitmqctl("stop_app")
            self.down.set()
            _rabbitmqctl("start_app")
            self.up.set()
        except BaseException as exc:  # handed to the test on its own thread
            self.failure = exc
        finally:
            self.down.set()

    def finish(self) -> None:
        if not self.asked.is_set():
            self._cancelled = True
            self.asked.set()
        self._thread.join(timeout=120)


@pytest.fixture
def broker_channel() -> Iterator[ChannelConfig]:
    """The departmental_events channel on a topology of this test's own, in small batches,
    reconnecting for long enough to outlast a restart; the broker is running again after the
    test whatever happened, and the topology deleted."""
    test_id = f"t{uuid.uuid4().hex[:10]}"
    shipped = load_channel(CHANNEL_FILE)
    settings: dict[str, Any] = {
        **shipped.adapter,
        "url": BROKER,
        "exchange": f"{test_id}.events",
        "queue": f"{test_id}.queue",
        "dead_letter_exchange": f"{test_id}.dead",
        "batch_size": 50,
        "prefetch": 100,  # what comes back after the restart comes one message a batch
        "idle_seconds": 1.0,
        "reconnect_attempts": 8,  # waits 0.2, 0.4, ... 25.6 s: about 50 s in all
        "reconnect_backoff_seconds": 0.2,
    }
    try:
        yield dataclasses.replace(shipped, adapter=settings)
    finally:
        _rabbitmqctl("start_app")  # a no-op when it runs
        _await_broker()
        connection = pika.BlockingConnection(pika.URLParameters(BROKER))
        broker = connection.channel()
        for queue in (settings["queue"], f"{settings['queue']}.dead"):
            broker.queue_delete(queue)
        for exchange in (settings["exchange"], settings["dead_letter_exchange"]):
            broker.exchange_delete(exchange)
        connection.close()


def _queue_depth(queue: str) -> int:
    connection = pika.BlockingConnection(pika.URLParameters(BROKER))
    depth = int(connection.channel().queue_declare(queue, passive=True).method.message_count)
    connection.close()
    return depth


def _published_numbers(events: DepartmentalEvents) -> list[str]:
    """The natural keys (action numbers) of the inspections and penalties of ``events``
    (published without faults: no malformed event, no duplicate)."""
    field = {"inspection": "检查行为编号", "penalty": "案件编号"}
    return [
        str(json.loads(message.payload)[field[message.message_type]])
        for message in DepartmentalEvents(events.seed, events.count, malformed=0.0, duplicates=0.0)
        if message.message_type in field
    ]


def _stored_numbers(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return [
            *session.scalars(select(Inspection.action_number)),
            *session.scalars(select(Penalty.action_number)),
        ]


@pytest.mark.rabbitmq
@pytest.mark.skipif(
    RABBITMQCTL is None, reason="rabbitmqctl is not installed: the broker cannot be restarted"
)
def test_rabbitmq_restarted_mid_stream_loses_and_doubles_nothing(
    engine: Engine, broker_channel: ChannelConfig
) -> None:
    events = DepartmentalEvents(23, EVENTS, malformed=0.0, duplicates=0.0)
    DepartmentalSimulator(broker_channel.adapter, events).start().wait(timeout=60)
    published = _published_numbers(events)
    assert len(set(published)) == len(published) > 2000
    restart = BrokerRestart()
    stored_at_restart: list[int] = []

    def restart_once(report: RunReport) -> None:
        # Called after a commit, before the batch's ack: the consumer waits here until the
        # broker is down, so the restart always falls in the middle of the stream, and the
        # batch just committed is never acked (it comes back, to be counted as duplicates).
        if report.stored >= RESTART_AFTER and not restart.asked.is_set():
            stored_at_restart.append(report.stored)
            restart.asked.set()
            assert restart.down.wait(timeout=60), "rabbitmqctl stop_app did not return"

    try:
        for _ in range(3):  # a run that could not reconnect in time ends in RetryLater
            try:
                run_channel(engine, broker_channel, progress=restart_once)
                break
            except RetryLater:
                continue
    finally:
        restart.finish()
    if restart.failure is not None:
        raise restart.failure
    assert restart.up.is_set()

    runs = _runs(engine, broker_channel.name)
    assert runs[-1].status == "succeeded"
    total = _summed(runs)
    assert total.balanced, total.summary()
    assert (total.stored, total.quarantined) == (len(published), 0)
    assert total.duplicates > 0  # the batch committed while the broker went down came back
    assert 0 < stored_at_restart[0] < len(published)
    assert sorted(_stored_numbers(engine)) == sorted(published)  # each exactly once
    assert _count(engine, Provenance) == len(published)  # none was stored twice
    assert _queue_depth(broker_channel.adapter["queue"]) == 0
    assert _queue_depth(f"{broker_channel.adapter['queue']}.dead") == 0


# -- the 12345 hotline restarted between two pages -------------------------------------------

KEY = "k3y-of-the-restart-tests-2b7d"
CREDENTIALS = Credentials(
    api_key=KEY, client_secret="cl1ent-s3cret-restarts", hmac_secret="hm4c-s3cret-restarts"
)
SEED = 17
ORDERS = 45
PAGE_SIZE = 10  # five pages, the last one short


class Hotlines:
    """The hotline simulator, stopped and started again on the same port with the same seed
    (so the same book of orders), as the real system restarted."""

    def __init__(self) -> None:
        self.started = [self._start(0)]
        self.port = int(urlsplit(self.started[0].url).port or 0)
        self.running = True

    @staticmethod
    def _start(port: int) -> HotlineSimulator:
        return HotlineSimulator(
            SimulatorOptions(seed=SEED, port=port), orders=ORDERS, credentials=CREDENTIALS
        )

    @property
    def current(self) -> HotlineSimulator:
        return self.started[-1]

    def stop(self) -> None:
        if self.running:
            self.current.stop()
            self.running = False

    def start_again(self) -> HotlineSimulator:
        assert not self.running
        self.started.append(self._start(self.port))
        self.running = True
        assert self.current.url == self.started[0].url
        return self.current


@pytest.fixture
def hotlines() -> Iterator[Hotlines]:
    simulators = Hotlines()
    yield simulators
    simulators.stop()


def _hotline_channel(
    repo_root: Path, monkeypatch: pytest.MonkeyPatch, hotlines: Hotlines, attempts: int
) -> ChannelConfig:
    """The shipped hotline channel pointed at the simulator, in small pages."""
    monkeypatch.setenv("HUB_HOTLINE_12345_URL", hotlines.current.url)
    monkeypatch.setenv("HUB_HOTLINE_12345_KEY", KEY)
    channel = load_channel(repo_root / "mappings" / "hotline_12345" / "channel.yaml")
    settings = {
        **channel.adapter,
        "pagination": {"style": "page", "page_size": PAGE_SIZE},
        "retry": {"attempts": attempts, "backoff_seconds": 0.05},
    }
    return dataclasses.replace(channel, adapter=settings)


def _stop_after_the_second_page(hotlines: Hotlines) -> ProgressCallback:
    """A progress callback stopping the simulator once the second page is committed (its
    cursor is written just after; the third page is then asked of a simulator that is gone)."""

    def progress(report: RunReport) -> None:
        if report.envelopes == 2:
            hotlines.stop()

    return progress


def _assert_every_order_once(engine: Engine, hotlines: Hotlines) -> None:
    with Session(engine) as session:
        numbers = list(session.scalars(select(Complaint.source_number)))
    assert sorted(numbers) == sorted(hotlines.current.book.orders)
    assert sorted(hotlines.current.book.orders) == sorted(hotlines.started[0].book.orders)
    assert _count(engine, Provenance) == ORDERS  # none was stored twice


def test_a_hotline_restarted_within_the_retry_window_lets_the_same_run_finish(
    engine: Engine, repo_root: Path, monkeypatch: pytest.MonkeyPatch, hotlines: Hotlines
) -> None:
    waits: list[float] = []

    def restart_while_waiting(seconds: float) -> None:
        # The adapter's first backoff after the failed third page: the hotline is back
        # before it is over (started here rather than after a real sleep, so that the
        # restart always falls inside the retry window).
        waits.append(seconds)
        if not hotlines.running:
            hotlines.start_again()

    monkeypatch.setattr("adapters.rest.client.time.sleep", restart_while_waiting)
    channel = _hotline_channel(repo_root, monkeypatch, hotlines, attempts=4)

    report = run_channel(engine, channel, progress=_stop_after_the_second_page(hotlines))

    first, second = hotlines.started
    assert len(waits) == 1  # one failed request, retried against the restarted hotline
    assert first.plan.served["requests"] == 2  # pages 1 and 2
    assert second.plan.served["requests"] == 3  # pages 3, 4 and 5: nothing asked again
    assert report.balanced, report.summary()
    assert (report.received, report.stored, report.duplicates, report.quarantined) == (
        ORDERS,
        ORDERS,
        0,
        0,
    )
    _assert_every_order_once(engine, hotlines)


def test_a_hotline_down_past_the_retries_fails_the_run_and_the_next_resumes_at_the_cursor(
    engine: Engine, repo_root: Path, monkeypatch: pytest.MonkeyPatch, hotlines: Hotlines
) -> None:
    waits: list[float] = []
    monkeypatch.setattr("adapters.rest.client.time.sleep", waits.append)
    channel = _hotline_channel(repo_root, monkeypatch, hotlines, attempts=3)

    with pytest.raises(RetryLater):
        run_channel(engine, channel, progress=_stop_after_the_second_page(hotlines))
    assert len(waits) == 2  # three attempts at the third page, all refused
    cursor = read_cursor(engine, channel.name)
    in_order = sorted(hotlines.started[0].book.orders.values(), key=order_key)
    last_stored = in_order[2 * PAGE_SIZE - 1]["工单编号"]
    assert str(cursor).endswith(f"|{last_stored}")  # the watermark after the second page

    hotlines.start_again()
    again = run_channel(engine, channel)

    failed, resumed = _runs(engine, channel.name)
    assert (failed.status, failed.received, failed.stored) == ("failed", *[2 * PAGE_SIZE] * 2)
    assert resumed.status == "succeeded"
    assert again.received == ORDERS - 2 * PAGE_SIZE < ORDERS  # from the cursor, not the start
    assert again.duplicates == 0
    total = _summed([failed, resumed])
    assert total.balanced, total.summary()
    assert (total.received, total.stored, total.quarantined) == (ORDERS, ORDERS, 0)
    _assert_every_order_once(engine, hotlines)
    assert read_cursor(engine, channel.name) != cursor
    assert run_channel(engine, channel).received == 0
