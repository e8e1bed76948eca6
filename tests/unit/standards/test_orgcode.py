"""组织机构代码 (GB 11714-1997): what the mod-11 check catches, exactly."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from standards.codes import orgcode_check_character, validate_orgcode

BODY_CHARS = string.digits + string.ascii_uppercase
WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# Bodies of the real 统一社会信用代码 in DOMAIN.md (positions 9-17), plus one with check X.
REAL_CODES = ("M000100Y4", "MA2YJ1XR9", "798359476", "072831954")
LENGTH = "must be 9 characters, or 10 with a hyphen before the check character; got"


def gb11714_check(body: str) -> str:
    """Written from the standard: c9 = 11 - (sum mod 11), 10 is X, 11 is 0."""
    remainder = -sum(int(c, 36) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11
    return "X" if remainder == 10 else str(remainder)


@st.composite
def orgcodes(draw: st.DrawFn) -> str:
    body = draw(st.text(BODY_CHARS, min_size=8, max_size=8))
    return body + gb11714_check(body)


def test_reference_values() -> None:
    assert gb11714_check("D2143569") == "X"
    for code in REAL_CODES:
        assert orgcode_check_character(code[:8]) == code[8]


@pytest.mark.parametrize("code", [*REAL_CODES, "D2143569X"])
def test_real_codes_pass_with_and_without_hyphen(code: str) -> None:
    for written in (code, f"{code[:8]}-{code[8]}", f" {code.lower()} "):
        check = validate_orgcode(written)
        assert check.acceptable, written
        assert (check.code, check.allow_listed, check.reason) == (code, False, None)


@settings(database=None)
@given(orgcodes())
def test_generated_codes_pass(code: str) -> None:
    assert validate_orgcode(code).acceptable


def test_single_substitutions_missed_exactly_when_weight_times_difference_is_0_mod_11() -> None:
    for code in (*REAL_CODES, "D2143569X"):
        expected_missed = set()
        missed = set()
        for index, weight in enumerate(WEIGHTS):
            original = int(code[index], 36)
            for char in BODY_CHARS.replace(code[index], ""):
                mutant = code[:index] + char + code[index + 1 :]
                if weight * (int(char, 36) - original) % 11 == 0:
                    expected_missed.add(mutant)
                check = validate_orgcode(mutant)
                assert check.valid, mutant
                if check.check_passed:
                    missed.add(mutant)
        assert missed == expected_missed
        # Differences of 11, 22 or 33 exist at every position, so the set is never empty.
        assert len(missed) >= 8


def test_every_check_character_substitution_is_caught() -> None:
    for code in (*REAL_CODES, "D2143569X"):
        for char in BODY_CHARS.replace(code[8], ""):
            check = validate_orgcode(code[:8] + char)
            assert not check.acceptable
            assert check.valid is (char in string.digits + "X")


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("M000100Y", f"{LENGTH} 8"),
        ("M00-0100Y4", f"{LENGTH} 10"),
        ("M00*100Y4", "character 4 '*' is not a digit or A-Z"),
        ("M000100YA", "character 9 'A' is not a check character (0-9 or X)"),
        ("M000100Y5", "check character 9 is '5' but GB 11714 gives '4'"),
    ],
)
def test_problems_are_named(code: str, reason: str) -> None:
    check = validate_orgcode(code)
    assert not check.acceptable
    assert check.reason == reason


def test_check_character_rejects_malformed_body() -> None:
    for bad in ("M000100", "M000100Y4", "m000100Y", "M000100-"):
        with pytest.raises(ValueError):
            orgcode_check_character(bad)
