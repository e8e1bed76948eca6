"""Frequency caps: over any sequence of draws, no entity outside an exempt class is drawn
more than K times (property test over the cap rule and the real draw)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.draws.algorithm import Candidate, draw, draw_key
from hub.draws.caps import FrequencyCap
from hub.draws.plan import PlanSpec

STRATA = ("A", "B", "C", "D")
KEY_ITEM = {"code": "34010100010000", "department": "SCJG", "kind": "key"}


@st.composite
def years(draw_from: st.DrawFn) -> tuple[dict[str, list[Candidate]], FrequencyCap, list[Any]]:
    """A world of entities in four strata, a cap, and a year's sequence of draws (key and
    quotas each)."""
    world = {
        stratum: [
            Candidate(f"{stratum}{n:03d}", draw_from(st.integers(1, 4)))
            for n in range(draw_from(st.integers(0, 12)))
        ]
        for stratum in STRATA
    }
    cap = FrequencyCap(
        limit=draw_from(st.integers(1, 3)),
        exempt=frozenset(draw_from(st.sets(st.sampled_from(STRATA), max_size=2))),
    )
    quotas = st.fixed_dictionaries(
        {
            stratum: st.one_of(
                st.builds(lambda c: {"count": c}, st.integers(0, 15)),
                st.sampled_from([{"ratio": "0.5"}, {"ratio": "1"}]),
            )
            for stratum in STRATA
        }
    )
    sequence = draw_from(
        st.lists(st.tuples(st.binary(min_size=32, max_size=32), quotas), min_size=1, max_size=8)
    )
    return world, cap, sequence


@settings(max_examples=200, deadline=None)
@given(years())
def test_no_entity_is_drawn_more_than_k_times_unless_its_class_is_exempt(
    year: tuple[dict[str, list[Candidate]], FrequencyCap, list[Any]],
) -> None:
    world, cap, sequence = year
    times_drawn: Counter[str] = Counter()
    for seed, quotas in sequence:
        candidates = {
            stratum: [c for c in members if cap.admits(stratum, times_drawn[c.id])]
            for stratum, members in world.items()
        }
        plan = {"items": [KEY_ITEM], "quotas": quotas, "general_item_cap": "0.05"}
        picks = draw(draw_key(seed, "public"), plan, candidates)
        times_drawn.update(entity for ranked in picks.values() for entity in ranked)
    for stratum, members in world.items():
        for candidate in members:
            if stratum not in cap.exempt:
                assert times_drawn[candidate.id] <= cap.limit


def test_an_exempt_class_is_drawn_beyond_the_cap() -> None:
    cap = FrequencyCap(limit=1, exempt=frozenset({"D"}))
    assert cap.admits("D", 5) and cap.admits("A", 0) and not cap.admits("A", 1)


def test_the_plan_flags_exempt_classes_in_its_quota_table() -> None:
    spec = PlanSpec.model_validate(
        {
            "name": "cap",
            "year": 2026,
            "department_code": "SCJG",
            "region_code": "340100",
            "items": [KEY_ITEM],
            "frequency_cap": 3,
        }
    )
    assert FrequencyCap.of(spec) == FrequencyCap(limit=3, exempt=frozenset({"D"}))
    assert spec.document()["quotas"]["D"] == {"ratio": "1", "frequency_cap_exempt": True}
    assert spec.document()["quotas"]["A"] == {"ratio": "0.05"}
