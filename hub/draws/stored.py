"""A draw's frozen lists and results in the store, written and read back in hashed order.

Rows carry their position (candidates, pool) or rank (picks), so reading them back never
depends on the engine's row order or collation: SQLite and PostgreSQL return the same lists.
Candidate lists are written as they stream in, hashed on the way (``CandidateListDigest``),
in chunks: COPY on PostgreSQL, executemany on SQLite; millions of candidates never sit in
memory.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from hub.draws.algorithm import Candidate, CandidateListDigest
from hub.draws.assignment import Inspector
from hub.store.models.draws import Draw, DrawAssignment, DrawCandidate, DrawInspector, DrawPick

CHUNK = 10_000
CANDIDATE_CHUNK = 50_000
READ_ROWS = 20_000
POSITIONS_PER_QUERY = 5_000
_CANDIDATE_COLUMNS = (
    "draw_id",
    "stratum",
    "position",
    "entity_uscc",
    "weight",
    "cumulative_weight",
)
_CandidateRow = tuple[int, str, int, str, int, int]


def _insert(session: Session, model: type[Any], rows: Iterable[dict[str, Any]]) -> None:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            session.execute(insert(model), chunk)
            chunk = []
    if chunk:
        session.execute(insert(model), chunk)


@dataclass
class FrozenStratum:
    """What freezing wrote for one stratum: how many candidates, their total weight (the
    last cumulative weight) and their list's digest."""

    digest: CandidateListDigest = field(default_factory=CandidateListDigest)
    total_weight: int = 0

    @property
    def count(self) -> int:
        return self.digest.count


def _write_rows(
    session: Session, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Append ``rows`` to ``table``: COPY on PostgreSQL, the driver's executemany elsewhere
    (both far cheaper per row than the ORM's bulk insert)."""
    connection = session.connection()
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        with (
            connection.connection.cursor() as cursor,  # type: ignore[attr-defined]
            cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join("?" for _ in columns)
    connection.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)


def save_candidates(
    session: Session,
    draw_id: int,
    strata: Iterable[str],
    candidates: Iterable[tuple[str, Candidate]],
) -> dict[str, FrozenStratum]:
    """Store ``(stratum, candidate)`` pairs as they come (each stratum's in id order), with
    their cumulative weights, and hash each stratum's list on the way; every stratum of
    ``strata`` is in the answer."""
    frozen = {stratum: FrozenStratum() for stratum in strata}
    chunk: list[_CandidateRow] = []
    for stratum, candidate in candidates:
        listed = frozen[stratum]
        position = listed.count
        listed.digest.add(candidate)
        listed.total_weight += candidate.weight
        chunk.append(
            (draw_id, stratum, position, candidate.id, candidate.weight, listed.total_weight)
        )
        if len(chunk) == CANDIDATE_CHUNK:
            _write_rows(session, "draw_candidates", _CANDIDATE_COLUMNS, chunk)
            chunk = []
    if chunk:
        _write_rows(session, "draw_candidates", _CANDIDATE_COLUMNS, chunk)
    return frozen


@dataclass(frozen=True)
class StratumExtent:
    """How many candidates a frozen stratum holds and their total weight."""

    size: int
    total_weight: int


def stratum_extent(session: Session, draw_id: int, stratum: str) -> StratumExtent:
    """A stratum's size and total weight, from its last candidate (position and cumulative
    weight): one probe of the primary key, no scan, even over millions of candidates."""
    last = session.execute(
        select(DrawCandidate.position, DrawCandidate.cumulative_weight)
        .where(DrawCandidate.draw_id == draw_id, DrawCandidate.stratum == stratum)
        .order_by(DrawCandidate.position.desc())
        .limit(1)
    ).first()
    if last is None:
        return StratumExtent(0, 0)
    return StratumExtent(last.position + 1, last.cumulative_weight)


def load_weights(session: Session, draw_id: int, stratum: str) -> array[int]:
    """A stratum's weights by position, in an array of 8-byte integers (40 MB for five
    million candidates, where a list of Python objects would take several times that)."""
    weights = array("q")
    rows = session.connection().execute(
        select(DrawCandidate.weight)
        .where(DrawCandidate.draw_id == draw_id, DrawCandidate.stratum == stratum)
        .order_by(DrawCandidate.position)
        .execution_options(yield_per=READ_ROWS)
    )
    for partition in rows.partitions():
        weights.extend(weight for (weight,) in partition)
    return weights


def entities_at(
    session: Session, draw_id: int, stratum: str, positions: Sequence[int]
) -> list[str]:
    """The USCCs of the candidates at ``positions`` of a stratum's list, in that order."""
    found: dict[int, str] = {}
    for start in range(0, len(positions), POSITIONS_PER_QUERY):
        rows = session.execute(
            select(DrawCandidate.position, DrawCandidate.entity_uscc).where(
                DrawCandidate.draw_id == draw_id,
                DrawCandidate.stratum == stratum,
                DrawCandidate.position.in_(positions[start : start + POSITIONS_PER_QUERY]),
            )
        )
        found.update((position, uscc) for position, uscc in rows)
    return [found[position] for position in positions]


def first_candidate_outside(session: Session, draw_id: int, excluded: Set[str]) -> str | None:
    """Any candidate of the draw not in ``excluded`` (usually the first row read)."""
    rows = session.scalars(
        select(DrawCandidate.entity_uscc)
        .where(DrawCandidate.draw_id == draw_id)
        .execution_options(yield_per=1_000)
    )
    try:
        return next((uscc for uscc in rows if uscc not in excluded), None)
    finally:
        rows.close()


def candidate_counts(session: Session, draw_id: int) -> dict[str, int]:
    """How many candidates each stratum of the draw holds (strata without any: absent)."""
    rows = session.execute(
        select(DrawCandidate.stratum, func.count())
        .where(DrawCandidate.draw_id == draw_id)
        .group_by(DrawCandidate.stratum)
    )
    return {stratum: count for stratum, count in rows}


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
    rows = [
        (draw_id, stratum, rank, uscc)
        for stratum, ranked in picks.items()
        for rank, uscc in enumerate(ranked, start=1)
    ]
    _write_rows(session, "draw_picks", ("draw_id", "stratum", "rank", "entity_uscc"), rows)


def load_picks(session: Session, draw_id: int) -> dict[str, list[str]]:
    """Each committed stratum's picks by rank, a stratum that drew nobody as an empty list
    (as the draw and its re-run list it)."""
    draw_row = session.get(Draw, draw_id)
    committed = sorted(draw_row.candidate_hashes or {}) if draw_row is not None else []
    picks: dict[str, list[str]] = {stratum: [] for stratum in committed}
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
