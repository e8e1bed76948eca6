"""The draw is fair: chi-square goodness of fit over a fixed set of seeds.

Deterministic by construction: the seeds are ``SHA-256("chi-square <i>")`` for a fixed
number of draws, so a run either always passes or always fails; the significance level is
α = 0.001 (a fair draw fails one such test in a thousand choices of seeds, and these seeds
are fixed). Each test compares observed frequencies with exact probabilities:

- equal weights, one pick among 20: every entity 1/20;
- equal weights, two picks among 6: every pair 1/15 (sampling without replacement);
- weights 1, 2, 3, 4, 6, one pick: each entity w/16 (the chance follows the weight);
- the same weights, two picks: each pair with its successive-sampling probability
  w_i/W · w_j/(W − w_i) + w_j/W · w_i/(W − w_j), the law of successive sampling.

The draw numbers come from ``hub-draw/2``'s keyed generator (``algorithm.pick``), so these
tests check the generator and the rounds together.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Callable, Sequence
from fractions import Fraction
from itertools import combinations

from hub.draws.algorithm import Candidate, draw_key, pick

SIGNIFICANCE = 0.001
DRAWS = 4000


def keys(count: int = DRAWS) -> list[bytes]:
    return [
        draw_key(hashlib.sha256(f"chi-square {i}".encode()).digest(), "public value")
        for i in range(count)
    ]


KEYS = keys()


def chi_square_sf(statistic: float, degrees: int) -> float:
    """P(χ²_degrees ≥ statistic): the regularised upper gamma function Q(k/2, x/2), by its
    series below the mean and its continued fraction above (Numerical Recipes, 6.2)."""
    a, x = degrees / 2, statistic / 2
    scale = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        term = total = 1 / a
        n = 1
        while term > 1e-17 * total:
            term *= x / (a + n)
            total += term
            n += 1
        return 1 - math.exp(scale) * total
    tiny = 1e-300
    b, c, d = x + 1 - a, 1 / tiny, 1 / (x + 1 - a)
    fraction = d
    for n in range(1, 1000):
        an, b = -n * (n - a), b + 2
        d = 1 / (an * d + b if abs(an * d + b) > tiny else tiny)
        c = an / c + b if abs(an / c + b) > tiny else tiny
        fraction *= d * c
        if abs(d * c - 1) < 1e-15:
            break
    return math.exp(scale) * fraction


def test_the_tail_function_matches_the_published_tables() -> None:
    for degrees, critical in ((4, 18.467), (9, 27.877), (14, 36.123), (19, 43.820)):
        assert abs(chi_square_sf(critical, degrees) - 0.001) < 1e-6


def goodness_of_fit(
    candidates: Sequence[Candidate],
    count: int,
    probability: Callable[[frozenset[str]], Fraction],
) -> float:
    """p-value of the observed samples (as sets) against their exact probabilities."""
    observed = Counter(frozenset(pick(key, "S", candidates, count)) for key in KEYS)
    outcomes = [frozenset(c) for c in combinations([c.id for c in candidates], count)]
    assert sum(probability(outcome) for outcome in outcomes) == 1
    statistic = sum(
        (observed[outcome] - DRAWS * probability(outcome)) ** 2 / (DRAWS * probability(outcome))
        for outcome in outcomes
    )
    return chi_square_sf(float(statistic), len(outcomes) - 1)


def test_with_equal_weights_every_entity_is_equally_likely() -> None:
    candidates = [Candidate(f"E{n:02d}") for n in range(20)]
    assert goodness_of_fit(candidates, 1, lambda _: Fraction(1, 20)) > SIGNIFICANCE


def test_with_equal_weights_every_pair_is_equally_likely() -> None:
    candidates = [Candidate(f"E{n}") for n in range(6)]
    assert goodness_of_fit(candidates, 2, lambda _: Fraction(1, 15)) > SIGNIFICANCE


WEIGHTS = {"E1": 1, "E2": 2, "E3": 3, "E4": 4, "E6": 6}
WEIGHTED = [Candidate(name, weight) for name, weight in WEIGHTS.items()]
TOTAL = sum(WEIGHTS.values())


def test_with_weights_the_chance_follows_the_weight() -> None:
    def probability(outcome: frozenset[str]) -> Fraction:
        (name,) = outcome
        return Fraction(WEIGHTS[name], TOTAL)

    assert goodness_of_fit(WEIGHTED, 1, probability) > SIGNIFICANCE


def test_weighted_pairs_follow_sampling_without_replacement() -> None:
    def probability(outcome: frozenset[str]) -> Fraction:
        first, second = (WEIGHTS[name] for name in sorted(outcome))
        return Fraction(first, TOTAL) * Fraction(second, TOTAL - first) + Fraction(
            second, TOTAL
        ) * Fraction(first, TOTAL - second)

    assert goodness_of_fit(WEIGHTED, 2, probability) > SIGNIFICANCE


def test_a_biased_draw_would_be_caught() -> None:
    """The test has teeth: treating every weight as 1 fails the weighted test."""
    flattened = [Candidate(candidate.id) for candidate in WEIGHTED]
    observed = Counter(pick(key, "S", flattened, 1)[0] for key in KEYS)
    statistic = sum(
        (observed[name] - DRAWS * weight / TOTAL) ** 2 / (DRAWS * weight / TOTAL)
        for name, weight in WEIGHTS.items()
    )
    assert chi_square_sf(statistic, len(WEIGHTS) - 1) < SIGNIFICANCE
