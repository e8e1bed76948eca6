"""Figures on draws for the work interface: entities drawn per class, inspectors' workload,
problem rate per class and per item.

Every function takes SQL conditions that scope what is counted (``hub.api.deps
.scope_clauses``), so the API answers each caller over what it may see, and a year. Only
draws that have picked (``drawn`` and later) count, as for frequency caps and loads; problem
rates read the recorded results (``inspection_results``, one per inspected entity, whose
``problem_found`` comes from the result category).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from hub.draws.library import COUNTED_STATUSES
from hub.store.models.draws import Draw, DrawAssignment, DrawPick
from hub.store.models.inspection_results import InspectionResult


@dataclass(frozen=True)
class Workload:
    """One inspector's assignments (entities to inspect) in the draws counted."""

    certificate_number: str
    department_code: str
    assignments: int
    draws: int


@dataclass(frozen=True)
class ProblemRate:
    """Of the entities inspected in a group (a class or an item), how many had problems."""

    group: str
    inspected: int
    with_problems: int

    @property
    def rate(self) -> float | None:
        return self.with_problems / self.inspected if self.inspected else None


def _counted(year: int | None, scope: Sequence[ColumnElement[bool]]) -> list[ColumnElement[bool]]:
    conditions = [Draw.status.in_(COUNTED_STATUSES), *scope]
    if year is not None:
        conditions.append(Draw.year == year)
    return conditions


def counted_draws(
    session: Session, *, year: int | None, scope: Sequence[ColumnElement[bool]] = ()
) -> int:
    """How many draws in scope have picked."""
    return session.scalar(select(func.count()).select_from(Draw).where(*_counted(year, scope))) or 0


def drawn_per_class(
    session: Session, *, year: int | None, scope: Sequence[ColumnElement[bool]] = ()
) -> dict[str, int]:
    """Entities drawn per credit class (stratum), over the counted draws in scope."""
    rows = session.execute(
        select(DrawPick.stratum, func.count())
        .join(Draw, Draw.id == DrawPick.draw_id)
        .where(*_counted(year, scope))
        .group_by(DrawPick.stratum)
    )
    return {stratum: count for stratum, count in sorted(rows)}


def workloads(
    session: Session,
    *,
    year: int | None,
    scope: Sequence[ColumnElement[bool]] = (),
    certificate_number: str | None = None,
) -> list[Workload]:
    """Each assigned inspector's workload, heaviest first (then by certificate number)."""
    conditions = _counted(year, scope)
    if certificate_number is not None:
        conditions.append(DrawAssignment.certificate_number == certificate_number)
    rows = session.execute(
        select(
            DrawAssignment.certificate_number,
            DrawAssignment.department_code,
            func.count(),
            func.count(func.distinct(DrawAssignment.draw_id)),
        )
        .join(Draw, Draw.id == DrawAssignment.draw_id)
        .where(*conditions)
        .group_by(DrawAssignment.certificate_number, DrawAssignment.department_code)
    )
    found = [Workload(*row) for row in rows]
    return sorted(found, key=lambda load: (-load.assignments, load.certificate_number))


def problem_rates(
    session: Session,
    *,
    by: Literal["stratum", "catalog_code"],
    year: int | None,
    scope: Sequence[ColumnElement[bool]] = (),
) -> list[ProblemRate]:
    """Problem rate per credit class (``stratum``) or per catalog item, over the recorded
    results in scope (``scope`` may use ``Draw`` and ``InspectionResult`` columns)."""
    group = InspectionResult.stratum if by == "stratum" else InspectionResult.catalog_code
    conditions = list(scope)
    if year is not None:
        conditions.append(Draw.year == year)
    rows = session.execute(
        select(
            group,
            func.count(),
            func.sum(case((InspectionResult.problem_found.is_(True), 1), else_=0)),
        )
        .join(Draw, Draw.id == InspectionResult.draw_id)
        .where(*conditions)
        .group_by(group)
    )
    return sorted(
        (ProblemRate(name, inspected, int(problems or 0)) for name, inspected, problems in rows),
        key=lambda rate: rate.group,
    )
