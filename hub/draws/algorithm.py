"""The verifiable randomness of a 双随机 draw: hashes, commitment, draw key, keyed ranking.

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
5. ``draw``: per stratum, ``quota`` picks the number of entities and ``pick`` takes those
   with the best keyed ``ticket``s.

Weighted sampling without replacement (Efraimidis–Spirakis, key ``u^(1/w)``, largest keys
win) is computed exactly: for an integer weight ``w``, ``u^(1/w)`` has the law of the
largest of ``w`` independent uniforms, so an entity of weight ``w`` holds ``w`` tickets
(``HMAC(draw key, "ticket" ␟ stratum ␟ id ␟ n)`` for ``n = 1..w``, each a uniform 256-bit
integer) and its best ticket is its key. Comparing keys is comparing 32-byte strings: no
floating point, no logarithm, no machine dependence, and a database can rank the same way
with SQL (PostgreSQL's built-in ``sha256()`` computes the HMAC, see ``hmac_pads``).
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from typing import Any

ALGORITHM = "hub-draw/1"
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
# The draw key and tickets


def draw_key(seed: bytes, public_value: str) -> bytes:
    """HMAC-SHA256(seed, UTF-8 public value): unknown to all until both halves exist."""
    return hmac.digest(seed, public_value.encode("utf-8"), "sha256")


def keyed(key: bytes, *fields: str) -> bytes:
    """HMAC-SHA256(key, fields joined by U+001F, UTF-8): the hub's only keyed hash."""
    return hmac.digest(key, SEPARATOR.join(field.encode("utf-8") for field in fields), "sha256")


def ticket(key: bytes, stratum: str, candidate_id: str, number: int) -> bytes:
    """Ticket ``number`` (1-based) of a candidate: a uniform 256-bit big-endian integer."""
    return keyed(key, "ticket", stratum, candidate_id, str(number))


def best_ticket(key: bytes, stratum: str, candidate: Candidate) -> bytes:
    """The candidate's Efraimidis–Spirakis key: the largest of its ``weight`` tickets."""
    return max(ticket(key, stratum, candidate.id, n) for n in range(1, candidate.weight + 1))


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """The inner and outer padded keys of HMAC-SHA256 for a key of at most 64 bytes.

    ``HMAC(key, m) = sha256(outer || sha256(inner || m))`` (RFC 2104), so a database with
    only a SHA-256 function (PostgreSQL 11+) ranks by exactly the same keyed hash.
    """
    if len(key) > 64:
        raise ValueError("keys longer than the SHA-256 block are hashed first; not needed here")
    block = key.ljust(64, b"\x00")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


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


def pick(key: bytes, stratum: str, candidates: Iterable[Candidate], count: int) -> list[str]:
    """The ``count`` candidates with the best tickets, best first.

    Ties (a SHA-256 collision, never seen) go to the larger id, so the order is total.
    """
    ranked = heapq.nlargest(
        count,
        ((best_ticket(key, stratum, candidate), candidate.id) for candidate in candidates),
    )
    return [candidate_id for _, candidate_id in ranked]


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
