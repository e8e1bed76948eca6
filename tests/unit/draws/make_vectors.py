"""Build the draw test vectors shipped as ``standards/draws/test_vectors.json``.

    python -m tests.unit.draws.make_vectors > standards/draws/test_vectors.json

The inputs are fixed here; the expected values come from ``hub.draws`` and are checked by
``independent_verifier`` in ``test_vectors.py``. Regenerate only on purpose (a new
``ALGORITHM`` version): published draws are verified against these very values.
"""

from __future__ import annotations

import json
import random
import sys
from typing import Any

from hub.draws.algorithm import (
    ALGORITHM,
    Candidate,
    candidate_digest,
    commitment,
    draw,
    draw_key,
    draw_order,
    inspector_digest,
    plan_digest,
    seed_digest,
)
from hub.draws.assignment import Inspector, assign


def _plan(items: list[dict[str, Any]], quotas: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "name": "test vector",
        "items": items,
        "quotas": quotas,
        "general_item_cap": "0.05",
        "inspectors_per_entity": 2,
        "inspectors_per_department": 1,
        **extra,
    }


KEY_ITEM = {"code": "34010100010000", "department": "SCJG", "kind": "key", "qualification": "food"}


def _worked_example() -> dict[str, Any]:
    return {
        "plan": _plan([KEY_ITEM], {"A": {"count": 2}}),
        "candidates": {
            "A": [
                {"id": "E1", "weight": 1},
                {"id": "E2", "weight": 1},
                {"id": "E3", "weight": 2},
                {"id": "E4", "weight": 1},
                {"id": "E5", "weight": 3},
            ]
        },
        "inspectors": [
            {
                "id": f"I{n}",
                "department": "SCJG",
                "qualifications": ["food"],
                "load": 0,
                "avoid": [],
            }
            for n in range(1, 4)
        ],
        "seed": "00" * 31 + "01",
        "public_value": "2026-001: 3 1 4",
    }


def _skewed() -> dict[str, Any]:
    """A heavy candidate that ends the first round, and a quota beyond its stratum."""
    return {
        "plan": _plan([KEY_ITEM], {"A": {"count": 3}, "B": {"count": 10}}),
        "candidates": {
            "A": [{"id": f"S{n}", "weight": 60 if n == 2 else 1} for n in range(1, 9)],
            "B": [{"id": f"T{n}", "weight": n} for n in range(1, 5)],
        },
        "inspectors": [
            {
                "id": f"I{n}",
                "department": "SCJG",
                "qualifications": ["food"],
                "load": 0,
                "avoid": [],
            }
            for n in range(1, 5)
        ],
        "seed": "00" * 31 + "02",
        "public_value": "2026-002: 2 7 1",
    }


def random_case(rng: random.Random, *, general: bool, joint: bool) -> dict[str, Any]:
    items = [dict(KEY_ITEM, kind="general" if general else "key")]
    if joint:
        items.append(
            {
                "code": "34010200010000",
                "department": "WSJ",
                "kind": "general",
                "qualification": "health",
            }
        )
    strata = ["A", "B", "C", "D"]
    quotas = {
        "A": {"ratio": "0.05"},
        "B": {"ratio": "0.2"},
        "C": {"ratio": "0.6"},
        "D": {"count": 4},
    }
    ids = rng.sample(range(10**6), 120)
    candidates: dict[str, list[dict[str, Any]]] = {stratum: [] for stratum in strata}
    for number in ids:
        candidates[rng.choice(strata)].append(
            {"id": f"9134{number:014d}", "weight": rng.choice([1, 1, 1, 2, 3, 6])}
        )
    entity_ids = [entry["id"] for members in candidates.values() for entry in members]
    inspectors = []
    for department, tag, count in (("SCJG", "food", 8), ("WSJ", "health", 5)):
        for number in range(count):
            inspectors.append(
                {
                    "id": f"{department}-{number:03d}",
                    "department": department,
                    "qualifications": sorted({tag, rng.choice(["law", "drug", tag])}),
                    "load": rng.randrange(4),
                    "avoid": sorted(rng.sample(entity_ids, rng.randrange(3))),
                }
            )
    return {
        "plan": _plan(items, quotas, inspectors_per_entity=3 if joint else 2),
        "candidates": candidates,
        "inspectors": inspectors,
        "seed": rng.randbytes(32).hex(),
        "public_value": f"福彩3D {rng.randrange(2000, 2100)}: {rng.randrange(1000):03d}",
    }


def expected(case: dict[str, Any]) -> dict[str, Any]:
    """What ``hub.draws`` publishes for the inputs of ``case``."""
    strata = {
        stratum: [Candidate.from_entry(entry) for entry in members]
        for stratum, members in case["candidates"].items()
    }
    pool = [Inspector.from_entry(entry) for entry in case["inspectors"]]
    seed = bytes.fromhex(case["seed"])
    digests = {stratum: candidate_digest(members) for stratum, members in strata.items()}
    key = draw_key(seed, case["public_value"])
    picks = draw(key, case["plan"], strata)
    return {
        "plan_hash": plan_digest(case["plan"]),
        "candidate_hashes": digests,
        "inspector_hash": inspector_digest(case["inspectors"]),
        "seed_hash": seed_digest(seed),
        "commitment": commitment(
            plan=plan_digest(case["plan"]),
            candidates=digests,
            inspectors=inspector_digest(case["inspectors"]),
            seed=seed_digest(seed),
        ),
        "draw_key": key.hex(),
        "picks": picks,
        "teams": assign(key, case["plan"], pool, draw_order(picks)),
    }


def vectors() -> dict[str, Any]:
    rng = random.Random(20260302)
    inputs = {
        "worked example (hub/draws/README.md)": _worked_example(),
        "four strata, weighted, key item": random_case(rng, general=False, joint=False),
        "general items only: capped at 5 %": random_case(rng, general=True, joint=False),
        "joint plan of two departments, conflicts and prior loads": random_case(
            rng, general=False, joint=True
        ),
        "skewed weights (a new round) and a quota beyond its stratum": _skewed(),
    }
    return {
        "algorithm": ALGORITHM,
        "cases": [
            {"name": name, "input": case, "expected": expected(case)}
            for name, case in inputs.items()
        ],
    }


if __name__ == "__main__":
    json.dump(vectors(), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
