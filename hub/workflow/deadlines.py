"""The hourly time-limit check: reminders (催办) before a deadline, escalations (督办) after.

``check_time_limits`` looks at every open instance with a deadline and, per the rules of
:mod:`hub.workflow.timing`, writes a ``WorkflowAlert`` to the holding department (reminder)
or to the workflow's supervisor department (escalation, raising the instance's
``escalation_level``). Each alert is sent once: its row is unique per instance, kind, level
and the instance's version when it entered the state, and inserted with ``ON CONFLICT DO
NOTHING``; only an alert actually inserted is audited and counted. So the check may run
twice, late, or on two workers at once and still send each reminder and escalation once;
a new state (a new version) starts afresh.

Scheduled as ``job__workflow_time_limits`` (``dags/hub_jobs.py``) and run by
``hub cases check-deadlines``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from hub.audit import anchor_after_commit, append, default_anchor
from hub.store.base import utcnow
from hub.store.models.workflow import WorkflowAlert, WorkflowInstance
from hub.workflow.definition import WorkflowDefinition, load_workflow
from hub.workflow.timing import (
    escalation_level_due,
    reminder_due,
    supervisor_department,
    utc,
)

LOOKAHEAD = timedelta(days=20)
"""How far before a deadline instances are looked at: more than any reminder window in
working days can span, the Spring Festival's eight days off included."""

ACTOR = "system:deadlines"


@dataclass
class TimeLimitReport:
    """What one check did: alerts newly sent, per kind, and instances looked at."""

    checked: int = 0
    reminders: int = 0
    escalations: int = 0
    by_workflow: dict[str, int] = field(default_factory=dict)

    def sent(self, kind: str, workflow: str) -> None:
        """Count an alert just sent."""
        if kind == "reminder":
            self.reminders += 1
        else:
            self.escalations += 1
        self.by_workflow[workflow] = self.by_workflow.get(workflow, 0) + 1

    def as_dict(self) -> dict[str, object]:
        return {
            "checked": self.checked,
            "reminders": self.reminders,
            "escalations": self.escalations,
            "by_workflow": dict(sorted(self.by_workflow.items())),
        }


def check_time_limits(
    now: datetime | None = None, engine: Engine | None = None
) -> dict[str, object]:
    """Send the reminders and escalations due at ``now`` (default: the clock); idempotent.

    Takes no argument when run as a job, so it reads the store of ``HUB_DATABASE_URL``.
    """
    from hub.store.engine import get_engine

    moment = utc(now)
    report = TimeLimitReport()
    with Session(engine or get_engine()) as session, session.begin():
        anchor_after_commit(session, default_anchor())
        candidates = session.scalars(
            select(WorkflowInstance)
            .where(
                WorkflowInstance.terminal.is_(False),
                WorkflowInstance.due_at.is_not(None),
                WorkflowInstance.due_at <= moment + LOOKAHEAD,
            )
            .order_by(WorkflowInstance.id)
        ).all()
        for instance in candidates:
            report.checked += 1
            check_instance(session, load_workflow(instance.workflow), instance, moment, report)
    return report.as_dict()


def check_instance(
    session: Session,
    definition: WorkflowDefinition,
    instance: WorkflowInstance,
    now: datetime,
    report: TimeLimitReport,
) -> None:
    """The alerts ``instance`` has become due for at ``now``, each sent at most once."""
    if instance.due_at is None:
        return
    level = escalation_level_due(definition, instance.due_at, now)
    if level:
        supervisor = supervisor_department(definition, instance.region_code)
        for each in range(1, level + 1):
            if _send(session, instance, "escalation", each, supervisor):
                report.sent("escalation", definition.name)
        if instance.escalation_level < level:
            session.execute(
                update(WorkflowInstance)
                .where(
                    WorkflowInstance.id == instance.id, WorkflowInstance.version == instance.version
                )
                .values(escalation_level=level)
                .execution_options(synchronize_session=False)
            )
    elif reminder_due(definition, instance.due_at, now) and _send(
        session,
        instance,
        "reminder",
        1,
        # held by no department (a case in triage): its supervisor is reminded
        instance.department_code or supervisor_department(definition, instance.region_code),
    ):
        report.sent("reminder", definition.name)


def _send(
    session: Session,
    instance: WorkflowInstance,
    kind: str,
    level: int,
    addressee: str | None,
) -> bool:
    """Insert the alert unless it exists; audit it when inserted. True when inserted."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    inserted = session.execute(
        insert(WorkflowAlert)
        .values(
            instance_id=instance.id,
            kind=kind,
            level=level,
            state=instance.state,
            state_version=instance.version,
            department_code=instance.department_code,
            addressee_department=addressee,
            due_at=instance.due_at,
            provisional=instance.provisional,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["instance_id", "kind", "level", "state_version"])
        .returning(WorkflowAlert.id)
    ).scalar_one_or_none()
    if inserted is None:
        return False
    append(
        session,
        actor=ACTOR,
        action=f"workflow.{instance.workflow}.{kind}",
        object_type=instance.subject_type,
        object_id=str(instance.subject_id),
        department_code=addressee,
        details={
            "instance": instance.id,
            "state": instance.state,
            "level": level,
            "holder": instance.department_code,
            "provisional": instance.provisional,
        },
    )
    return True
