"""The algorithm's building blocks: canonical bytes, digests, keys, quotas, picks."""

from __future__ import annotations

import hashlib
import hmac
import random
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.draws.algorithm import (
    Candidate,
    CandidateListDigest,
    SuccessiveSampling,
    candidate_digest,
    canonical_json,
    commitment,
    draw,
    draw_key,
    keyed,
    pick,
    quota,
    sample,
)

KEY = draw_key(b"\x01" * 32, "2026-001")
MEMBERS = [Candidate(f"E{n:03d}", 1 + n % 4) for n in range(50)]


def plan(kind: str = "key", **quotas: dict[str, object]) -> dict[str, object]:
    return {
        "items": [{"code": "X", "department": "D", "kind": kind}],
        "quotas": quotas or {"A": {"ratio": "0.05"}},
        "general_item_cap": "0.05",
    }


def test_canonical_json_sorts_keys_keeps_unicode_and_drops_whitespace() -> None:
    assert canonical_json({"b": [1, "抽查"], "a": None, "c": True}) == (
        '{"a":null,"b":[1,"抽查"],"c":true}'.encode()
    )


@pytest.mark.parametrize("value", [0.5, {"ratio": 0.05}, [1, 2.0], {1: "x"}])
def test_canonical_json_refuses_floats_and_non_string_keys(value: object) -> None:
    with pytest.raises(TypeError):
        canonical_json(value)


def test_a_list_digest_does_not_depend_on_input_order() -> None:
    shuffled = MEMBERS[:]
    random.Random(1).shuffle(shuffled)
    assert candidate_digest(shuffled) == candidate_digest(MEMBERS)
    assert candidate_digest(MEMBERS[1:]) != candidate_digest(MEMBERS)
    changed = [Candidate(MEMBERS[0].id, MEMBERS[0].weight + 1), *MEMBERS[1:]]
    assert candidate_digest(changed) != candidate_digest(MEMBERS)


@pytest.mark.parametrize(
    "members",
    [
        [Candidate("E1"), Candidate("E1")],
        [Candidate("E\x1f1")],
        [Candidate("")],
        [Candidate("E1", 0)],
        [Candidate("E1", True)],
    ],
)
def test_malformed_candidate_lists_are_refused(members: list[Candidate]) -> None:
    with pytest.raises(ValueError):
        candidate_digest(members)


def test_the_commitment_moves_with_every_input() -> None:
    base = {"plan": "p", "candidates": {"A": "a"}, "inspectors": "i", "seed": "s"}
    reference = commitment(**base)  # type: ignore[arg-type]
    for name, other in (
        ("plan", "q"),
        ("candidates", {"A": "b"}),
        ("inspectors", "j"),
        ("seed", "t"),
    ):
        assert commitment(**{**base, name: other}) != reference  # type: ignore[arg-type]


def test_the_draw_key_needs_both_the_seed_and_the_public_value() -> None:
    assert draw_key(b"\x01" * 32, "2026-001") != draw_key(b"\x02" * 32, "2026-001")
    assert draw_key(b"\x01" * 32, "2026-001") != draw_key(b"\x01" * 32, "2026-002")
    assert hmac.new(b"\x01" * 32, b"2026-001", hashlib.sha256).digest() == KEY


def test_draw_numbers_are_the_keyed_hash_of_draw_stratum_and_index() -> None:
    sampling = SuccessiveSampling(KEY, "A", 1)
    for index in (1, 2, 10, 12345):
        expected = int.from_bytes(keyed(KEY, "draw", "A", str(index)), "big")
        assert sampling.number(index) == expected


@pytest.mark.parametrize(
    ("rule", "size", "wanted"),
    [
        ({"ratio": "0.05"}, 100, 5),
        ({"ratio": "0.05"}, 101, 6),  # ⌈5.05⌉
        ({"ratio": "0.05"}, 1, 1),
        ({"ratio": "0"}, 100, 0),
        ({"ratio": "1"}, 7, 7),
        ({"count": 3}, 100, 3),
        ({"count": 30}, 7, 7),
    ],
)
def test_a_key_item_plan_draws_its_quota_uncapped(rule: dict, size: int, wanted: int) -> None:
    assert quota(plan(A=rule), "A", size) == wanted


@pytest.mark.parametrize(
    ("rule", "size", "wanted"),
    [
        ({"ratio": "0.2"}, 100, 5),  # capped at ⌊5 %⌋
        ({"ratio": "0.03"}, 100, 3),
        ({"count": 10}, 100, 5),
        ({"ratio": "0.05"}, 19, 0),  # ⌊0.95⌋: never above the cap
    ],
)
def test_a_general_items_only_plan_never_exceeds_the_cap(
    rule: dict, size: int, wanted: int
) -> None:
    assert quota(plan("general", A=rule), "A", size) == wanted


