"""Publishing inspection results through the credit publicity channel, and its deadlines.

The results go through the outbox to the in-process credit publicity simulator (国家企业信用
信息公示系统 / 信用安徽 receiving side), which checks every field as the real system would; a
result is published when its receipt is recorded. Time is frozen with time-machine.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

import tests.draws_support as world
from hub.audit import default_anchor, verify
from hub.calendar import BEIJING
from hub.cli.main import app
from hub.draws import publication
from hub.draws.publication import (
    check_publication_deadlines,
    deadline_report,
    record_receipts,
    request_draw_publications,
)
from hub.draws.results import record_result
from hub.exchange.channels import ChannelRegistry
from hub.exchange.dispatch import dispatch_outbox
from hub.settings import get_settings
from hub.store.models.actions import Inspection
from hub.store.models.audit import AuditEntry
from hub.store.models.draws import DrawPick
from hub.store.models.exchange import OutboxMessage
from hub.store.models.inspection_results import InspectionResult
from simulators.credit_publicity import CreditPublicitySimulator
from simulators.registry import SimulatorOptions
from standards.codes.uscc import uscc_check_character
from tests.conftest import clear_caches

ASSIGNED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=BEIJING)
ENDED_AT = datetime(2026, 3, 10, 16, 0, tzinfo=BEIJING)  # due 2026-04-08 23:59:59
RECORDED_AT = datetime(2026, 3, 11, 10, 0, tzinfo=BEIJING)
RESULTS = 3
runner = CliRunner()


def valid_uscc(number: int) -> str:
    """A 统一社会信用代码 with its GB 32100 check character, as the publicity system demands."""
    first17 = f"91340100MA{number:07d}"
    return first17 + uscc_check_character(first17)


@pytest.fixture
def simulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[CreditPublicitySimulator]:
    running = CreditPublicitySimulator(SimulatorOptions())
    for name, value in running.environment.items():
        monkeypatch.setenv(name, value)
    clear_caches()
    yield running
    running.stop()


def recorded_draw(engine: Engine, *, valid_codes: bool) -> int:
    """A draw assigned on 2 March 2026 with RESULTS results recorded on 11 March."""
    with pytest.MonkeyPatch.context() as patch:
        if valid_codes:
            patch.setattr(world, "uscc", valid_uscc)
        with (
            time_machine.travel(ASSIGNED_AT, tick=False),
            Session(engine) as session,
            session.begin(),
        ):
            world.seed_world(session)
            draw_id = world.run_lifecycle(session).id
    with time_machine.travel(RECORDED_AT, tick=False), Session(engine) as session, session.begin():
        picks = session.scalars(
            select(DrawPick.entity_uscc)
            .where(DrawPick.draw_id == draw_id)
            .order_by(DrawPick.stratum, DrawPick.rank)
            .limit(RESULTS)
        ).all()
        for code, uscc in zip(("01", "02", "05"), picks, strict=True):
            record_result(session, draw_id, uscc, code, ended_at=ENDED_AT, actor=world.ACTOR)
    return draw_id


def request_and_dispatch(engine: Engine, draw_id: int, moment: datetime) -> None:
    with time_machine.travel(moment, tick=False):
        with Session(engine) as session, session.begin():
            assert request_draw_publications(session, draw_id, world.ACTOR) == RESULTS
        dispatch_outbox(engine, ChannelRegistry(get_settings().mappings_dir))
        with Session(engine) as session, session.begin():
            record_receipts(session)


def results(engine: Engine) -> list[InspectionResult]:
    with Session(engine) as session:
        return list(session.scalars(select(InspectionResult).order_by(InspectionResult.id)))


def test_results_are_published_through_the_credit_publicity_channel(
    engine: Engine, simulator: CreditPublicitySimulator
) -> None:
    draw_id = recorded_draw(engine, valid_codes=True)

    request_and_dispatch(engine, draw_id, datetime(2026, 3, 12, 9, 0, tzinfo=BEIJING))

    published = results(engine)
    accepted = simulator.publications.accepted
    assert [entry.idempotency_key for entry in accepted] == [
        result.publication_key for result in published
    ]
    first = accepted[0].message
    assert first["result_number"] == published[0].result_number
    assert first["plan_id"] == f"DRAW-{draw_id}"
    assert first["entity_uscc"] == published[0].entity_uscc
    assert first["inspected_on"] == "2026-03-10"
    assert (first["result_code"], first["result_description"]) == ("01", "未发现问题")
    assert first["published_at"] == "2026-03-12T09:00:00+08:00"
    assert "officers" not in first and "findings" not in first
    with Session(engine) as session:
        for result, entry in zip(published, accepted, strict=True):
            assert result.publication_receipt == entry.receipt_id
            assert _aware(result.published_at) == datetime(2026, 3, 12, 1, 0, tzinfo=UTC)
            inspection = session.get_one(Inspection, result.inspection_id)
            assert inspection.published_at == result.published_at
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.object_type == "inspection_result")
        ).all()
        assert sorted(set(actions)) == [
            "inspection_result.publication_request",
            "inspection_result.published",
            "inspection_result.record",
        ]
        assert len(actions) == 3 * RESULTS
        assert verify(session, default_anchor()).ok


def test_publication_is_requested_once_and_receipts_recorded_once(
    engine: Engine, simulator: CreditPublicitySimulator
) -> None:
    draw_id = recorded_draw(engine, valid_codes=True)
    request_and_dispatch(engine, draw_id, datetime(2026, 3, 12, 9, 0, tzinfo=BEIJING))

    with Session(engine) as session, session.begin():
        assert request_draw_publications(session, draw_id, world.ACTOR) == 0
        assert record_receipts(session) == 0
    assert len(simulator.publications.accepted) == RESULTS


def test_a_rejected_publication_stays_unpublished_and_turns_late(
    engine: Engine, simulator: CreditPublicitySimulator
) -> None:
    draw_id = recorded_draw(engine, valid_codes=False)  # check characters not computed

    request_and_dispatch(engine, draw_id, datetime(2026, 3, 12, 9, 0, tzinfo=BEIJING))

    assert simulator.publications.accepted == []
    assert all(result.published_at is None for result in results(engine))
    with Session(engine) as session:
        assert set(session.scalars(select(OutboxMessage.status))) == {"rejected"}
        on_time = deadline_report(session, datetime(2026, 3, 12, 9, tzinfo=BEIJING), 5)
        late = deadline_report(session, datetime(2026, 4, 9, 0, 0, 1, tzinfo=BEIJING), 5)
    assert (on_time.late, on_time.due_soon) == ([], [])
    assert len(late.late) == RESULTS
    assert {item.state for item in late.late} == {"rejected"}
    assert all("entity_uscc" in (item.last_error or "") for item in late.late)
    assert {item.working_days_left for item in late.late} == {-1}


@pytest.mark.parametrize(
    ("today", "due_soon", "late"),
    [
        (datetime(2026, 3, 25, 9, 0, tzinfo=BEIJING), 0, 0),  # 9 working days left
        (datetime(2026, 4, 1, 9, 0, tzinfo=BEIJING), RESULTS, 0),  # 2, 3, 7 April, 8 April
        (datetime(2026, 4, 8, 23, 0, tzinfo=BEIJING), RESULTS, 0),  # the last hour
        (datetime(2026, 4, 9, 8, 0, tzinfo=BEIJING), 0, RESULTS),
    ],
)
def test_the_daily_check_alerts_due_soon_and_lists_late(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    today: datetime,
    due_soon: int,
    late: int,
) -> None:
    recorded_draw(engine, valid_codes=True)  # recorded, never queued
    monkeypatch.setenv("HUB_PUBLICATION_ALERT_WORKING_DAYS", "5")
    caplog.set_level(logging.WARNING)

    with time_machine.travel(today, tick=False):
        summary = check_publication_deadlines()

    assert (summary["due_soon"], summary["late"]) == (due_soon, late)
    assert summary["alert_working_days"] == 5
    assert len(summary["late_result_ids"]) == late
    if due_soon or late:  # no webhook configured: the alert is logged, not lost
        assert any("no alert webhook configured" in r.getMessage() for r in caplog.records)
    else:
        assert not caplog.records


def test_hub_draw_late_lists_late_publications_and_exits_1(engine: Engine) -> None:
    draw_id = recorded_draw(engine, valid_codes=True)
    _stamp(engine)

    with time_machine.travel(datetime(2026, 4, 10, 9, 0, tzinfo=BEIJING), tick=False):
        result = runner.invoke(app, ["draw", "late", "--within", "3"])

    output = " ".join(result.output.split())
    assert result.exit_code == 1, output
    assert f"late: {RESULTS}" in output
    assert f"SSJ-{draw_id}-" in output and "not_queued" in output
    assert "2026-04-08 23:59" in output and "-2" in output
    assert "due within 3 working days: 0" in output


def test_hub_draw_late_exits_0_when_nothing_is_late(engine: Engine) -> None:
    recorded_draw(engine, valid_codes=True)
    _stamp(engine)

    with time_machine.travel(datetime(2026, 4, 7, 9, 0, tzinfo=BEIJING), tick=False):
        result = runner.invoke(app, ["draw", "late", "--department", world.MARKET])

    output = " ".join(result.output.split())
    assert result.exit_code == 0, output
    assert "late: 0" in output and f"due within 5 working days: {RESULTS}" in output


def test_the_alert_names_no_entity(engine: Engine) -> None:
    recorded_draw(engine, valid_codes=True)
    with Session(engine) as session:
        report = deadline_report(session, datetime(2026, 4, 9, 8, tzinfo=BEIJING), 5)

    alert = json.dumps(publication._alert(report), ensure_ascii=False)

    assert "合肥市" not in alert and "officers" not in alert


def _stamp(engine: Engine) -> None:
    """Mark the store created by ``create_all`` as migrated, as the CLI requires."""
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        connection.execute(text("INSERT INTO alembic_version VALUES ('head')"))


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
