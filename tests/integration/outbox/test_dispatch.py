"""The outbox dispatcher against real simulators: the 12345 hotline (REST) and 12315 (SOAP).

Work orders are pulled from the hotline simulator through the pipeline, which writes one
``complaint.stored`` event per stored complaint for the hotline channel (a copy of the
shipped channel, subscribed, with an ``outbound`` rendering of the hotline's feedback); the
dispatcher then sends that feedback back. Time is injected as ``now``, never slept.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
import yaml
from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from hub.cli.main import app
from hub.errors import ConfigurationError
from hub.exchange.channels import ChannelRegistry, load_channel
from hub.exchange.dispatch import DispatchReport, dispatch_outbox, replay
from hub.exchange.outbox import enqueue
from hub.exchange.runner import run_channel
from hub.store.base import Base
from hub.store.models.audit import AuditEntry
from hub.store.models.complaints import Complaint
from hub.store.models.exchange import OutboxMessage
from simulators.hotline_12345 import Credentials, HotlineSimulator
from simulators.platform_12315 import RunningPlatform12315, complaints
from simulators.registry import SimulatorOptions, start_simulator
from tests.conftest import clear_caches

KEY = "k3y-of-the-outbox-tests-5d2a"
CREDENTIALS = Credentials(api_key=KEY)
ORDERS = 8
HOTLINE = "hotline_12345"
MAX_ATTEMPTS = 4
# The hotline channel pulling work orders over REST and sending feedback on each stored one.
ADAPTER: dict[str, Any] = {
    "type": "rest",
    "url": "${HUB_HOTLINE_12345_URL}",
    "path": "/api/workorders",
    "records": "/data/rows",
    "pagination": {"style": "page", "page_size": 50},
    "auth": {"type": "api_key", "header": "X-API-Key", "key": "${HUB_HOTLINE_12345_KEY}"},
    "retry": {"attempts": 1},  # the dispatcher retries, on its own schedule
    "push": {"path": "/api/workorders/{工单编号}/feedback"},
}
# Canonical complaint status to the hotline's (the inverse of its work_orders mapping's table).
HOTLINE_STATUSES = {
    "accepted": "已受理",
    "dispatched": "已派单",
    "handling": "办理中",
    "answered": "已回复",
    "supervised": "督办中",
    "closed": "已办结",
    "rejected": "不予受理",
    "received": "已受理",
}
OUTBOUND = {
    "complaint.stored": {
        "message_type": "feedback",
        "fields": {
            "工单编号": "source_number",
            "status": {"column": "status", "table": HOTLINE_STATUSES},
            "answer": "answer",
            "回访.联系人": "complainant_name",
            "回访.联系电话": "complainant_phone",
        },
    }
}
RETRIES = {"backoff_seconds": 30, "max_backoff_seconds": 3600, "max_attempts": MAX_ATTEMPTS}
runner = CliRunner()


@dataclass
class Wire:
    """Every feedback request that reached the hotline's endpoint: key and body."""

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def keys(self) -> Counter[str]:
        return Counter(key for key, _ in self.calls)


def start_hotline(wire: Wire, **faults: Any) -> HotlineSimulator:
    """A hotline (the same orders for the same seed) recording feedback calls on ``wire``."""
    simulator = HotlineSimulator(
        SimulatorOptions(seed=11, faults=faults), orders=ORDERS, credentials=CREDENTIALS
    )
    book = simulator.book
    original = book.feedback

    def feedback(number: str, key: str, fields: dict[str, Any]) -> Any:
        wire.calls.append((key, fields))
        return original(number, key, fields)

    book.feedback = feedback  # type: ignore[method-assign]
    return simulator


@pytest.fixture
def wire() -> Wire:
    return Wire()


@pytest.fixture
def hotline(wire: Wire, monkeypatch: pytest.MonkeyPatch) -> Iterator[HotlineSimulator]:
    simulator = start_hotline(wire)
    monkeypatch.setenv("HUB_HOTLINE_12345_URL", simulator.url)
    monkeypatch.setenv("HUB_HOTLINE_12345_KEY", KEY)
    yield simulator
    simulator.stop()


