"""Case statistics: volumes, on-time rates and satisfaction, by department, region or category.

- **volume**: cases received in the period; **open** of them, and **overdue** (open and past
  the current state's time limit) at ``now``;
- **on-time rate**: of the cases answered (the ``answer`` transition), the share answered
  within the handling state's time limit (``WorkflowTransition.on_time``);
- **satisfaction rate**: of the cases visited back (回访), the share satisfied or basically
  satisfied.

Grouped by the department holding the case (the last one it was dispatched to), its city
(the first four digits of the region code), or its category. Counted in SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, Label, and_, case, func, select
from sqlalchemy.orm import Session

from hub.cases.handling import SUBJECT, WORKFLOW
from hub.store.models.cases import Case
from hub.store.models.workflow import WorkflowInstance, WorkflowTransition
from hub.workflow.timing import utc

GroupBy = Literal["department", "region", "category"]
SATISFIED = ("satisfied", "basically_satisfied")


@dataclass(frozen=True)
class CaseTally:
    group: str
    cases: int
    open: int
    overdue: int
    answered: int
    answered_on_time: int
    visited: int
    satisfied: int

    @property
    def on_time_rate(self) -> float | None:
        return round(self.answered_on_time / self.answered, 4) if self.answered else None

    @property
    def satisfaction_rate(self) -> float | None:
        return round(self.satisfied / self.visited, 4) if self.visited else None


def _group_column(by: GroupBy) -> Label[str | None]:
    """The grouping column, labelled ``grp``."""
    if by == "department":
        return WorkflowInstance.department_code.label("grp")
    if by == "region":
        return func.substr(Case.region_code, 1, 4).label("grp")
    return Case.category_code.label("grp")


def case_statistics(
    session: Session,
    *,
    by: GroupBy,
    scope: Sequence[ColumnElement[bool]] = (),
    since: datetime | None = None,
    until: datetime | None = None,
    now: datetime | None = None,
) -> list[CaseTally]:
    """One tally per group (``"-"`` for none), largest first; ``scope`` restricts the cases."""
    moment = utc(now)
    group = _group_column(by)
    joined = and_(
        WorkflowInstance.subject_type == SUBJECT,
        WorkflowInstance.subject_id == Case.id,
        WorkflowInstance.workflow == WORKFLOW,
    )
    filters: list[ColumnElement[bool]] = list(scope)
    if since is not None:
        filters.append(Case.received_at >= utc(since))
    if until is not None:
        filters.append(Case.received_at < utc(until))
    volumes = session.execute(
        select(
            group,
            func.count(),
            func.sum(case((WorkflowInstance.terminal.is_(False), 1), else_=0)),
            func.sum(
                case(
                    (
                        and_(
                            WorkflowInstance.terminal.is_(False), WorkflowInstance.due_at < moment
                        ),
                        1,
                    ),
                    else_=0,
                )
            ),
            func.count(Case.satisfaction),
            func.sum(case((Case.satisfaction.in_(SATISFIED), 1), else_=0)),
        )
        .select_from(Case)
        .join(WorkflowInstance, joined)
        .where(*filters)
        .group_by(group)
    ).all()
    answered = {
        row[0]: (int(row[1]), int(row[2] or 0))
        for row in session.execute(
            select(
                group,
                func.count(func.distinct(WorkflowTransition.instance_id)),
                func.count(
                    func.distinct(
                        case((WorkflowTransition.on_time.is_(True), WorkflowTransition.instance_id))
                    )
                ),
            )
            .select_from(Case)
            .join(WorkflowInstance, joined)
            .join(WorkflowTransition, WorkflowTransition.instance_id == WorkflowInstance.id)
            .where(WorkflowTransition.transition == "answer", *filters)
            .group_by(group)
        )
    }
    tallies = [
        CaseTally(
            group=row[0] or "-",
            cases=int(row[1]),
            open=int(row[2] or 0),
            overdue=int(row[3] or 0),
            answered=answered.get(row[0], (0, 0))[0],
            answered_on_time=answered.get(row[0], (0, 0))[1],
            visited=int(row[4] or 0),
            satisfied=int(row[5] or 0),
        )
        for row in volumes
    ]
    return sorted(tallies, key=lambda tally: (-tally.cases, tally.group))


def total(tallies: Sequence[CaseTally]) -> CaseTally:
    """The tallies summed into one (group ``all``)."""
    return CaseTally(
        group="all",
        cases=sum(t.cases for t in tallies),
        open=sum(t.open for t in tallies),
        overdue=sum(t.overdue for t in tallies),
        answered=sum(t.answered for t in tallies),
        answered_on_time=sum(t.answered_on_time for t in tallies),
        visited=sum(t.visited for t in tallies),
        satisfied=sum(t.satisfied for t in tallies),
    )


@dataclass(frozen=True)
class RoutingRow:
    """How many cases a rule sent to how many departments of a line (rule ``-``: dispatched
    by hand; line ``-``: in triage, the rule naming the reason's kind)."""

    rule: str
    line: str
    departments: int
    cases: int


def routing_table(session: Session) -> list[RoutingRow]:
    """Cases by routing rule and department line; triage by reason; largest first."""
    joined = and_(
        WorkflowInstance.subject_type == SUBJECT,
        WorkflowInstance.subject_id == Case.id,
        WorkflowInstance.workflow == WORKFLOW,
    )
    rows = session.execute(
        select(
            Case.routing_rule,
            WorkflowInstance.department_code,
            WorkflowInstance.state,
            Case.triage_reason,
        )
        .select_from(Case)
        .join(WorkflowInstance, joined)
    ).all()
    cases: dict[tuple[str, str], int] = {}
    departments: dict[tuple[str, str], set[str]] = {}
    for rule, department_code, state, reason in rows:
        if state == "triage":
            key = (f"triage: {(reason or 'unknown').partition(':')[0]}", "-")
        else:
            key = (rule or "-", (department_code or "-").partition("-")[0])
        cases[key] = cases.get(key, 0) + 1
        if department_code and state != "triage":
            departments.setdefault(key, set()).add(department_code)
    return sorted(
        (
            RoutingRow(rule, line, len(departments.get((rule, line), ())), count)
            for (rule, line), count in cases.items()
        ),
        key=lambda row: (-row.cases, row.rule, row.line),
    )
