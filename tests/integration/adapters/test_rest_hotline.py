"""The REST adapter against the 12345 hotline simulator on a real socket, through run_channel."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from adapters.base import OutboundMessage
from adapters.rest.errors import RequestRejected
from adapters.rest.paging import Incremental
from hub.errors import RetryLater
from hub.exchange.channels import ChannelConfig, load_channel
from hub.exchange.cursors import read_cursor
from hub.exchange.runner import build_adapter, run_channel
from hub.store.models.complaints import Complaint
from hub.store.models.exchange import Provenance
from simulators.hotline_12345 import Credentials, HotlineSimulator
from simulators.registry import SimulatorOptions, known_simulators

KEY = "k3y-only-the-tests-know-7f1c"
CREDENTIALS = Credentials(
    api_key=KEY, client_secret="cl1ent-s3cret-of-tests", hmac_secret="hm4c-s3cret-of-tests"
)
ORDERS = 45
# What the hotline channel's adapter section says to pull the 12345 system over REST.
REST_SETTINGS: dict[str, Any] = {
    "type": "rest",
    "url": "${HUB_HOTLINE_12345_URL}",
    "path": "/api/workorders",
    "records": "/data/rows",
    "pagination": {"style": "page", "page_size": 10},
    "incremental": {"updated_field": "更新时间", "id_field": "工单编号", "timezone": "+08:00"},
    "auth": {"type": "api_key", "header": "X-API-Key", "key": "${HUB_HOTLINE_12345_KEY}"},
    "retry": {"attempts": 6, "backoff_seconds": 0.01},
    "push": {"path": "/api/workorders/{工单编号}/feedback"},
}


@pytest.fixture
def hotline() -> Iterator[HotlineSimulator]:
    simulator = HotlineSimulator(SimulatorOptions(seed=11), orders=ORDERS, credentials=CREDENTIALS)
    yield simulator
    simulator.stop()


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every wait the adapter asks for, recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr("adapters.rest.client.time.sleep", recorded.append)
    return recorded


def rest_channel(
    repo_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    simulator: HotlineSimulator,
    **settings: Any,
) -> ChannelConfig:
    """The hotline channel with its adapter pointed at ``simulator`` over REST."""
    monkeypatch.setenv("HUB_HOTLINE_12345_URL", simulator.url)
    monkeypatch.setenv("HUB_HOTLINE_12345_KEY", KEY)
    channel = load_channel(repo_root / "mappings" / "hotline_12345" / "channel.yaml")
    return dataclasses.replace(channel, adapter={**REST_SETTINGS, **settings})


def _count(engine: Engine, model: type[Any]) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_every_page_is_stored_balanced_and_the_cursor_is_the_last_order(
    engine: Engine, repo_root: Path, monkeypatch: pytest.MonkeyPatch, hotline: HotlineSimulator
) -> None:
    channel = rest_channel(repo_root, monkeypatch, hotline)

    report = run_channel(engine, channel)

    assert report.balanced
    assert (report.received, report.stored, report.envelopes) == (ORDERS, ORDERS, 5)
    assert _count(engine, Complaint) == ORDERS
    incremental = Incremental.from_settings(REST_SETTINGS["incremental"])
    last = max(filter(None, map(incremental.position, hotline.book.orders.values())))
    assert read_cursor(engine, channel.name) == str(last)  # e.g. 2026-06-29T18:03:00Z|AH...
    assert run_channel(engine, channel).received == 0


def test_increments_take_only_changes_and_nothing_at_the_boundary_twice(
    sqlite_engine: Engine,
    repo_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    hotline: HotlineSimulator,
) -> None:
    channel = rest_channel(repo_root, monkeypatch, hotline)
    assert run_channel(sqlite_engine, channel).received == ORDERS

    # Seven orders share one new 更新时间; pages of three split that group twice.
    numbers = sorted(hotline.book.orders)[:4]
    stamp = hotline.book.touch(numbers)
    hotline.book.add_orders(3, stamp=stamp)
    small_pages = rest_channel(
        repo_root, monkeypatch, hotline, pagination={"style": "page", "page_size": 3}
    )
    second = run_channel(sqlite_engine, small_pages)
    assert (second.received, second.stored, second.duplicates) == (7, 7, 0)
    assert run_channel(sqlite_engine, small_pages).received == 0

    # A late order with the boundary's very timestamp and a higher number is not lost.
    (late,) = hotline.book.add_orders(1, stamp=stamp)
    third = run_channel(sqlite_engine, small_pages)
    assert (third.received, third.stored) == (1, 1)
    assert str(read_cursor(sqlite_engine, channel.name)).endswith(f"|{late}")
    assert _count(sqlite_engine, Complaint) == ORDERS + 4


@pytest.mark.parametrize(
    ("fault", "announced"),
    [("error_rate", "2 seconds"), ("rate_limit", "an HTTP date 3 seconds ahead")],
)
def test_503_and_429_are_retried_after_the_announced_wait(
    sqlite_engine: Engine,
    repo_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    waits: list[float],
    fault: str,
    announced: str,
) -> None:
    simulator = HotlineSimulator(
        SimulatorOptions(
            seed=4, faults={fault: 0.4, "retry_after": 2 if fault == "error_rate" else 3}
        ),
        orders=ORDERS,
        credentials=CREDENTIALS,
    )
    try:
        report = run_channel(sqlite_engine, rest_channel(repo_root, monkeypatch, simulator))
    finally:
        simulator.stop()
    assert (report.received, report.stored) == (ORDERS, ORDERS)
    assert len(waits) == simulator.plan.served[fault] > 0
    if fault == "error_rate":
        assert waits == [2.0] * len(waits)
    else:  # an HTTP date has whole seconds: the wait is what is left of them
        assert all(1.9 < wait <= 3.0 for wait in waits), (announced, waits)


def test_malformed_and_duplicate_records_are_quarantined_and_counted(
    sqlite_engine: Engine, repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    simulator = HotlineSimulator(
        SimulatorOptions(seed=4, faults={"malformed_rate": 0.5, "duplicate_rate": 0.5}),
        orders=ORDERS,
        credentials=CREDENTIALS,
    )
    try:
        report = run_channel(sqlite_engine, rest_channel(repo_root, monkeypatch, simulator))
    finally:
        simulator.stop()
    malformed, duplicated = (simulator.plan.served[f] for f in ("malformed_rate", "duplicate_rate"))
    assert malformed > 0 and duplicated > 0
    assert report.balanced
    assert (report.received, report.quarantined) == (ORDERS + duplicated, malformed)
    assert report.duplicates == duplicated


def test_a_slow_answer_times_out_and_is_retried_with_jittered_backoff(
    sqlite_engine: Engine, repo_root: Path, monkeypatch: pytest.MonkeyPatch, waits: list[float]
) -> None:
    simulator = HotlineSimulator(
        SimulatorOptions(faults={"latency_ms": 300}), orders=5, credentials=CREDENTIALS
    )
    channel = rest_channel(
        repo_root,
        monkeypatch,
        simulator,
        timeout={"connect": 1, "read": 0.05},
        retry={"attempts": 3, "backoff_seconds": 0.01},
    )
    try:
        with pytest.raises(RetryLater, match="ReadTimeout"):
            run_channel(sqlite_engine, channel)
    finally:
        simulator.stop()
    first, second = waits  # the first backoff in [0.005, 0.01], the second in [0.01, 0.02]
    assert 0.005 <= first <= 0.01 <= second <= 0.02


def test_retries_end_in_retry_later_when_the_remote_stays_down(
    sqlite_engine: Engine, repo_root: Path, monkeypatch: pytest.MonkeyPatch, waits: list[float]
) -> None:
    simulator = HotlineSimulator(
        SimulatorOptions(faults={"error_rate": 1.0}), orders=5, credentials=CREDENTIALS
    )
    try:
        channel = rest_channel(repo_root, monkeypatch, simulator, retry={"attempts": 3})
        with pytest.raises(RetryLater, match="HTTP 503") as caught:
            run_channel(sqlite_engine, channel)
    finally:
        simulator.stop()
    assert caught.value.retry_after == 1.0
    assert waits == [1.0, 1.0]


@pytest.mark.parametrize(
    ("settings", "status"),
    [({"path": "/api/nowhere"}, 404), ({"pagination": {"style": "page", "page_size": 900}}, 400)],
)
def test_other_4xx_fail_at_once_without_retry(
    sqlite_engine: Engine,
    repo_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    hotline: HotlineSimulator,
    waits: list[float],
    settings: dict[str, Any],
    status: int,
) -> None:
    channel = rest_channel(repo_root, monkeypatch, hotline, **settings)
    with pytest.raises(RequestRejected, match=f"HTTP {status}") as caught:
        run_channel(sqlite_engine, channel)
    assert caught.value.status == status
    assert waits == []
    assert hotline.plan.served["requests"] == 1


def test_a_dropped_connection_resumes_from_the_committed_page_exactly_once(
    sqlite_engine: Engine, repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    simulator = HotlineSimulator(
        SimulatorOptions(seed=3, faults={"drop_connection": 0.35}),
        orders=ORDERS,
        credentials=CREDENTIALS,
    )
    channel = rest_channel(repo_root, monkeypatch, simulator, retry={"attempts": 1})
    interrupted, received = 0, 0
    try:
        for _ in range(40):
            try:
                received += run_channel(sqlite_engine, channel).received
                break
            except RetryLater:
                interrupted += 1
    finally:
        simulator.stop()
    assert interrupted == simulator.plan.served["drop_connection"] > 0
    assert _count(sqlite_engine, Complaint) == ORDERS
    assert _count(sqlite_engine, Provenance) == ORDERS  # no record came in twice
    assert received < ORDERS  # the last run resumed after what earlier runs committed


def test_push_with_the_same_idempotency_key_has_one_effect_and_one_receipt(
    repo_root: Path, monkeypatch: pytest.MonkeyPatch, hotline: HotlineSimulator
) -> None:
    number = sorted(hotline.book.orders)[0]
    message = OutboundMessage(
        message_type="feedback",
        payload=json.dumps({"工单编号": number, "status": "已回复", "answer": "已处理"}).encode(),
        idempotency_key=f"feedback-{number}-1",
    )
    with build_adapter(rest_channel(repo_root, monkeypatch, hotline)) as adapter:
        first = adapter.push(message)
        second = adapter.push(message)
        unknown = adapter.push(
            dataclasses.replace(
                message,
                payload=json.dumps({"工单编号": "AH0", "status": "x"}).encode(),
                idempotency_key="feedback-AH0-1",
            )
        )
    assert first.accepted and first.remote_id == "FK00000001"
    assert (second.remote_id, second.raw) == (first.remote_id, first.raw)
    assert hotline.book.feedback_applied == 1
    assert hotline.book.orders[number]["工单状态"] == "已回复"
    assert not unknown.accepted and "HTTP 404" in unknown.detail


def test_the_hotline_simulator_is_registered() -> None:
    assert "hotline_12345" in known_simulators()
