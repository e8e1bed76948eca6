"""Changing anything a draw was decided from breaks its verification.

Each test forges one thing in the store after the draw, the way someone with write access
to the database could, and checks which checks fail. The strongest forger also recomputes
the stored digests and the commitment on the draw row: the commitment published in the
audit log still gives it away.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from hub.draws import stored
from hub.draws.algorithm import candidate_digest, commitment, plan_digest, seed_digest
from hub.draws.verification import verify_draw
from hub.store.models.draws import Draw, DrawAssignment, DrawCandidate, DrawPick
from tests.draws_support import run_lifecycle, seed_world


@pytest.fixture
def draw_id(engine: Engine) -> Iterator[int]:
    with Session(engine) as session:
        seed_world(session)
        identifier = run_lifecycle(session).id
        session.commit()
    yield identifier


def failed(engine: Engine, draw_id: int) -> set[str]:
    with Session(engine) as session:
        return {c.name for c in verify_draw(session, draw_id).checks if not c.passed}


def test_an_untouched_draw_holds(engine: Engine, draw_id: int) -> None:
    assert failed(engine, draw_id) == set()


def test_a_changed_candidate_breaks_it(engine: Engine, draw_id: int) -> None:
    with Session(engine) as session, session.begin():
        session.execute(
            update(DrawCandidate)
            .where(DrawCandidate.stratum == "C", DrawCandidate.position == 0)
            .values(entity_uscc="91340100MA9999999X")
        )
    assert {"candidates C", "commitment"} <= failed(engine, draw_id)


def test_a_changed_weight_breaks_it(engine: Engine, draw_id: int) -> None:
    with Session(engine) as session, session.begin():
        session.execute(
            update(DrawCandidate)
            .where(DrawCandidate.stratum == "B", DrawCandidate.position == 3)
            .values(weight=50)
        )
    assert {"candidates B", "commitment"} <= failed(engine, draw_id)


def test_a_changed_plan_breaks_it(engine: Engine, draw_id: int) -> None:
    with Session(engine) as session, session.begin():
        draw = session.get_one(Draw, draw_id)
        draw.plan = {**draw.plan, "quotas": {**draw.plan["quotas"], "A": {"ratio": "0.5"}}}
    assert {"plan", "commitment", "picks", "teams"} <= failed(engine, draw_id)


def test_a_changed_seed_breaks_it(engine: Engine, draw_id: int) -> None:
    other = "ab" * 32
    with Session(engine) as session, session.begin():
        session.get_one(Draw, draw_id).seed = other
    assert {"seed", "commitment", "picks", "teams"} <= failed(engine, draw_id)


def test_a_changed_seed_with_its_digest_recomputed_still_breaks_it(
    engine: Engine, draw_id: int
) -> None:
    other = bytes.fromhex("ab" * 32)
    with Session(engine) as session, session.begin():
        draw = session.get_one(Draw, draw_id)
        draw.seed, draw.seed_hash = other.hex(), seed_digest(other)
    assert {"commitment", "picks", "teams"} <= failed(engine, draw_id)


def test_a_changed_public_value_breaks_it(engine: Engine, draw_id: int) -> None:
    with Session(engine) as session, session.begin():
        session.get_one(Draw, draw_id).public_value = "福彩3D 2026056: 4 1 8"
    assert {"public value", "picks", "teams"} <= failed(engine, draw_id)


def test_a_forger_who_recomputes_every_stored_digest_is_still_caught(
    engine: Engine, draw_id: int
) -> None:
    with Session(engine) as session, session.begin():
        session.execute(
            update(DrawCandidate)
            .where(DrawCandidate.stratum == "A", DrawCandidate.position == 0)
            .values(weight=99)
        )
        draw = session.get_one(Draw, draw_id)
        strata = stored.load_candidates(session, draw_id, draw.candidate_hashes or {})
        hashes = {name: candidate_digest(members) for name, members in strata.items()}
        draw.candidate_hashes = hashes
        draw.commitment = commitment(
            plan=plan_digest(draw.plan),
            candidates=hashes,
            inspectors=draw.inspector_hash or "",
            seed=draw.seed_hash or "",
        )
    problems = failed(engine, draw_id)
    assert "commitment" in problems and "candidates A" not in problems


def test_a_changed_pick_or_team_member_breaks_it(engine: Engine, draw_id: int) -> None:
    with Session(engine) as session, session.begin():
        session.execute(
            update(DrawPick)
            .where(DrawPick.stratum == "A", DrawPick.rank == 1)
            .values(entity_uscc="91340100MA9999999X")
        )
    assert failed(engine, draw_id) == {"picks"}
    with Session(engine) as session, session.begin():
        member = session.scalars(
            select(DrawAssignment).where(DrawAssignment.draw_id == draw_id).limit(1)
        ).one()
        member.certificate_number = "SCJG9999"
    assert failed(engine, draw_id) == {"picks", "teams"}
