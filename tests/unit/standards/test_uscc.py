"""统一社会信用代码 (GB 32100-2015): real codes, generated codes, every single substitution."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from standards.codes import describe_uscc, load_allow_list, uscc_check_character, validate_uscc

REAL_CODES = (
    "91350100M000100Y43",
    "91350200MA2YJ1XR9G",
    "91350500798359476R",
    "913502000728319549",
)
ALLOW_LISTED = "91350203M0001QAY9B"

# The generator below is written from the standard, not from the module under test.
GB32100 = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def gb32100_check(first17: str) -> str:
    """Horner's rule from the last character: sum of value × 3^(i-1), reduced mod 31."""
    total = 0
    for char in reversed(first17):
        total = (total * 3 + GB32100.index(char)) % 31
    return GB32100[-total % 31]


def gb11714_check(body: str) -> str:
    remainder = (
        -sum(int(c, 36) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    )
    return "X" if remainder == 10 else str(remainder)


@st.composite
def uscc_codes(draw: st.DrawFn) -> str:
    authority = draw(st.sampled_from(GB32100))
    entity_type = draw(st.sampled_from(GB32100))
    region = draw(st.text("0123456789", min_size=6, max_size=6))
    body = draw(st.text(GB32100, min_size=8, max_size=8))
    first17 = authority + entity_type + region + body + gb11714_check(body)
    return first17 + gb32100_check(first17)


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_pass(code: str) -> None:
    check = validate_uscc(code)
    assert (check.valid, check.check_passed, check.acceptable) == (True, True, True)
    assert check.orgcode_check_passed is True
    assert check.reason is None
    assert uscc_check_character(code[:17]) == code[17]


def test_allow_listed_code_is_flagged_not_dropped() -> None:
    check = validate_uscc(ALLOW_LISTED)
    assert check.valid
    assert check.check_passed is False
    assert check.allow_listed is True
    assert check.acceptable is True
    assert check.reason == "check character 18 is 'B' but GB 32100 gives '9'"


def test_allow_list_can_be_replaced() -> None:
    check = validate_uscc(ALLOW_LISTED, allow_list=frozenset())
    assert (check.allow_listed, check.acceptable) == (False, False)


def test_shipped_allow_list_holds_the_known_exception() -> None:
    assert ALLOW_LISTED in load_allow_list()


def test_allow_list_file_format(tmp_path: Path) -> None:
    path = tmp_path / "allow.txt"
    path.write_text("# comment\n\n 91350203m0001qay9b  # trailing note\n", encoding="utf-8")
    assert load_allow_list(path) == frozenset({ALLOW_LISTED})


@settings(database=None)
@given(uscc_codes())
def test_generated_codes_pass(code: str) -> None:
    check = validate_uscc(code, allow_list=frozenset())
    assert check.acceptable and check.check_passed
    assert check.orgcode_check_passed is True


def test_every_single_substitution_is_rejected() -> None:
    for code in REAL_CODES:
        for index, original in enumerate(code):
            for char in GB32100.replace(original, ""):
                mutant = code[:index] + char + code[index + 1 :]
                check = validate_uscc(mutant, allow_list=frozenset())
                assert not check.acceptable, mutant
                assert not check.check_passed, mutant
                region_digit_replaced_by_letter = 2 <= index <= 7 and not char.isdigit()
                assert check.valid is not region_digit_replaced_by_letter, mutant
                assert check.reason is not None


def test_normalises_case_and_whitespace() -> None:
    check = validate_uscc("  91350200ma2yj1xr9g\n")
    assert check.code == "91350200MA2YJ1XR9G"
    assert check.acceptable


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("9135I100M000100Y43", "character 5 'I' is not in the GB 32100 character set"),
        ("91350100M000100YO3", "character 17 'O' is not in the GB 32100 character set"),
        ("91350100M000100Y4", "must be 18 characters, got 17"),
        (
            "9135A100M000100Y43",
            "character 5 'A' must be a digit: characters 3-8 are a GB/T 2260 region code",
        ),
    ],
)
def test_malformed_codes_name_the_problem(code: str, reason: str) -> None:
    check = validate_uscc(code)
    assert (check.valid, check.check_passed, check.acceptable) == (False, False, False)
    assert check.orgcode_check_passed is None
    assert check.reason == reason


def test_failing_organization_code_body_is_only_a_flag() -> None:
    first17 = "91350100M000100Y5"  # the GB 11714 check of M000100Y is 4, not 5
    code = first17 + gb32100_check(first17)
    check = validate_uscc(code)
    assert check.acceptable and check.check_passed
    assert check.orgcode_check_passed is False


@pytest.mark.parametrize("bad", ["", "9135010", "91350100M000100Y4I", "91350100M000100Y4X3"])
def test_check_character_rejects_malformed_input(bad: str) -> None:
    with pytest.raises(ValueError):
        uscc_check_character(bad)


def test_describe_names_authority_type_and_region() -> None:
    assert describe_uscc("91350100M000100Y43") == {
        "code": "91350100M000100Y43",
        "authority_code": "9",
        "authority": "工商",
        "entity_type_code": "1",
        "entity_type": "企业",
        "region_code": "350100",
        "organization_code": "M000100Y4",
    }


def test_describe_covers_confirmed_authorities_and_unknown_values() -> None:
    assert describe_uscc("51350100M000100Y43")["authority"] == "民政"
    assert describe_uscc("11350100M000100Y43")["authority"] == "机构编制"
    assert describe_uscc("Y1350100M000100Y43")["authority"] == "其他"
    unknown = describe_uscc("B1350100M000100Y43")
    assert (unknown["authority"], unknown["entity_type"]) == (None, None)
    assert describe_uscc("99350100M000100Y43")["entity_type"] is None


def test_describe_accepts_an_allow_listed_code_and_rejects_malformed() -> None:
    assert describe_uscc(ALLOW_LISTED)["region_code"] == "350203"
    with pytest.raises(ValueError, match="character 5 'I'"):
        describe_uscc("9135I100M000100Y43")
