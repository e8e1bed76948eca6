"""Recording inspection results of an assigned draw: the inspection, the result, the deadline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hub.audit import default_anchor, verify
from hub.calendar import BEIJING
from hub.draws import service
from hub.draws.results import ResultRefused, record_result
from hub.errors import PermissionDenied
from hub.store.models.actions import Inspection
from hub.store.models.audit import AuditEntry
from hub.store.models.draws import DrawAssignment, DrawPick
from hub.store.models.inspection_results import InspectionResult
from tests.draws_support import ACTOR, AS_OF, HEALTH, MARKET, plan, run_lifecycle, seed_world

ASSIGNED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=BEIJING)
ENDED_AT = datetime(2026, 3, 10, 16, 0, tzinfo=BEIJING)  # a Tuesday
RECORDED_AT = datetime(2026, 3, 11, 10, 0, tzinfo=BEIJING)


@pytest.fixture
def assigned(engine: Engine) -> Iterator[int]:
    """An assigned joint draw (market regulator and health bureau), at a fixed time."""
    with time_machine.travel(ASSIGNED_AT, tick=False), Session(engine) as session, session.begin():
        seed_world(session)
        draw_id = run_lifecycle(session).id
    yield draw_id


def drawn(engine: Engine, draw_id: int) -> list[tuple[str, str]]:
    """(entity, stratum) of every pick, in a fixed order."""
    with Session(engine) as session:
        rows = session.execute(
            select(DrawPick.entity_uscc, DrawPick.stratum)
            .where(DrawPick.draw_id == draw_id)
            .order_by(DrawPick.stratum, DrawPick.rank)
        )
        return [(uscc, stratum) for uscc, stratum in rows]


def team(engine: Engine, draw_id: int, uscc: str) -> dict[str, str]:
    with Session(engine) as session:
        rows = session.execute(
            select(DrawAssignment.certificate_number, DrawAssignment.department_code).where(
                DrawAssignment.draw_id == draw_id, DrawAssignment.entity_uscc == uscc
            )
        )
        return {certificate: department for certificate, department in rows}


def record(engine: Engine, draw_id: int, uscc: str, code: str = "02", **options: Any) -> int:
    options.setdefault("ended_at", ENDED_AT)
    options.setdefault("actor", ACTOR)
    with (
        time_machine.travel(options.pop("now", RECORDED_AT), tick=False),
        Session(engine) as session,
        session.begin(),
    ):
        return record_result(session, draw_id, uscc, code, **options).id


def test_a_result_is_recorded_as_an_inspection_of_the_draw(engine: Engine, assigned: int) -> None:
    uscc, stratum = drawn(engine, assigned)[0]

    result_id = record(engine, assigned, uscc, "02", findings="后厨未按规定留样，已责令改正")

    with Session(engine) as session:
        result = session.get_one(InspectionResult, result_id)
        inspection = session.get_one(Inspection, result.inspection_id)
        assert (result.draw_id, result.entity_uscc, result.stratum) == (assigned, uscc, stratum)
        assert (result.result_code, result.problem_found) == ("02", True)
        assert result.catalog_code == "34010100010000"  # the market regulator's item
        assert result.department_code == MARKET and result.recorded_by == ACTOR.name
        assert result.officers == sorted(team(engine, assigned, uscc))
        assert result.published_at is None and result.publication_key is None
        assert inspection.action_number == f"SSJ-{assigned}-{uscc}"
        assert result.result_number == f"SSJ-{assigned}-{uscc}-R"
        assert inspection.plan_id == f"DRAW-{assigned}"
        assert (inspection.category, inspection.manner, inspection.form) == ("03", "02", "01")
        assert inspection.result_code == "02"
        assert inspection.result == "后厨未按规定留样，已责令改正"
        assert inspection.officers == result.officers
        assert inspection.entity_name is not None and inspection.entity_name.startswith("合肥市")
        assert inspection.counterpart_id == uscc  # sealed at rest, read back in clear
        assert _aware(inspection.acted_at) == ENDED_AT.astimezone(UTC)
        assert inspection.published_at is None


def test_the_publication_is_due_twenty_working_days_after_the_inspection(
    engine: Engine, assigned: int
) -> None:
    uscc, _ = drawn(engine, assigned)[0]

    result_id = record(engine, assigned, uscc)

    with Session(engine) as session:
        result = session.get_one(InspectionResult, result_id)
        # From Wednesday 11 March, 20 working days, skipping 清明 (4-6 April 2026).
        due = _aware(result.publication_due_at).astimezone(BEIJING)
        assert due == datetime(2026, 4, 8, 23, 59, 59, tzinfo=BEIJING)
        assert result.publication_provisional is False


def test_a_deadline_reaching_into_a_year_without_schedule_is_provisional(engine: Engine) -> None:
    with (
        time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=BEIJING), tick=False),
        Session(engine) as session,
        session.begin(),
    ):
        seed_world(session)
        draw_id = run_lifecycle(session).id
    uscc, _ = drawn(engine, draw_id)[0]

    result_id = record(
        engine,
        draw_id,
        uscc,
        "01",
        ended_at=datetime(2026, 12, 15, 17, 0, tzinfo=BEIJING),
        now=datetime(2026, 12, 16, 9, 0, tzinfo=BEIJING),
    )

    with Session(engine) as session:
        result = session.get_one(InspectionResult, result_id)
        assert result.publication_provisional is True
        assert _aware(result.publication_due_at).astimezone(BEIJING).year == 2027
        assert result.problem_found is False


def test_the_health_bureau_records_under_its_own_item(engine: Engine, assigned: int) -> None:
    uscc, _ = drawn(engine, assigned)[1]

    result_id = record(engine, assigned, uscc, "01", actor=service.Actor("zhao.lei", HEALTH))

    with Session(engine) as session:
        result = session.get_one(InspectionResult, result_id)
        assert (result.catalog_code, result.department_code) == ("34010200030000", HEALTH)


def test_a_department_outside_the_draw_may_not_record(engine: Engine, assigned: int) -> None:
    uscc, _ = drawn(engine, assigned)[0]

    with pytest.raises(PermissionDenied):
        record(engine, assigned, uscc, actor=service.Actor("qian.yu", "ZJJ-3401"))

    assert _counts(engine) == (0, 1)  # only the seeded inspection


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("unknown_code", "unknown result code '99'"),
        ("not_drawn", "was not drawn in draw"),
        ("stranger", "not in the entity's assigned team: SCJG0099"),
        ("one_inspector", "at least 2 inspectors; 1 named"),
        ("foreign_item", "99999999999999 is not an item of the plan"),
        ("before_assignment", "before its team was assigned"),
        ("in_the_future", "is in the future"),
    ],
)
def test_a_refused_result_writes_nothing(
    engine: Engine, assigned: int, case: str, message: str
) -> None:
    uscc, _ = drawn(engine, assigned)[0]
    members = sorted(team(engine, assigned, uscc))
    arguments: dict[str, Any] = {
        "unknown_code": {"code": "99"},
        "not_drawn": {"uscc": "91340100MA9999999X"},
        "stranger": {"officers": [members[0], "SCJG0099"]},
        "one_inspector": {"officers": members[:1]},
        "foreign_item": {"catalog_code": "99999999999999"},
        "before_assignment": {"ended_at": datetime(2026, 3, 1, 9, 0, tzinfo=BEIJING)},
        "in_the_future": {"ended_at": datetime(2026, 3, 12, 9, 0, tzinfo=BEIJING)},
    }[case]
    target = arguments.pop("uscc", uscc)

    with pytest.raises(ResultRefused, match=message):
        record(engine, assigned, target, **arguments)

    assert _counts(engine) == (0, 1)


def test_a_second_result_for_the_same_entity_is_refused(engine: Engine, assigned: int) -> None:
    uscc, _ = drawn(engine, assigned)[0]
    record(engine, assigned, uscc)

    with pytest.raises(ResultRefused, match="recorded already"):
        record(engine, assigned, uscc, "01")

    assert _counts(engine) == (1, 2)


def test_results_wait_for_assigned_teams(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        seed_world(session)
        draft = service.create_plan(session, plan(), ACTOR)
        session.flush()
        draft_id = draft.id
    with pytest.raises(ResultRefused, match="is draft: results follow assigned teams"):
        record(engine, draft_id, "91340100MA0000001X", now=AS_OF)


def test_every_result_is_in_the_audit_chain(engine: Engine, assigned: int) -> None:
    for uscc, _ in drawn(engine, assigned)[:3]:
        record(engine, assigned, uscc)

    with Session(engine) as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "inspection_result.record")
        ).all()
        assert len(entries) == 3
        assert {entry.details["result_code"] for entry in entries} == {"02"}
        assert all(entry.details["publication_due"] == "2026-04-08" for entry in entries)
        assert verify(session, default_anchor()).ok


def _counts(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        results = session.scalar(select(func.count()).select_from(InspectionResult))
        inspections = session.scalar(select(func.count()).select_from(Inspection))
        return results or 0, inspections or 0


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