def reference_sample(key: bytes, stratum: str, weights: list[int], count: int) -> list[int]:
    """README's "Picks", one draw number at a time, with lists and no batching."""
    picks: list[int] = []
    index = 0
    count = min(count, len(weights))
    while len(picks) < count:
        members = [p for p in range(len(weights)) if p not in picks]
        total = sum(weights[p] for p in members)
        picked_weight = 0
        while len(picks) < count and 2 * picked_weight <= total:
            index += 1
            number = int.from_bytes(keyed(key, "draw", stratum, str(index)), "big")
            if number >= (2**256 // total) * total:
                continue
            ticket, below = number % total, 0
            for position in members:
                if below <= ticket < below + weights[position]:
                    break
                below += weights[position]
            if position not in picks:
                picks.append(position)
                picked_weight += weights[position]
    return picks


@settings(max_examples=150, deadline=None)
@given(
    weights=st.lists(st.integers(1, 60), min_size=1, max_size=25),
    extra=st.integers(-25, 5),
    salt=st.binary(min_size=1, max_size=8),
)
def test_batched_rounds_draw_what_one_number_at_a_time_draws(
    weights: list[int], extra: int, salt: bytes
) -> None:
    key = draw_key(salt, "property")
    count = max(0, len(weights) + extra)
    picks = sample(key, "S", weights, count)
    assert picks == reference_sample(key, "S", weights, count)
    assert len(picks) == len(set(picks)) == min(count, len(weights))


def test_picks_follow_the_sorted_list_whatever_the_input_order() -> None:
    picks = pick(KEY, "A", MEMBERS, 7)
    shuffled = MEMBERS[:]
    random.Random(2).shuffle(shuffled)
    assert pick(KEY, "A", shuffled, 7) == picks
    weights = [candidate.weight for candidate in MEMBERS]
    assert picks == [MEMBERS[p].id for p in reference_sample(KEY, "A", weights, 7)]
    assert pick(KEY, "A", MEMBERS, 0) == []
    everyone = pick(KEY, "A", MEMBERS, 500)
    assert sorted(everyone) == [candidate.id for candidate in MEMBERS]
    assert everyone[:7] == picks  # more picks only extend the order


def test_a_heavy_candidate_ends_the_round_and_the_next_leaves_it_out() -> None:
    """Weight 1000 among four of weight 1: after it is picked a round over it alone would
    skip nearly every number; the new round draws among the four at once."""
    weights = [1000, 1, 1, 1, 1]
    for salt in range(20):
        key = draw_key(bytes([salt]) * 32, "skewed")
        picks = sample(key, "S", weights, 5)
        assert sorted(picks) == [0, 1, 2, 3, 4]
        sampling = SuccessiveSampling(key, "S", 2)
        sampling.run_round(sum(weights), lambda tickets: [(0, 1000) for _ in tickets])
        assert sampling.picks == [0] and not sampling.done  # the round ended at once


class HighNumbers(SuccessiveSampling):
    """Draw number 1 is 2^256 - 1, which a round of total weight 3 must skip."""

    def number(self, index: int) -> int:
        return 2**256 - 1 if index == 1 else super().number(index)


def test_a_number_in_the_biased_top_range_is_skipped() -> None:
    assert (2**256 - 1) >= (2**256 // 3) * 3  # 2^256 - 1 is a multiple of 3: biased range
    seen: list[int] = []

    def resolve(tickets: Sequence[int]) -> list[tuple[int, int]]:
        seen.extend(tickets)
        return [(ticket, 1) for ticket in tickets]

    sampling = HighNumbers(KEY, "S", 1)
    sampling.run_round(3, resolve)
    assert seen[0] == SuccessiveSampling(KEY, "S", 1).number(2) % 3
    assert sampling.picks == [seen[0]] and sampling.last_number == 2


def test_weights_below_one_are_refused() -> None:
    with pytest.raises(ValueError, match="weights"):
        sample(KEY, "S", [1, 0, 2], 1)


def test_the_stratum_is_part_of_the_ticket() -> None:
    assert pick(KEY, "A", MEMBERS, 5) != pick(KEY, "B", MEMBERS, 5)


def test_a_draw_covers_every_stratum_and_refuses_an_entity_in_two() -> None:
    strata = {"A": MEMBERS[:20], "B": MEMBERS[20:], "C": []}
    document = plan(A={"count": 2}, B={"ratio": "0.1"}, C={"ratio": "0.5"})
    picks = draw(KEY, document, strata)
    assert {name: len(ids) for name, ids in picks.items()} == {"A": 2, "B": 3, "C": 0}
    with pytest.raises(ValueError, match="more than one stratum"):
        draw(KEY, document, {"A": MEMBERS[:20], "B": MEMBERS[19:]})


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.text(min_size=1, max_size=12).filter(lambda text: "\x1f" not in text),
        st.integers(1, 1000),
        max_size=30,
    )
)
def test_the_streamed_list_digest_equals_the_digest_of_the_whole_list(
    weights: dict[str, int],
) -> None:
    candidates = sorted(Candidate(name, weight) for name, weight in weights.items())
    streamed = CandidateListDigest()
    for candidate in candidates:
        streamed.add(candidate)
    assert streamed.hexdigest() == candidate_digest(candidates)
    assert streamed.count == len(candidates)


def test_the_streamed_list_digest_refuses_what_the_list_refuses() -> None:
    streamed = CandidateListDigest()
    streamed.add(Candidate("B"))
    with pytest.raises(ValueError, match="out of order"):
        streamed.add(Candidate("A"))
    with pytest.raises(ValueError, match="twice"):
        streamed.add(Candidate("B"))
    with pytest.raises(ValueError, match="weight"):
        streamed.add(Candidate("C", 0))
