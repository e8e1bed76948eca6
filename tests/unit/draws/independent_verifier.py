"""An independent re-implementation of a 双随机 draw, from hub/draws/README.md alone.

Standard library only, and deliberately written another way than ``hub.draws``: HMAC built
by hand from SHA-256 (RFC 2104), one draw number at a time (no batches), each ticket's
candidate found by a linear walk over the round's cumulative weights (no binary search),
each team place found by scanning the whole pool, ratios parsed digit by digit. It never imports the hub. If both agree on the shipped test vectors and on random
plans, the README describes the algorithm well enough for a third party to check a draw.

    python tests/unit/draws/independent_verifier.py standards/draws/test_vectors.json
"""

from __future__ import annotations

import hashlib
import json
import sys
from typing import Any

BLOCK = 64


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    if len(key) > BLOCK:
        key = hashlib.sha256(key).digest()
    key = key + b"\x00" * (BLOCK - len(key))
    inner = hashlib.sha256(bytes(k ^ 0x36 for k in key) + message).digest()
    return hashlib.sha256(bytes(k ^ 0x5C for k in key) + inner).digest()


def encode(value: Any) -> str:
    """Canonical JSON, written out by hand for objects and arrays."""
    if isinstance(value, dict):
        members = (encode(key) + ":" + encode(value[key]) for key in sorted(value))
        return "{" + ",".join(members) + "}"
    if isinstance(value, list):
        return "[" + ",".join(encode(item) for item in value) + "]"
    if isinstance(value, float):
        raise TypeError("no floats in a draw")
    return json.dumps(value, ensure_ascii=False)


def sha256_hex(value: Any) -> str:
    return hashlib.sha256(encode(value).encode("utf-8")).hexdigest()


def message(*fields: str) -> bytes:
    return "\x1f".join(fields).encode("utf-8")


def decimal(text: str) -> tuple[int, int]:
    """``"0.05"`` → ``(5, 100)``."""
    whole, _, fraction = text.partition(".")
    return int(whole + fraction), 10 ** len(fraction)


def quota(plan: dict[str, Any], stratum: str, size: int) -> int:
    rule = plan["quotas"][stratum]
    if "count" in rule:
        wanted = min(rule["count"], size)
    else:
        numerator, denominator = decimal(rule["ratio"])
        wanted = min((numerator * size + denominator - 1) // denominator, size)
    if all(item["kind"] == "general" for item in plan["items"]):
        numerator, denominator = decimal(plan["general_item_cap"])
        wanted = min(wanted, (numerator * size) // denominator)
    return wanted


def draw_stratum(key: bytes, stratum: str, members: list[dict[str, Any]], count: int) -> list:
    """README, "Picks": rounds of successive sampling, one draw number at a time, each
    ticket found by walking the round's cumulative weights from the start."""
    chosen: list[str] = []
    index = 0
    count = min(count, len(members))
    while len(chosen) < count:
        in_round = [entry for entry in members if entry["id"] not in chosen]
        total = sum(entry["weight"] for entry in in_round)
        unbiased_below = (2**256 // total) * total
        weight_this_round = 0
        while len(chosen) < count and weight_this_round * 2 <= total:
            index += 1
            digest = hmac_sha256(key, message("draw", stratum, str(index)))
            number = int.from_bytes(digest, "big")
            if number >= unbiased_below:
                continue
            ticket, cumulative = number % total, 0
            for entry in in_round:
                cumulative += entry["weight"]
                if ticket < cumulative:
                    break
            if entry["id"] in chosen:
                continue
            chosen.append(entry["id"])
            weight_this_round += entry["weight"]
    return chosen


def picks_of(key: bytes, plan: dict[str, Any], candidates: dict[str, list]) -> dict:
    return {
        stratum: draw_stratum(
            key,
            stratum,
            candidates[stratum],
            quota(plan, stratum, len(candidates[stratum])),
        )
        for stratum in sorted(candidates)
    }


def teams_of(key: bytes, plan: dict[str, Any], pool: list, picks: dict) -> dict:
    needs: dict[str, set[str]] = {}
    for item in plan["items"]:
        needs.setdefault(item["department"], set())
        if item.get("qualification"):
            needs[item["department"]].add(item["qualification"])
    departments = sorted(needs)
    per_department = plan["inspectors_per_department"]
    size = max(2, plan["inspectors_per_entity"], per_department * len(departments))
    eligible = [
        entry
        for entry in pool
        if entry["department"] in needs
        and needs[entry["department"]] <= set(entry["qualifications"])
    ]
    load = {entry["id"]: entry["load"] for entry in eligible}

    def best(entity: str, team: list[str], allowed: set[str]) -> str:
        options = [
            entry["id"]
            for entry in eligible
            if entry["department"] in allowed
            and entry["id"] not in team
            and entity not in entry["avoid"]
        ]
        if not options:
            raise ValueError(f"cannot staff {entity}")
        return min(
            options,
            key=lambda name: (
                load[name],
                hmac_sha256(key, message("team", name, str(load[name]))),
            ),
        )

    teams = {}
    for stratum in sorted(picks):
        for entity in picks[stratum]:
            team: list[str] = []
            wanted = [{department} for department in departments for _ in range(per_department)]
            wanted += [set(departments)] * (size - len(wanted))
            for allowed in wanted:
                chosen = best(entity, team, allowed)
                team.append(chosen)
                load[chosen] += 1
            teams[entity] = sorted(team)
    return teams


def run(case: dict[str, Any]) -> dict[str, Any]:
    """Everything a draw publishes, recomputed from a vector's inputs."""
    plan, seed = case["plan"], bytes.fromhex(case["seed"])
    candidates = {
        stratum: sorted(members, key=lambda entry: entry["id"])
        for stratum, members in case["candidates"].items()
    }
    pool = sorted(case["inspectors"], key=lambda entry: entry["id"])
    digests = {
        "plan": sha256_hex(plan),
        "candidates": {stratum: sha256_hex(members) for stratum, members in candidates.items()},
        "inspectors": sha256_hex(pool),
        "seed": hashlib.sha256(seed).hexdigest(),
    }
    key = hmac_sha256(seed, case["public_value"].encode("utf-8"))
    picks = picks_of(key, plan, candidates)
    return {
        "plan_hash": digests["plan"],
        "candidate_hashes": digests["candidates"],
        "inspector_hash": digests["inspectors"],
        "seed_hash": digests["seed"],
        "commitment": sha256_hex({"algorithm": "hub-draw/2", **digests}),
        "draw_key": key.hex(),
        "picks": picks,
        "teams": teams_of(key, plan, pool, picks),
    }


def main(path: str) -> int:
    with open(path, encoding="utf-8") as handle:
        vectors = json.load(handle)
    failures = 0
    for case in vectors["cases"]:
        result = run(case["input"])
        wrong = [name for name, value in case["expected"].items() if result.get(name) != value]
        failures += bool(wrong)
        print(f"{case['name']}: {'FAIL ' + ', '.join(wrong) if wrong else 'ok'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
