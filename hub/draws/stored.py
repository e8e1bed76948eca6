"""A draw's frozen lists and results in the store, written and read back in hashed order.

Rows carry their position (candidates, pool) or rank (picks), so reading them back never
depends on the engine's row order or collation: SQLite and PostgreSQL return the same lists.
Writes go in chunks of plain INSERTs, fast enough for millions of candidates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from hub.draws.algorithm import Candidate
from hub.draws.assignment import Inspector
from hub.store.models.draws import DrawAssignment, DrawCandidate, DrawInspector, DrawPick

CHUNK = 10_000


def _insert(session: Session, model: type[Any], rows: Iterable[dict[str, Any]]) -> None:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            session.execute(insert(model), chunk)
            chunk = []
    if chunk:
        session.execute(insert(model), chunk)


def save_candidates(
    session: Session, draw_id: int, strata: Mapping[str, Sequence[Candidate]]
) -> None:
    _insert(
        session,
        DrawCandidate,
        (
            {
                "draw_id": draw_id,
                "stratum": stratum,
                "position": position,
                "entity_uscc": candidate.id,
                "weight": candidate.weight,
            }
            for stratum, members in strata.items()
            for position, candidate in enumerate(members)
        ),
    )


def load_candidates(
    session: Session, draw_id: int, strata: Iterable[str]
) -> dict[str, list[Candidate]]:
    """Each stratum's candidates in hashed order; ``strata`` lists those committed to."""
    loaded: dict[str, list[Candidate]] = {stratum: [] for stratum in strata}
    rows = session.execute(
        select(DrawCandidate.stratum, DrawCandidate.entity_uscc, DrawCandidate.weight)
        .where(DrawCandidate.draw_id == draw_id)
        .order_by(DrawCandidate.stratum, DrawCandidate.position)
    )
    for stratum, uscc, weight in rows:
        loaded.setdefault(stratum, []).append(Candidate(uscc, weight))
    return loaded


def save_pool(session: Session, draw_id: int, pool: Sequence[Inspector]) -> None:
    _insert(
        session,
        DrawInspector,
        (
            {
                "draw_id": draw_id,
                "position": position,
                "certificate_number": inspector.id,
                "department_code": inspector.department,
                "qualifications": sorted(inspector.qualifications),
                "load": inspector.load,
                "avoid": sorted(inspector.avoid),
            }
            for position, inspector in enumerate(pool)
        ),
    )


def load_pool(session: Session, draw_id: int) -> list[Inspector]:
    rows = session.scalars(
        select(DrawInspector)
        .where(DrawInspector.draw_id == draw_id)
        .order_by(DrawInspector.position)
    )
    return [inspector_of(row) for row in rows]


def inspector_of(row: DrawInspector) -> Inspector:
    """A stored pool row as the pool entry it was hashed as."""
    return Inspector(
        id=row.certificate_number,
        department=row.department_code,
        qualifications=frozenset(row.qualifications),
        load=row.load,
        avoid=frozenset(row.avoid),
    )


def save_picks(session: Session, draw_id: int, picks: Mapping[str, Sequence[str]]) -> None:
    _insert(
        session,
        DrawPick,
        (
            {"draw_id": draw_id, "stratum": stratum, "rank": rank, "entity_uscc": uscc}
            for stratum, ranked in picks.items()
            for rank, uscc in enumerate(ranked, start=1)
        ),
    )


def load_picks(session: Session, draw_id: int) -> dict[str, list[str]]:
    picks: dict[str, list[str]] = {}
    rows = session.execute(
        select(DrawPick.stratum, DrawPick.entity_uscc)
        .where(DrawPick.draw_id == draw_id)
        .order_by(DrawPick.stratum, DrawPick.rank)
    )
    for stratum, uscc in rows:
        picks.setdefault(stratum, []).append(uscc)
    return picks


def save_teams(
    session: Session,
    draw_id: int,
    teams: Mapping[str, Sequence[str]],
    departments: Mapping[str, str],
) -> None:
    _insert(
        session,
        DrawAssignment,
        (
            {
                "draw_id": draw_id,
                "entity_uscc": uscc,
                "certificate_number": inspector,
                "department_code": departments[inspector],
            }
            for uscc, team in teams.items()
            for inspector in team
        ),
    )


def load_teams(session: Session, draw_id: int) -> dict[str, list[str]]:
    """Each drawn entity's team, inspector ids sorted (by code point, in Python)."""
    teams: dict[str, list[str]] = {}
    rows = session.execute(
        select(DrawAssignment.entity_uscc, DrawAssignment.certificate_number).where(
            DrawAssignment.draw_id == draw_id
        )
    )
    for uscc, inspector in rows:
        teams.setdefault(uscc, []).append(inspector)
    return {uscc: sorted(team) for uscc, team in sorted(teams.items())}
