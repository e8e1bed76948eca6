"""The hourly time-limit check: each reminder and escalation once, however often it runs."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hub.store.models.audit import AuditEntry
from hub.store.models.workflow import WorkflowAlert, WorkflowInstance
from hub.workflow import Actor, fire, load_workflow, start
from hub.workflow.deadlines import check_time_limits
from hub.workflow.timing import BEIJING

SYSTEM = Actor.system("test")


def _at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=BEIJING)


def _alerts(engine: Engine) -> list[tuple[str, int, str, str | None]]:
    with Session(engine) as session:
        return [
            (a.kind, a.level, a.state, a.addressee_department)
            for a in session.scalars(select(WorkflowAlert).order_by(WorkflowAlert.id))
        ]


def test_reminders_and_escalations_are_sent_once_each(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        instance = start(
            session,
            load_workflow("complaint"),
            "case",
            7,
            actor=SYSTEM,
            attributes={"source": "hotline_12345"},
            region_code="340104",
            now=_at(5, 11),  # Monday; received: 3 working days, due Thursday 14 May
        )
        fire(session, instance, "accept", SYSTEM, now=_at(5, 11))
        fire(
            session,
            instance,
            "assign",
            SYSTEM,
            fields={"department_code": "SCJG-340104"},
            now=_at(5, 11),  # assigned: 1 working day, due Tuesday 12 May
        )
        instance_id = instance.id

    first = check_time_limits(now=_at(5, 11, 12), engine=engine)
    again = check_time_limits(now=_at(5, 12, 11), engine=engine)
    assert (first["reminders"], again["reminders"]) == (1, 0)
    assert _alerts(engine) == [("reminder", 1, "assigned", "SCJG-340104")]

    late = check_time_limits(now=_at(5, 13), engine=engine)
    assert (
        late["escalations"],
        check_time_limits(now=_at(5, 13, 12), engine=engine)["escalations"],
    ) == (1, 0)
    much_later = check_time_limits(now=_at(5, 20), engine=engine)  # 6 working days late
    assert much_later["escalations"] == 1
    assert _alerts(engine)[1:] == [
        ("escalation", 1, "assigned", "SJZY-34"),
        ("escalation", 2, "assigned", "SJZY-34"),
    ]
    with Session(engine) as session:
        stored = session.get(WorkflowInstance, instance_id)
        assert stored is not None and stored.escalation_level == 2
        audited = session.execute(
            select(AuditEntry.action, func.count())
            .where(
                AuditEntry.action.in_(
                    ["workflow.complaint.reminder", "workflow.complaint.escalation"]
                )
            )
            .group_by(AuditEntry.action)
        ).all()
        assert dict(audited) == {
            "workflow.complaint.reminder": 1,
            "workflow.complaint.escalation": 2,
        }

    with Session(engine) as session, session.begin():
        instance = session.get(WorkflowInstance, instance_id)
        assert instance is not None
        fire(
            session,
            instance,
            "start_handling",
            Actor("o", "SCJG-340104", "officer"),
            now=_at(5, 20),
        )
        assert instance.escalation_level == 0  # a new state starts afresh
    check_time_limits(now=_at(5, 20, 12), engine=engine)
    assert len(_alerts(engine)) == 3  # handling is due in 13 working days: nothing yet


def test_run_as_a_job_it_reads_the_clock_and_the_configured_store(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        start(
            session,
            load_workflow("complaint"),
            "case",
            8,
            actor=SYSTEM,
            attributes={},
            region_code="340104",
            now=datetime(2026, 5, 11, 2, tzinfo=UTC),
        )
    # received on Monday 11 May, due Thursday 14 May; Friday 22 May is 5 working days late
    with time_machine.travel(datetime(2026, 5, 22, 2, tzinfo=UTC), tick=False):
        report = check_time_limits()
    assert (report["checked"], report["escalations"]) == (1, 2)
