"""The shipped test vectors hold, and an independent verifier agrees with the hub.

``standards/draws/test_vectors.json`` pins every published value (digests, commitment,
draw key, picks, teams) for fixed inputs: a change to the algorithm that would make old
draws unverifiable fails here. ``independent_verifier`` (standard library only, written
from the README, never importing the hub) must agree on them and on random plans.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from hub.draws.algorithm import ALGORITHM
from tests.unit.draws import independent_verifier
from tests.unit.draws.make_vectors import expected, random_case

VECTORS = Path(__file__).resolve().parents[3] / "standards" / "draws" / "test_vectors.json"
CASES: list[dict[str, Any]] = json.loads(VECTORS.read_text("utf-8"))["cases"]


def test_the_vectors_name_the_algorithm_and_cover_the_rules() -> None:
    assert json.loads(VECTORS.read_text("utf-8"))["algorithm"] == ALGORITHM
    names = " ".join(case["name"] for case in CASES)
    for rule in ("worked example", "weighted", "capped", "joint plan", "conflicts", "new round"):
        assert rule in names


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_the_hub_reproduces_every_vector(case: dict[str, Any]) -> None:
    assert expected(case["input"]) == case["expected"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_the_independent_verifier_reproduces_every_vector(case: dict[str, Any]) -> None:
    assert independent_verifier.run(case["input"]) == case["expected"]


def test_the_independent_verifier_runs_as_a_script(capsys: pytest.CaptureFixture[str]) -> None:
    assert independent_verifier.main(str(VECTORS)) == 0
    assert capsys.readouterr().out.count(": ok") == len(CASES)


@pytest.mark.parametrize("seed", range(12))
def test_both_agree_on_random_plans(seed: int) -> None:
    rng = random.Random(seed)
    case = random_case(rng, general=rng.random() < 0.3, joint=rng.random() < 0.6)
    assert independent_verifier.run(case) == expected(case)


def test_the_worked_example_is_the_one_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[3] / "hub" / "draws" / "README.md").read_text(
        "utf-8"
    )
    worked = CASES[0]
    for value in (
        worked["expected"]["commitment"],
        worked["expected"]["draw_key"],
        *worked["expected"]["picks"]["A"],
    ):
        assert value in readme