@pytest.fixture
def mappings(tmp_path: Path, repo_root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The hotline channel, copied, subscribed to complaint.stored, pointed at the simulator."""
    root = tmp_path / "mappings"
    folder = root / HOTLINE
    shutil.copytree(repo_root / "mappings" / HOTLINE, folder)
    path = folder / "channel.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document.update(
        adapter=ADAPTER, subscribe=["complaint.stored"], outbound=OUTBOUND, outbox=RETRIES
    )
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("HUB_MAPPINGS_DIR", str(root))
    clear_caches()
    return root


@pytest.fixture
def registry(mappings: Path) -> ChannelRegistry:
    return ChannelRegistry(mappings)


def pull_orders(engine: Engine, registry: ChannelRegistry) -> None:
    """Store the hotline's work orders; the pipeline writes one outbox row per complaint."""
    report = run_channel(engine, registry.get(HOTLINE), subscribers=registry.subscribers)
    assert (report.stored, report.quarantined) == (ORDERS, 0)


def rows(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def counts(report: DispatchReport, destination: str = HOTLINE) -> tuple[int, int, int, int]:
    tally = report.destinations[destination]
    return tally.sent, tally.rejected, tally.retrying, tally.dead


def utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite: naive UTC


def audited(engine: Engine, action: str) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_stored_records_are_sent_once_with_their_receipts(
    engine: Engine, registry: ChannelRegistry, hotline: HotlineSimulator, wire: Wire
) -> None:
    pull_orders(engine, registry)
    assert [(r.destination, r.event_type, r.status) for r in rows(engine)] == [
        (HOTLINE, "complaint.stored", "pending")
    ] * ORDERS

    report = dispatch_outbox(engine, registry)

    assert counts(report) == (ORDERS, 0, 0, 0) and not report.failed
    sent = rows(engine)
    assert {(r.status, r.attempts, r.last_error) for r in sent} == {("sent", 1, None)}
    assert all(r.sent_at is not None for r in sent)
    receipts = [json.loads(r.receipt or "") for r in sent]
    assert [r["remote_id"] for r in receipts] == [f"FK{n:08d}" for n in range(1, ORDERS + 1)]
    assert all(r["accepted"] and r["detail"].startswith("HTTP 201") for r in receipts)
    assert hotline.book.feedback_applied == ORDERS
    assert wire.keys == Counter({r.idempotency_key: 1 for r in sent})

    assert dispatch_outbox(engine, registry).destinations == {}  # nothing is due any more
    assert len(wire.calls) == ORDERS

    # A crash after the push, before the commit, leaves the row pending: it goes again with
    # the same key, and the hotline answers with its first receipt and changes nothing.
    first = sent[0]
    with Session(engine) as session, session.begin():
        session.execute(
            update(OutboxMessage).where(OutboxMessage.id == first.id).values(status="pending")
        )
    assert counts(dispatch_outbox(engine, registry)) == (1, 0, 0, 0)
    again = rows(engine)[0]
    assert json.loads(again.receipt or "")["remote_id"] == receipts[0]["remote_id"]
    assert hotline.book.feedback_applied == ORDERS
    assert wire.keys[first.idempotency_key] == 2

    runs = audited(engine, "outbox.dispatch")
    assert len(runs) == 2  # runs with nothing to do are not audited
    assert runs[0].details["destinations"][HOTLINE] == {
        "sent": ORDERS,
        "rejected": 0,
        "retrying": 0,
        "dead": 0,
        "configuration_error": False,
    }


def test_personal_data_is_read_at_send_time_and_never_sits_in_the_outbox(
    engine: Engine, registry: ChannelRegistry, hotline: HotlineSimulator, wire: Wire
) -> None:
    pull_orders(engine, registry)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        stored = {c.source_number: c for c in session.scalars(select(Complaint))}
        first = min(stored)
        stored[first].answer = "已转市场监管局核查"  # changed after the event was written
    phones = {number: c.complainant_phone for number, c in stored.items()}
    names = {number: c.complainant_name for number, c in stored.items()}
    assert all(phones.values()) and all(names.values())

    dispatch_outbox(engine, registry)

    bodies = {body["工单编号"]: body for _, body in wire.calls}
    assert set(bodies) == set(stored)
    assert bodies[first]["answer"] == "已转市场监管局核查"
    for number, body in bodies.items():
        assert body["回访"] == {"联系人": names[number], "联系电话": phones[number]}
        assert hotline.book.orders[number]["诉求人"]["联系电话"] == phones[number]
    with engine.connect() as connection:
        outbox = repr(connection.execute(text("SELECT * FROM outbox")).all())
    assert not [value for value in [*phones.values(), *names.values()] if value in outbox]


def test_transient_failures_are_retried_with_growing_backoff_until_sent(
    engine: Engine, registry: ChannelRegistry, hotline: HotlineSimulator, wire: Wire
) -> None:
    pull_orders(engine, registry)
    hotline.set_faults({"error_rate": 1.0})
    start = datetime.now(UTC)

    first = dispatch_outbox(engine, registry, now=start)

    assert counts(first) == (0, 0, ORDERS, 0) and not first.failed
    waits = [utc(r.next_attempt_at) - start for r in rows(engine)]
    assert all(timedelta(seconds=15) <= wait <= timedelta(seconds=30) for wait in waits)
    assert {(r.status, r.attempts) for r in rows(engine)} == {("pending", 1)}
    assert all("HTTP 503" in (r.last_error or "") for r in rows(engine))
    requests_so_far = hotline.plan.served["requests"]
    assert dispatch_outbox(engine, registry, now=start).destinations == {}  # not due yet
    assert hotline.plan.served["requests"] == requests_so_far

    later = start + timedelta(seconds=31)
    assert counts(dispatch_outbox(engine, registry, now=later)) == (0, 0, ORDERS, 0)
    waits = [utc(r.next_attempt_at) - later for r in rows(engine)]
    assert all(timedelta(seconds=30) <= wait <= timedelta(seconds=60) for wait in waits)

    hotline.set_faults({})
    last = dispatch_outbox(engine, registry, now=later + timedelta(seconds=61))
    assert counts(last) == (ORDERS, 0, 0, 0)
    assert {(r.status, r.attempts, r.last_error) for r in rows(engine)} == {("sent", 3, None)}
    assert set(wire.keys.values()) == {1}  # the 503s never reached the feedback endpoint


def test_a_remote_gone_ends_in_dead_letters_that_replay_sends_once_it_is_back(
    engine: Engine,
    registry: ChannelRegistry,
    hotline: HotlineSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pull_orders(engine, registry)
    hotline.stop()
    moment = datetime.now(UTC)
    outcomes = []
    for _ in range(MAX_ATTEMPTS):
        outcomes.append(counts(dispatch_outbox(engine, registry, now=moment)))
        moment += timedelta(hours=1, seconds=1)  # past the longest backoff
    assert outcomes == [(0, 0, ORDERS, 0)] * (MAX_ATTEMPTS - 1) + [(0, 0, 0, ORDERS)]
    dead = rows(engine)
    assert {(r.status, r.attempts) for r in dead} == {("dead", MAX_ATTEMPTS)}
    assert all("ConnectionError" in (r.last_error or "") for r in dead)
    assert dispatch_outbox(engine, registry, now=moment).destinations == {}

    assert replay(engine, destination=HOTLINE) == [r.id for r in dead]
    assert {(r.status, r.attempts, r.last_error) for r in rows(engine)} == {("pending", 0, None)}
    assert audited(engine, "outbox.replay")[0].details["replayed"] == ORDERS

    back_wire = Wire()
    back = start_hotline(back_wire)
    monkeypatch.setenv("HUB_HOTLINE_12345_URL", back.url)
    try:
        report = dispatch_outbox(engine, registry)
    finally:
        back.stop()
    assert counts(report) == (ORDERS, 0, 0, 0)
    assert back.book.feedback_applied == ORDERS
    assert set(back_wire.keys.values()) == {1}


def test_rejections_keep_their_reasons_and_are_sent_after_a_fix(
    engine: Engine, registry: ChannelRegistry, hotline: HotlineSimulator, wire: Wire
) -> None:
    pull_orders(engine, registry)
    by_record = {r.record_id: r for r in rows(engine)}
    with Session(engine) as session, session.begin():
        numbers = {c.id: c.source_number for c in session.scalars(select(Complaint))}
        unknown_id, deleted_id = sorted(numbers)[:2]
        session.execute(delete(Complaint).where(Complaint.id == deleted_id))
        enqueue(  # a case status reply: its body is sent as it is
            session,
            [
                {
                    "destination": HOTLINE,
                    "event_type": "complaint.answered",
                    "payload": {"body": {"工单编号": numbers[unknown_id], "status": "已回复"}},
                    "idempotency_key": f"{HOTLINE}:complaint.answered:{unknown_id}:1",
                }
            ],
        )
    order = hotline.book.orders.pop(numbers[unknown_id])  # the hotline lost this order

    report = dispatch_outbox(engine, registry)

    assert counts(report) == (ORDERS - 2, 3, 0, 0) and report.failed
    after = {r.id: r for r in rows(engine)}
    remote_refused = after[by_record[unknown_id].id]
    assert remote_refused.status == "rejected"
    assert f"工单 {numbers[unknown_id]} 不存在" in (remote_refused.last_error or "")
    assert json.loads(remote_refused.receipt or "")["accepted"] is False
    gone = after[by_record[deleted_id].id]
    assert gone.status == "rejected" and gone.receipt is None
    assert f"complaint {deleted_id} is no longer in the store" in (gone.last_error or "")

    hotline.book.orders[numbers[unknown_id]] = order  # fixed on the hotline's side
    reply = max(after)
    assert replay(engine, [remote_refused.id, reply]) == [remote_refused.id, reply]
    assert counts(dispatch_outbox(engine, registry)) == (2, 0, 0, 0)
    assert wire.calls[-1][1] == {"工单编号": numbers[unknown_id], "status": "已回复"}
    assert hotline.book.orders[numbers[unknown_id]]["工单状态"] == "已回复"


def test_a_broken_destination_is_held_back_while_the_others_go_on(
    engine: Engine,
    registry: ChannelRegistry,
    hotline: HotlineSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pull_orders(engine, registry)
    with Session(engine) as session, session.begin():
        enqueue(
            session,
            [
                {
                    "destination": "national",
                    "event_type": "complaint.answered",
                    "payload": {"body": {"number": "1"}},
                    "idempotency_key": "national:complaint.answered:1:1",
                }
            ],
        )

    report = dispatch_outbox(engine, registry)

    assert counts(report) == (ORDERS, 0, 0, 0) and report.failed
    assert "unknown channel 'national'" in (report.destinations["national"].error or "")
    national = rows(engine)[-1]
    assert (national.status, national.attempts) == ("pending", 0)  # not its fault: no try

    replay(engine, destination=HOTLINE, status=("sent",))
    monkeypatch.delenv("HUB_HOTLINE_12345_KEY")
    held = dispatch_outbox(engine, registry, destination=HOTLINE)
    assert "HUB_HOTLINE_12345_KEY" in (held.destinations[HOTLINE].error or "")
    assert counts(held) == (0, 0, 0, 0)
    assert {(r.status, r.attempts) for r in rows(engine)} == {("pending", 0)}


def test_an_outbound_section_is_checked_when_loaded_and_when_rendering(
    engine: Engine,
    registry: ChannelRegistry,
    mappings: Path,
    hotline: HotlineSimulator,
    wire: Wire,
) -> None:
    pull_orders(engine, registry)
    path = mappings / HOTLINE / "channel.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["outbound"]["complaint.stored"]["template"] = "feedback.j2"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"outbound.*template"):
        load_channel(path)

    del document["outbound"]["complaint.stored"]["template"]
    document["outbound"]["complaint.stored"]["fields"]["回访.时间"] = "callback_at"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    report = dispatch_outbox(engine, ChannelRegistry(mappings))

    error = report.destinations[HOTLINE].error or ""
    assert (
        "outbound.complaint.stored.fields.回访.时间: complaint has no column 'callback_at'" in error
    )
    assert counts(report) == (0, 0, 0, 0) and report.failed
    assert {(r.status, r.attempts) for r in rows(engine)} == {("pending", 0)}
    assert wire.calls == []


def test_handling_results_go_to_12315_over_soap(
    engine: Engine, repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUB_12315_PASSWORD", "12315-simulator")
    simulator = cast(RunningPlatform12315, start_simulator("platform_12315", SimulatorOptions()))
    folder = tmp_path / "mappings" / "platform_12315"
    shutil.copytree(repo_root / "mappings" / "platform_12315", folder)
    path = folder / "channel.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["adapter"]["url"] = simulator.url
    document["outbound"] = {"complaint.handled": {"message_type": "handling_result"}}
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    number = complaints(2019, 1)[0]["number"]
    results = [
        {
            "complaintNumber": known,
            "result": "调解成功，商家退款",
            "handledAt": "2024-04-02T09:30:00+08:00",
        }
        for known in (number, "123152024030199999")
    ]
    with Session(engine) as session, session.begin():
        enqueue(
            session,
            [
                {
                    "destination": "platform_12315",
                    "event_type": "complaint.handled",
                    "payload": {"body": body},
                    "idempotency_key": f"platform_12315:complaint.handled:{index}:1",
                }
                for index, body in enumerate(results)
            ],
        )
    try:
        report = dispatch_outbox(engine, ChannelRegistry(tmp_path / "mappings"))
    finally:
        simulator.stop()

    assert counts(report, "platform_12315") == (1, 1, 0, 0)
    handled, refused = rows(engine)
    assert json.loads(handled.receipt or "")["remote_id"] == "R12315-000001"
    assert refused.status == "rejected"
    assert "no complaint 123152024030199999" in (refused.last_error or "")
    assert simulator.platform.effects == [
        {"number": number, "key": handled.idempotency_key, "result": "调解成功，商家退款"}
    ]


def test_the_outbox_commands(
    engine: Engine, registry: ChannelRegistry, hotline: HotlineSimulator, wire: Wire
) -> None:
    Base.metadata.drop_all(engine)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    pull_orders(engine, registry)
    lost = min(hotline.book.orders)
    order = hotline.book.orders.pop(lost)

    dispatched = runner.invoke(app, ["outbox", "dispatch", "--limit", "100"])
    assert dispatched.exit_code == 1, dispatched.output
    assert HOTLINE in dispatched.output
    cells = dispatched.output.split(HOTLINE)[1].split("│")[1:5]  # sent, rejected, retrying, dead
    assert [int(cell) for cell in cells] == [ORDERS - 1, 1, 0, 0]

    listed = runner.invoke(app, ["outbox", "list", "--status", "rejected"])
    assert listed.exit_code == 0 and f"工单 {lost} 不存在" in listed.output
    (rejected,) = [r for r in rows(engine) if r.status == "rejected"]

    hotline.book.orders[lost] = order
    replayed = runner.invoke(app, ["outbox", "replay", str(rejected.id)])
    assert replayed.exit_code == 0 and "1 message(s) back to pending" in replayed.output
    again = runner.invoke(app, ["outbox", "dispatch", "--destination", HOTLINE])
    assert again.exit_code == 0, again.output
    assert "no outbox messages are due" in runner.invoke(app, ["outbox", "dispatch"]).output
    assert len(wire.calls) == ORDERS + 1  # the refused one went twice
    assert hotline.book.feedback_applied == ORDERS


def test_two_dispatchers_at_once_send_each_message_exactly_once(
    engine: Engine, registry: ChannelRegistry, wire: Wire, monkeypatch: pytest.MonkeyPatch
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks with SKIP LOCKED: PostgreSQL (SQLite runs one dispatcher)")
    hotline = start_hotline(wire, latency_ms=40)
    monkeypatch.setenv("HUB_HOTLINE_12345_URL", hotline.url)
    monkeypatch.setenv("HUB_HOTLINE_12345_KEY", KEY)
    try:
        pull_orders(engine, registry)
        registry.all()  # channel files loaded before the threads share the registry
        reports: list[DispatchReport] = []
        barrier = threading.Barrier(2)

        def dispatcher() -> None:
            barrier.wait()
            reports.append(dispatch_outbox(engine, registry))

        threads = [threading.Thread(target=dispatcher) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        hotline.stop()

    assert len(reports) == 2
    sent = [report.destinations[HOTLINE].sent for report in reports]
    assert sum(sent) == ORDERS and all(sent), sent  # both took part, neither sent twice
    assert wire.keys == Counter({r.idempotency_key: 1 for r in rows(engine)})
    assert hotline.book.feedback_applied == ORDERS
    assert {r.status for r in rows(engine)} == {"sent"}
