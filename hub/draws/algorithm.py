"""The verifiable randomness of a 双随机 draw: hashes, commitment, draw key, weighted picks.

Pure functions over plain data, standard library only (``hashlib``, ``hmac``, ``json``,
``fractions``), so that anyone can re-run a published draw with nothing but this file, or
rewrite it from ``hub/draws/README.md`` in another language. Nothing here reads a database,
a clock or a random source: the same inputs give the same picks on every machine.

The steps, each named after the function that does it:

1. ``plan_digest``: SHA-256 of the frozen plan's canonical JSON (``canonical_json``).
2. ``candidate_digest`` / ``inspector_digest``: SHA-256 of each stratum's candidate list and
   of the inspector pool, each sorted by id.
3. ``commitment``: SHA-256 over the plan digest, the list digests and ``seed_digest``
   (SHA-256 of the secret seed), published before anyone can know the public value.
4. ``draw_key``: HMAC-SHA256(seed, public value), once an official has entered the public
   value (for example a lottery result) after the commitment.
5. ``draw``: per stratum, ``quota`` says how many entities and ``pick`` draws them.

A stratum's draw is successive sampling proportional to weight without replacement
(``SuccessiveSampling``), driven by the keyed draw numbers ``x_j = HMAC(draw key, "draw" ␟
stratum ␟ j)``, read as 256-bit integers: each accepted number gives a ticket ``t = x_j mod
W`` below the total weight W, and the ticket lands on the candidate whose cumulative weight
range ``[C_{i-1}, C_i)`` holds it. Integers only: no floating point, no machine dependence.
A draw costs ``O(picks)`` keyed hashes, not one per candidate, and a database finds the
candidate of a ticket with one index probe on the stored cumulative weights.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import accumulate, pairwise
from json.encoder import encode_basestring
from typing import Any

ALGORITHM = "hub-draw/2"
"""Names this construction in every commitment, so a later change cannot pass for it."""

SEPARATOR = b"\x1f"
"""ASCII unit separator between the fields of a keyed message; no id or stratum holds it."""

_DECIMAL = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?")


@dataclass(frozen=True, order=True)
class Candidate:
    """An entity that may be drawn, with its integer weight (its number of tickets)."""

    id: str
    weight: int = 1

    def entry(self) -> dict[str, Any]:
        """The candidate as it appears in the published, hashed list."""
        return {"id": self.id, "weight": self.weight}

    @classmethod
    def from_entry(cls, entry: Mapping[str, Any]) -> Candidate:
        return cls(id=entry["id"], weight=entry["weight"])


# ---------------------------------------------------------------------------------------------
# Canonical serialisation and digests


def canonical_json(value: Any) -> bytes:
    """UTF-8 JSON with keys sorted by code point, no whitespace, non-ASCII kept as is.

    Floats are refused: their decimal spelling differs between languages, so ratios travel
    as decimal strings ("0.05") and weights as integers.

    >>> canonical_json({"b": [1, "二"], "a": None})
    b'{"a":null,"b":[1,"\\xe4\\xba\\x8c"]}'
    """
    _refuse_floats(value)
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode("utf-8")


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("floats have no canonical spelling; use a decimal string or an integer")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"object keys must be strings, not {type(key).__name__}")
            _refuse_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(item)


def digest(value: Any) -> str:
    """Hex SHA-256 of ``value``'s canonical JSON."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


def plan_digest(plan: Mapping[str, Any]) -> str:
    """The frozen plan's digest: any change to any field changes it."""
    return digest(dict(plan))


def candidate_list(candidates: Iterable[Candidate]) -> list[dict[str, Any]]:
    """A stratum's candidates as published: entries sorted by id, ids unique and well formed."""
    ordered = sorted(candidates, key=lambda candidate: candidate.id)
    _check_ids([candidate.id for candidate in ordered], "candidate")
    for candidate in ordered:
        weight = candidate.weight
        if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
            raise ValueError(f"candidate {candidate.id}: weight must be an integer >= 1")
    return [candidate.entry() for candidate in ordered]


def candidate_digest(candidates: Iterable[Candidate]) -> str:
    """Digest of one stratum's sorted candidate list (the input order does not matter)."""
    return digest(candidate_list(candidates))


class CandidateListDigest:
    """``candidate_digest`` computed entry by entry, for lists too long to hold in memory.

    Feed the candidates in id order with ``add``; ``hexdigest`` equals
    ``candidate_digest`` of the same list (the canonical JSON is written out piece by
    piece: ``[{"id":...,"weight":...},...]``). Out-of-order or repeated ids and bad weights
    are refused as ``candidate_list`` refuses them.
    """

    def __init__(self) -> None:
        self._hash = hashlib.sha256(b"[")
        self._last: str | None = None
        self.count = 0

    def add(self, candidate: Candidate) -> None:
        identifier, weight = candidate.id, candidate.weight
        check_name(identifier, "candidate")
        if self._last is not None and identifier <= self._last:
            problem = "appears twice" if identifier == self._last else "is out of order"
            raise ValueError(f"candidate {identifier} {problem}")
        if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
            raise ValueError(f"candidate {identifier}: weight must be an integer >= 1")
        entry = f'{{"id":{encode_basestring(identifier)},"weight":{weight}}}'
        self._hash.update((b"," if self.count else b"") + entry.encode("utf-8"))
        self._last = identifier
        self.count += 1

    def hexdigest(self) -> str:
        final = self._hash.copy()
        final.update(b"]")
        return final.hexdigest()


