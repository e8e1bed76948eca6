"""The algorithm's building blocks: canonical bytes, digests, keys, quotas, picks."""

from __future__ import annotations

import hashlib
import hmac
import random

import pytest

from hub.draws.algorithm import (
    Candidate,
    best_ticket,
    candidate_digest,
    canonical_json,
    commitment,
    draw,
    draw_key,
    hmac_pads,
    keyed,
    pick,
    quota,
    ticket,
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


def test_hmac_from_the_pads_is_what_a_database_computes_with_sha256() -> None:
    inner, outer = hmac_pads(KEY)
    message = b"ticket\x1fA\x1fE001\x1f1"
    by_pads = hashlib.sha256(outer + hashlib.sha256(inner + message).digest()).digest()
    assert by_pads == ticket(KEY, "A", "E001", 1) == keyed(KEY, "ticket", "A", "E001", "1")


def test_an_entity_s_key_is_its_best_of_weight_tickets() -> None:
    candidate = Candidate("E001", 3)
    tickets = [ticket(KEY, "A", "E001", n) for n in (1, 2, 3)]
    assert best_ticket(KEY, "A", candidate) == max(tickets)
    assert best_ticket(KEY, "A", Candidate("E001")) == tickets[0]


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


def test_picks_are_the_best_tickets_best_first_whatever_the_input_order() -> None:
    picks = pick(KEY, "A", MEMBERS, 7)
    shuffled = MEMBERS[:]
    random.Random(2).shuffle(shuffled)
    assert pick(KEY, "A", shuffled, 7) == picks
    by_ticket = sorted(MEMBERS, key=lambda c: best_ticket(KEY, "A", c), reverse=True)
    assert picks == [candidate.id for candidate in by_ticket[:7]]
    assert pick(KEY, "A", MEMBERS, 0) == []
    assert len(pick(KEY, "A", MEMBERS, 500)) == len(MEMBERS)


def test_the_stratum_is_part_of_the_ticket() -> None:
    assert pick(KEY, "A", MEMBERS, 5) != pick(KEY, "B", MEMBERS, 5)


def test_a_draw_covers_every_stratum_and_refuses_an_entity_in_two() -> None:
    strata = {"A": MEMBERS[:20], "B": MEMBERS[20:], "C": []}
    document = plan(A={"count": 2}, B={"ratio": "0.1"}, C={"ratio": "0.5"})
    picks = draw(KEY, document, strata)
    assert {name: len(ids) for name, ids in picks.items()} == {"A": 2, "B": 3, "C": 0}
    with pytest.raises(ValueError, match="more than one stratum"):
        draw(KEY, document, {"A": MEMBERS[:20], "B": MEMBERS[19:]})
