"""Inspector teams: the rules always hold (property tests), and the load stays balanced."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.draws.algorithm import draw_key
from hub.draws.assignment import (
    Inspector,
    StaffingShortfall,
    TeamRule,
    assign,
    shortfalls,
)

KEY = draw_key(b"\x07" * 32, "public")
TAGS = ("food", "drugs", "law")


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[dict[str, Any], list[Inspector], list[str]]:
    """A plan over 1-3 departments, a pool with random qualifications, loads and conflicts,
    and the drawn entities."""
    departments = [f"D{n}" for n in range(draw(st.integers(1, 3)))]
    items = [
        {
            "code": f"ITEM-{department}",
            "department": department,
            "kind": "key",
            "qualification": draw(st.sampled_from((None, *TAGS))),
        }
        for department in departments
    ]
    entities = [f"E{n}" for n in range(draw(st.integers(1, 12)))]
    pool = [
        Inspector(
            id=f"{department}-{n}",
            department=department,
            qualifications=frozenset(draw(st.sets(st.sampled_from(TAGS)))),
            load=draw(st.integers(0, 3)),
            avoid=frozenset(draw(st.sets(st.sampled_from(entities), max_size=3))),
        )
        for department in [*departments, "OTHER"]
        for n in range(draw(st.integers(0, 7)))
    ]
    plan = {
        "items": items,
        "inspectors_per_entity": draw(st.integers(2, 4)),
        "inspectors_per_department": draw(st.integers(1, 2)),
    }
    return plan, pool, entities


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_every_team_keeps_the_rules_or_the_shortfall_is_reported(
    scenario: tuple[dict[str, Any], list[Inspector], list[str]],
) -> None:
    plan, pool, entities = scenario
    rule = TeamRule.from_plan(plan)
    problems = shortfalls(rule, pool, entities)
    try:
        teams = assign(KEY, plan, pool, entities)
    except StaffingShortfall as exc:
        assert exc.entity in {problem.entity for problem in problems}
        return
    assert problems == []
    by_id = {inspector.id: inspector for inspector in pool}
    assert list(teams) == entities
    for entity, team in teams.items():
        members = [by_id[name] for name in team]
        assert len(team) == len(set(team)) == rule.size >= 2
        for department in rule.departments:  # each department involved, enough of it
            assert sum(m.department == department for m in members) >= rule.per_department
        for member in members:
            assert rule.qualified(member)  # a plan department, every qualification needed
            assert entity not in member.avoid  # 回避


@settings(max_examples=100, deadline=None)
@given(scenarios(), st.randoms(use_true_random=False))
def test_teams_do_not_depend_on_the_pool_s_order(
    scenario: tuple[dict[str, Any], list[Inspector], list[str]], rng: random.Random
) -> None:
    plan, pool, entities = scenario
    if shortfalls(TeamRule.from_plan(plan), pool, entities):
        return
    shuffled = pool[:]
    rng.shuffle(shuffled)
    assert assign(KEY, plan, shuffled, entities) == assign(KEY, plan, pool, entities)


@settings(max_examples=100, deadline=None)
@given(st.integers(2, 12), st.integers(1, 40), st.integers(2, 4))
def test_the_load_is_balanced_within_one(inspectors: int, entities: int, size: int) -> None:
    plan = {
        "items": [{"code": "X", "department": "D", "kind": "key", "qualification": None}],
        "inspectors_per_entity": min(size, inspectors),
        "inspectors_per_department": 1,
    }
    pool = [Inspector(f"I{n:02d}", "D") for n in range(inspectors)]
    teams = assign(KEY, plan, pool, [f"E{n}" for n in range(entities)])
    load = Counter(name for team in teams.values() for name in team)
    counts = [load[inspector.id] for inspector in pool]
    assert max(counts) - min(counts) <= 1


def test_the_least_loaded_go_first_and_partners_change() -> None:
    plan = {
        "items": [{"code": "X", "department": "D", "kind": "key"}],
        "inspectors_per_entity": 2,
        "inspectors_per_department": 1,
    }
    pool = [Inspector("busy", "D", load=5), *(Inspector(f"I{n}", "D") for n in range(4))]
    teams = assign(KEY, plan, pool, [f"E{n}" for n in range(6)])
    assert all("busy" not in team for team in teams.values())
    assert len({tuple(team) for team in teams.values()}) > 2


def test_a_joint_plan_sends_one_team_with_each_department() -> None:
    plan = {
        "items": [
            {"code": "X", "department": "SCJG", "kind": "key", "qualification": "food"},
            {"code": "Y", "department": "WSJ", "kind": "general", "qualification": "health"},
        ],
        "inspectors_per_entity": 2,
        "inspectors_per_department": 1,
    }
    pool = [
        Inspector("S1", "SCJG", frozenset({"food"})),
        Inspector("S2", "SCJG", frozenset({"food"}), avoid=frozenset({"E1"})),
        Inspector("S3", "SCJG"),  # unqualified
        Inspector("W1", "WSJ", frozenset({"health"})),
    ]
    teams = assign(KEY, plan, pool, ["E1", "E2"])
    assert teams["E1"] == ["S1", "W1"]
    assert teams["E2"][1] == "W1" and teams["E2"][0] in {"S1", "S2"}
    assert [str(p) for p in shortfalls(TeamRule.from_plan(plan), pool[2:], ["E1"])] == [
        "entity E1: too few eligible inspectors in department SCJG",
        "entity E1: too few eligible inspectors in the plan's departments",
    ]
