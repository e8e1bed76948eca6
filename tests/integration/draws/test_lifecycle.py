"""A draw from plan to teams on the store, on SQLite and PostgreSQL alike.

The world of ``tests.draws_support`` is inserted in shuffled order and the draw's inputs are
fixed, so the commitment, the picks and the teams are constants: the same on both engines
whatever the row order.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.audit import default_anchor
from hub.audit import verify as verify_audit
from hub.draws import library, service, stored
from hub.draws.algorithm import digest
from hub.draws.errors import PlanInvalid, StaffingRefused, TransitionRefused
from hub.draws.verification import verify_draw
from hub.store.models.actions import Licensing
from hub.store.models.audit import AuditEntry
from hub.store.models.draws import DrawCandidate
from tests.draws_support import (
    ACTOR,
    AS_OF,
    MARKET,
    SEED,
    certificate,
    plan,
    run_lifecycle,
    seed_world,
    uscc,
)

COMMITMENT = "9ed3fb19b7b3c3cf04dc80266790da9e56e4c70fa66b50fcba1c48d392297076"
PICKS = "bd6f2a52ca41bb349b4d85eafe1ef2050d3720c2fd01906e211c7bf955c772f4"
TEAMS = "087765472e560e07e538a9af34baae2837c8bf9bf65dd4afe3c0bace1b2b847b"


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        seed_world(session)
        session.commit()
        yield session


def test_the_draw_is_the_same_on_every_engine_and_verifies(session: Session) -> None:
    draw = run_lifecycle(session)
    session.commit()
    assert draw.status == "assigned"
    assert draw.commitment == COMMITMENT
    picks, teams = stored.load_picks(session, draw.id), stored.load_teams(session, draw.id)
    assert (digest(picks), digest(teams)) == (PICKS, TEAMS)
    verification = verify_draw(session, draw.id)
    assert verification.ok, verification.checks
    assert (verification.picks, verification.teams) == (picks, teams)


def test_every_step_is_in_the_audit_log_and_the_chain_holds(session: Session) -> None:
    draw = run_lifecycle(session)
    session.commit()
    actions = session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.object_type == "draw", AuditEntry.object_id == str(draw.id))
        .order_by(AuditEntry.seq)
    ).all()
    assert actions == [
        "draw.plan_create",
        "draw.freeze",
        "draw.commit",
        "draw.public_value",
        "draw.draw",
        "draw.reveal",
        "draw.assign",
    ]
    assert verify_audit(session, default_anchor()).ok


def test_the_libraries_give_classes_weights_conflicts_and_leave_out_the_ineligible(
    session: Session,
) -> None:
    draw = service.create_plan(session, plan(), ACTOR)
    service.freeze(session, draw.id, ACTOR, as_of=AS_OF)
    strata = stored.load_candidates(session, draw.id, draw.candidate_hashes or {})
    weights = {c.id: (name, c.weight) for name, members in strata.items() for c in members}
    assert uscc(17) not in weights  # deregistered
    assert weights[uscc(1)] == ("B", 1)  # the later class wins over an older A
    assert weights[uscc(10)] == ("B", 2)  # no class: B; a complaint doubles
    assert weights[uscc(35)] == ("D", 6)  # complaint ×2, abnormal list ×3
    assert weights[uscc(55)] == ("D", 2 * 4)  # complaint ×2, serious violation ×4
    pool = {inspector.id: inspector for inspector in stored.load_pool(session, draw.id)}
    assert certificate(MARKET, 99) not in pool  # inactive
    assert pool[certificate(MARKET, 1)].avoid == {uscc(3)}  # declared interest
    assert pool[certificate(MARKET, 2)].avoid == {uscc(7)}  # inspected it 40 days ago


def test_teams_never_include_conflicted_or_unqualified_inspectors(session: Session) -> None:
    document = plan(
        quotas={"A": {"ratio": "1"}, "B": {"ratio": "1"}, "C": {"ratio": "1"}, "D": {"ratio": "1"}}
    )
    draw = run_lifecycle(session, document)
    teams = stored.load_teams(session, draw.id)
    assert len(teams) == 75  # every active entity, each once (进一次门)
    assert certificate(MARKET, 1) not in teams[uscc(3)]
    assert not {certificate(MARKET, 2), certificate(MARKET, 3)} & set(teams[uscc(7)])
    everyone = {name for team in teams.values() for name in team}
    assert certificate(MARKET, 0) not in everyone  # lacks food_safety
    assert all(len(team) == 2 for team in teams.values())


def capped_plan(**overrides: Any) -> dict[str, Any]:
    """The support plan with a cap of one draw a year, class D flagged as exempt."""
    quotas = plan()["quotas"]
    quotas["D"] = {**quotas["D"], "frequency_cap_exempt": True}
    return plan(frequency_cap=1, quotas=quotas, **overrides)


def test_the_frequency_cap_leaves_out_entities_drawn_k_times_this_year(session: Session) -> None:
    first = run_lifecycle(session, capped_plan())
    drawn = {u for ranked in stored.load_picks(session, first.id).values() for u in ranked}
    second = service.create_plan(session, capped_plan(name="第二批"), ACTOR)
    service.freeze(session, second.id, ACTOR, as_of=AS_OF)
    strata = stored.load_candidates(session, second.id, second.candidate_hashes or {})
    again = {name: drawn & {c.id for c in members} for name, members in strata.items()}
    assert again["D"] and not again["A"] | again["B"] | again["C"]  # D is exempt
    picks = stored.load_picks(session, first.id)
    assert service.left_out_by_cap(session, second.id) == {
        "A": len(picks["A"]),
        "B": len(picks["B"]),
        "C": len(picks["C"]),
        "D": 0,
    }
    assert service.left_out_by_cap(session, first.id) == {"A": 0, "B": 0, "C": 0, "D": 0}


def test_a_draw_of_another_year_does_not_count_towards_the_cap(session: Session) -> None:
    run_lifecycle(session, capped_plan())
    later = service.create_plan(session, capped_plan(year=2027), ACTOR)
    service.freeze(session, later.id, ACTOR, as_of=AS_OF)
    assert set(service.left_out_by_cap(session, later.id).values()) == {0}


def test_the_licensed_items_filter_keeps_holders_of_a_granted_licence_in_force(
    session: Session,
) -> None:
    food_licence = "34010300010000"
    session.add_all(
        [
            _licence("XK-1", uscc(11), food_licence, "granted"),
            _licence("XK-2", uscc(12), food_licence, "refused"),
            _licence("XK-3", uscc(13), food_licence, "granted", valid_until=date(2026, 1, 1)),
            _licence("XK-4", uscc(14), "34010300020000", "granted"),
            _licence("XK-5", uscc(15), food_licence, "granted", valid_from=date(2026, 6, 1)),
            _licence("XK-6", uscc(16), food_licence, "granted", valid_until=date(2026, 12, 31)),
        ]
    )
    session.flush()
    document = plan(entity_filter={"licensed_items": [food_licence]})
    draw = service.create_plan(session, document, ACTOR)
    service.freeze(session, draw.id, ACTOR, as_of=AS_OF)
    strata = stored.load_candidates(session, draw.id, draw.candidate_hashes or {})
    assert {c.id for members in strata.values() for c in members} == {uscc(11), uscc(16)}


def test_a_licensed_item_must_be_a_catalog_code(session: Session) -> None:
    with pytest.raises(PlanInvalid, match="licensed_items"):
        service.create_plan(session, plan(entity_filter={"licensed_items": ["食品经营"]}), ACTOR)


def _licence(
    number: str,
    entity: str,
    item: str,
    decision: str,
    *,
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> Licensing:
    return Licensing(
        action_number=number,
        department_code=MARKET,
        entity_uscc=entity,
        catalog_code=item,
        decision=decision,
        valid_from=valid_from,
        valid_until=valid_until,
        content_hash="x",
    )


def test_steps_out_of_order_are_refused(session: Session) -> None:
    draw = service.create_plan(session, plan(), ACTOR)
    with pytest.raises(TransitionRefused, match="it is draft"):
        service.commit(session, draw.id, ACTOR)
    service.freeze(session, draw.id, ACTOR, as_of=AS_OF)
    with pytest.raises(TransitionRefused):
        service.update_plan(session, draw.id, plan(name="changed"), ACTOR)
    with pytest.raises(TransitionRefused):
        service.enter_public_value(session, draw.id, "1 2 3", "lottery", ACTOR)
    service.commit(session, draw.id, ACTOR, seed=SEED)
    with pytest.raises(TransitionRefused):
        service.run_draw(session, draw.id, ACTOR)
    with pytest.raises(TransitionRefused, match="verified once its seed is revealed"):
        verify_draw(session, draw.id)


def test_the_seed_is_secret_until_revealed(session: Session) -> None:
    draw = service.create_plan(session, plan(), ACTOR)
    service.freeze(session, draw.id, ACTOR, as_of=AS_OF)
    service.commit(session, draw.id, ACTOR)
    session.commit()
    assert draw.seed is None and draw.sealed_seed is not None
    raw = session.connection().exec_driver_sql("SELECT sealed_seed FROM draws").scalar()
    assert draw.sealed_seed.encode() not in bytes(raw)  # sealed at rest


def test_a_plan_is_checked_with_every_problem_named(session: Session) -> None:
    with pytest.raises(PlanInvalid) as refused:
        service.create_plan(
            session,
            plan(quotas={"A": {"ratio": "1.5"}}, inspectors_per_entity=1, items=[]),
            ACTOR,
        )
    message = str(refused.value)
    assert "items" in message and "inspectors_per_entity" in message and "ratio" in message


def test_a_draw_that_could_not_be_staffed_is_not_frozen(session: Session) -> None:
    document = plan()
    document["items"][0]["qualification"] = "special_equipment"  # nobody holds it
    draw = service.create_plan(session, document, ACTOR)
    with pytest.raises(StaffingRefused, match="SCJG-3401"):
        service.freeze(session, draw.id, ACTOR, as_of=AS_OF)
    session.rollback()
    assert session.scalar(select(DrawCandidate.draw_id).limit(1)) is None


def test_the_streamed_freeze_writes_while_it_reads_and_gives_the_same_draw(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tiny fetch and write chunks make freezing interleave reading the entity library with
    writing candidates on one connection, as it does with millions of entities."""
    monkeypatch.setattr(library, "STREAM_ROWS", 3)
    monkeypatch.setattr(stored, "CANDIDATE_CHUNK", 7)
    monkeypatch.setattr(stored, "READ_ROWS", 5)
    draw = run_lifecycle(session)
    assert draw.commitment == COMMITMENT
    assert digest(stored.load_picks(session, draw.id)) == PICKS
