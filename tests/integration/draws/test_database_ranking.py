"""The store draws exactly what ``algorithm.pick`` draws from the list in memory, on every
engine (README: "Drawing in a database"): the first round by index probes on the stored
cumulative weights (one query per batch on PostgreSQL, one probe per ticket on SQLite),
later rounds and dense draws over the weights read into memory."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hub.draws import service, stored
from hub.draws.algorithm import Candidate, draw_key, pick, quota
from hub.draws.ranking import SPARSE, pick_stored
from hub.store.models.draws import DrawCandidate
from tests.draws_support import ACTOR, AS_OF, plan, seed_world


@pytest.mark.parametrize("public_value", ["2026-001: 3 1 4", "另一期: 9 2 6", "x"])
def test_the_store_picks_exactly_what_python_picks(engine: Engine, public_value: str) -> None:
    with Session(engine) as session:
        seed_world(session)
        draw = service.create_plan(session, plan(), ACTOR)
        service.freeze(session, draw.id, ACTOR, as_of=AS_OF)
        key = draw_key(hashlib.sha256(public_value.encode()).digest(), public_value)
        strata = stored.load_candidates(session, draw.id, draw.candidate_hashes or {})
        assert {c.weight for members in strata.values() for c in members} > {1}
        for stratum, members in strata.items():
            size = len(members)
            counts = {quota(draw.plan, stratum, size), 1, size // SPARSE, size, size + 3}
            for count in counts:
                expected = pick(key, stratum, members, count)
                assert pick_stored(session, draw.id, stratum, key, count) == expected


def _store(session: Session, members: list[Candidate]) -> int:
    draw = service.create_plan(session, plan(), ACTOR)
    stored.save_candidates(session, draw.id, ["A"], (("A", member) for member in members))
    session.flush()
    return draw.id


def test_the_stored_cumulative_weights_are_the_running_sums(engine: Engine) -> None:
    members = [Candidate("E1", 3), Candidate("E2"), Candidate("E3", 5)]
    with Session(engine) as session:
        draw_id = _store(session, members)
        rows = session.query(DrawCandidate.position, DrawCandidate.cumulative_weight).filter(
            DrawCandidate.draw_id == draw_id
        )
        assert sorted(rows.all()) == [(0, 3), (1, 4), (2, 9)]
        extent = stored.stratum_extent(session, draw_id, "A")
        assert (extent.size, extent.total_weight) == (3, 9)
        empty = stored.stratum_extent(session, draw_id, "B")
        assert (empty.size, empty.total_weight) == (0, 0)


def test_a_heavy_candidate_starts_a_new_round_and_the_store_follows(engine: Engine) -> None:
    """One candidate of weight 200 among 39 of weight 1: once it is picked, the picked
    weight exceeds half the stratum's, so the draw goes on in a new round over the others,
    read from the store; the first round ran on the index (the quota is sparse)."""
    members = [Candidate("E00", 200), *(Candidate(f"E{n:02d}") for n in range(1, 40))]
    with Session(engine) as session:
        draw_id = _store(session, members)
        for seed in range(5):
            key = draw_key(bytes([seed]) * 32, "heavy")
            for count in (1, 3, len(members) // SPARSE):
                expected = pick(key, "A", members, count)
                assert pick_stored(session, draw_id, "A", key, count) == expected
            assert "E00" in pick(key, "A", members, len(members) // SPARSE)


def test_a_quota_beyond_the_stratum_draws_everyone_in_the_same_order(engine: Engine) -> None:
    members = [Candidate(f"E{n:02d}", 1 + n % 3) for n in range(12)]
    with Session(engine) as session:
        draw_id = _store(session, members)
        key = draw_key(b"\x07" * 32, "everyone")
        drawn = pick_stored(session, draw_id, "A", key, 50)
        assert drawn == pick(key, "A", members, 50) == pick(key, "A", members, 12)
        assert sorted(drawn) == sorted(member.id for member in members)
        assert pick_stored(session, draw_id, "A", key, 0) == []