def inspector_digest(entries: Iterable[Mapping[str, Any]]) -> str:
    """Digest of the inspector pool's entries sorted by id (see ``hub.draws.assignment``)."""
    ordered = sorted((dict(entry) for entry in entries), key=lambda entry: entry["id"])
    _check_ids([entry["id"] for entry in ordered], "inspector")
    return digest(ordered)


def seed_digest(seed: bytes) -> str:
    """Hex SHA-256 of the secret seed: committed first, checked against the revealed seed."""
    return hashlib.sha256(seed).hexdigest()


def commitment(
    *,
    plan: str,
    candidates: Mapping[str, str],
    inspectors: str,
    seed: str,
) -> str:
    """The published commitment: SHA-256 over the digests of everything that decides a draw.

    The arguments are hex digests: ``plan_digest``, ``candidate_digest`` per stratum,
    ``inspector_digest`` and ``seed_digest``. Once it is published nobody can change a
    candidate, the plan, the pool or the seed without the commitment showing it.
    """
    return digest(
        {
            "algorithm": ALGORITHM,
            "plan": plan,
            "candidates": dict(candidates),
            "inspectors": inspectors,
            "seed": seed,
        }
    )


def _check_ids(ids: Sequence[str], kind: str) -> None:
    for identifier in ids:
        check_name(identifier, kind)
    for before, after in pairwise(ids):
        if before == after:
            raise ValueError(f"{kind} {before} appears twice")


def check_name(name: str, kind: str) -> None:
    """Refuse an id or stratum that would make a keyed message ambiguous."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"{kind} id must be a non-empty string")
    if "\x1f" in name:
        raise ValueError(f"{kind} id {name!r} contains the separator U+001F")


# ---------------------------------------------------------------------------------------------
# The draw key and the keyed hash


def draw_key(seed: bytes, public_value: str) -> bytes:
    """HMAC-SHA256(seed, UTF-8 public value): unknown to all until both halves exist."""
    return hmac.digest(seed, public_value.encode("utf-8"), "sha256")


def keyed(key: bytes, *fields: str) -> bytes:
    """HMAC-SHA256(key, fields joined by U+001F, UTF-8): the hub's only keyed hash."""
    return hmac.digest(key, SEPARATOR.join(field.encode("utf-8") for field in fields), "sha256")


# ---------------------------------------------------------------------------------------------
# How many, and which


def parse_ratio(text: str) -> Fraction:
    """A decimal string such as ``"0.05"`` as an exact fraction (floats are never used)."""
    if not isinstance(text, str) or not _DECIMAL.fullmatch(text):
        raise ValueError(f"ratio {text!r} must be a decimal string such as '0.05'")
    return Fraction(text)


def general_only(plan: Mapping[str, Any]) -> bool:
    """Whether every item of the plan is a general item (一般事项), so the cap applies."""
    return all(item["kind"] == "general" for item in plan["items"])


