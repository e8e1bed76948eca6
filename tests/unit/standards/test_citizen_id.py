"""公民身份号码 (GB 11643-1999): form, birth date, ISO 7064 MOD 11-2, every substitution."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from standards.codes import citizen_id_check_character, citizen_id_sex, validate_citizen_id

EXAMPLE = "11010519491231002X"
TODAY = dt.date(2025, 6, 1)


def iso7064_mod11_2(first17: str) -> str:
    """The pure-system recursion of ISO 7064, not the weight table: p = 2(p + a) mod 11."""
    p = 0
    for digit in first17:
        p = (p + int(digit)) * 2 % 11
    check = (12 - p) % 11
    return "X" if check == 10 else str(check)


@st.composite
def citizen_ids(draw: st.DrawFn) -> str:
    address = draw(st.text("0123456789", min_size=6, max_size=6))
    born = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY))
    sequence = draw(st.integers(min_value=0, max_value=999))
    first17 = f"{address}{born:%Y%m%d}{sequence:03d}"
    return first17 + iso7064_mod11_2(first17)


def test_example_passes() -> None:
    check = validate_citizen_id(EXAMPLE)
    assert (check.valid, check.check_passed, check.acceptable, check.reason) == (
        True,
        True,
        True,
        None,
    )
    assert citizen_id_check_character(EXAMPLE[:17]) == "X"
    assert citizen_id_sex(EXAMPLE) == "female"


@settings(database=None)
@given(citizen_ids())
def test_generated_ids_pass(code: str) -> None:
    assert validate_citizen_id(code, today=TODAY).acceptable
    assert citizen_id_sex(code) == ("male" if int(code[16]) % 2 else "female")


def test_every_single_substitution_is_rejected() -> None:
    second = "44030819900101123"
    for code in (EXAMPLE, second + iso7064_mod11_2(second)):
        assert validate_citizen_id(code, today=TODAY).acceptable
        for index, original in enumerate(code):
            for char in "0123456789X".replace(original, ""):
                mutant = code[:index] + char + code[index + 1 :]
                check = validate_citizen_id(mutant, today=TODAY)
                assert not check.acceptable, mutant
                assert check.reason is not None


def test_lower_case_x_and_whitespace_are_normalised() -> None:
    check = validate_citizen_id(" 11010519491231002x ")
    assert check.code == EXAMPLE
    assert check.acceptable


def test_sex_from_odd_sequence() -> None:
    first17 = "11010519491231001"
    assert citizen_id_sex(first17 + iso7064_mod11_2(first17)) == "male"


@pytest.mark.parametrize(
    ("first17", "reason"),
    [
        ("11010519490230002", "characters 7-14 '19490230' are not a real date (YYYYMMDD)"),
        ("11010519000229002", "characters 7-14 '19000229' are not a real date (YYYYMMDD)"),
        ("11010518991231002", "birth date 1899-12-31 is before 1900"),
        ("11010520250602002", "birth date 2025-06-02 is in the future"),
    ],
)
def test_birth_date_must_be_real_and_plausible(first17: str, reason: str) -> None:
    check = validate_citizen_id(first17 + iso7064_mod11_2(first17), today=TODAY)
    assert (check.valid, check.acceptable) == (False, False)
    assert check.reason == reason


def test_leap_day_and_today_are_accepted() -> None:
    for first17 in ("11010520000229002", "11010520250601002"):
        assert validate_citizen_id(first17 + iso7064_mod11_2(first17), today=TODAY).acceptable


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("110105491231002", "must be 18 characters, got 15"),
        ("1101051949123100X2", "character 17 'X' is not a digit"),
        ("11010519491231002Y", "character 18 'Y' is not a digit or X"),
        ("110105194912310021", "check character 18 is '1' but ISO 7064 MOD 11-2 gives 'X'"),
    ],
)
def test_problems_are_named(code: str, reason: str) -> None:
    assert validate_citizen_id(code, today=TODAY).reason == reason


def test_malformed_input_raises_where_no_verdict_fits() -> None:
    with pytest.raises(ValueError):
        citizen_id_check_character("1101051949123100X")
    with pytest.raises(ValueError):
        citizen_id_sex("110105194912310")