def quota(plan: Mapping[str, Any], stratum: str, size: int) -> int:
    """How many of ``size`` candidates the plan draws in ``stratum``.

    ``{"ratio": r}`` draws ⌈r·size⌉, ``{"count": c}`` draws c; never more than ``size``.
    A plan of general items only draws at most ⌊cap·size⌋ (``general_item_cap``); a key
    item (重点事项) lifts the cap.
    """
    rule = plan["quotas"][stratum]
    if "count" in rule:
        wanted = int(rule["count"])
    else:
        ratio = parse_ratio(rule["ratio"])
        wanted = -((-ratio.numerator * size) // ratio.denominator)
    wanted = min(wanted, size)
    if general_only(plan):
        cap = parse_ratio(plan["general_item_cap"])
        wanted = min(wanted, cap.numerator * size // cap.denominator)
    return wanted


Resolve = Callable[[Sequence[int]], Sequence[tuple[int, int]]]
"""Finds, for each ticket ``t`` of a round, the candidate ``i`` of the round's set with
``C_{i-1} <= t < C_i`` (cumulative weights over that set, in list order), as its
``(position in the stratum's list, weight)``, in the order of the tickets."""

BATCH = 1 << 16
"""At most this many draw numbers are computed (and resolved) at a time."""


class SuccessiveSampling:
    """One stratum's draw in progress: ``count`` candidates picked one after another, each
    with probability proportional to its weight among those not yet picked.

    The draw numbers ``x_1, x_2, ...`` (``number``) are spent in rounds. A round draws from a
    set R of total weight W_R: ``x_j`` is skipped if ``x_j >= floor(2^256 / W_R) * W_R`` (so
    ``t = x_j mod W_R`` is uniform), else ``t`` lands on a candidate of R, picked unless it
    already is. Skipping the already picked is exact rejection sampling (what remains is
    drawn in proportion to its weight) and costs little while they weigh at most half of
    W_R; once they weigh more, a new round starts over the candidates not yet picked, so a
    heavy candidate never makes the draw spin.

    ``run_round`` takes W_R and a ``Resolve`` for R, so the very same rounds run over a
    list in memory (``finish_in_memory``) or over an index in a database
    (``hub.draws.ranking``): only ``O(count)`` draw numbers are ever computed, whatever the
    number of candidates.
    """

    def __init__(self, key: bytes, stratum: str, count: int) -> None:
        self._key = key
        self._prefix = SEPARATOR.join((b"draw", stratum.encode("utf-8"), b""))
        self.count = count
        self.picks: list[int] = []
        """Positions picked, in the order picked (rank 1 first)."""
        self._picked: set[int] = set()
        self.last_number = 0
        """``j`` of the last draw number spent."""

    @property
    def done(self) -> bool:
        return len(self.picks) >= self.count

    def is_picked(self, position: int) -> bool:
        return position in self._picked

    def number(self, index: int) -> int:
        """``draw_number(key, stratum, index)``, with the message's constant start built once."""
        message = self._prefix + str(index).encode("ascii")
        return int.from_bytes(hmac.digest(self._key, message, "sha256"), "big")

    def run_round(self, total: int, resolve: Resolve) -> None:
        """Draw from a round of total weight ``total`` until ``count`` picks, or until the
        weight picked in this round exceeds half of ``total``.

        Numbers are computed and resolved in batches; those after the one that ends the
        round are not spent (the next round starts at the number after it).
        """
        bound = (1 << 256) // total * total
        picked_weight = 0
        while not self.done:
            wanted = self.count - len(self.picks)
            first = self.last_number + 1
            indexes = range(first, first + min(wanted + wanted // 8 + 8, BATCH))
            accepted = [
                (index, number % total)
                for index in indexes
                if (number := self.number(index)) < bound
            ]
            self.last_number = indexes[-1]
            found = resolve([ticket for _, ticket in accepted])
            for (index, _), (position, weight) in zip(accepted, found, strict=True):
                if position in self._picked:
                    continue
                self.picks.append(position)
                self._picked.add(position)
                picked_weight += weight
                if self.done or 2 * picked_weight > total:
                    self.last_number = index
                    return


def _resolver(positions: Sequence[int], weights: Sequence[int]) -> tuple[int, Resolve]:
    """The total weight of the candidates at ``positions`` (in list order) and their
    ``Resolve``, by binary search over their cumulative weights."""
    cumulative = array("q", accumulate(weights[position] for position in positions))

    def resolve(tickets: Sequence[int]) -> list[tuple[int, int]]:
        found = []
        for ticket in tickets:
            position = positions[bisect_right(cumulative, ticket)]
            found.append((position, weights[position]))
        return found

    return cumulative[-1], resolve


def finish_in_memory(sampling: SuccessiveSampling, weights: Sequence[int]) -> None:
    """Run rounds over the stratum's ``weights`` (indexed by position) until ``sampling`` is
    done, each round over the candidates not yet picked."""
    while not sampling.done:
        remaining = array("q", (p for p in range(len(weights)) if not sampling.is_picked(p)))
        sampling.run_round(*_resolver(remaining, weights))


def sample(key: bytes, stratum: str, weights: Sequence[int], count: int) -> list[int]:
    """The positions drawn from a stratum whose list has ``weights``, in draw order: ``count``
    of them, or all when ``count`` is at least their number (ranked the same way)."""
    if any(isinstance(weight, bool) or weight < 1 for weight in weights):
        raise ValueError("weights must be integers >= 1")
    sampling = SuccessiveSampling(key, stratum, min(count, len(weights)))
    finish_in_memory(sampling, weights)
    return sampling.picks


def pick(key: bytes, stratum: str, candidates: Iterable[Candidate], count: int) -> list[str]:
    """The ids of ``count`` candidates drawn from the stratum's list (sorted by id, as
    published; the input order does not matter), in draw order."""
    ordered = sorted(candidates, key=lambda candidate: candidate.id)
    weights = array("q", (candidate.weight for candidate in ordered))
    return [ordered[position].id for position in sample(key, stratum, weights, count)]


def draw(
    key: bytes, plan: Mapping[str, Any], candidates: Mapping[str, Sequence[Candidate]]
) -> dict[str, list[str]]:
    """Every stratum's picks, best first; an entity may stand in one stratum only."""
    seen: set[str] = set()
    picks: dict[str, list[str]] = {}
    for stratum in sorted(candidates):
        check_name(stratum, "stratum")
        members = candidates[stratum]
        ids = {candidate.id for candidate in members}
        if seen & ids:
            raise ValueError(f"{min(seen & ids)} stands in more than one stratum")
        seen |= ids
        picks[stratum] = pick(key, stratum, members, quota(plan, stratum, len(members)))
    return picks


def draw_order(picks: Mapping[str, Sequence[str]]) -> list[str]:
    """The drawn entities in the order teams are assigned: strata by code point, best first."""
    return [entity for stratum in sorted(picks) for entity in picks[stratum]]
