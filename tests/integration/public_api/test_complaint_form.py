"""The public complaint form's field rules, checked on the model alone (no store needed)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from hub.api.routers.public_complaints import CONTENT_MAX, ComplaintCreate

VALID: dict[str, Any] = {"category_code": "pricing", "content": "标价与结算价不一致。"}


def errors_of(**fields: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as raised:
        ComplaintCreate.model_validate({**VALID, **fields})
    return {".".join(map(str, error["loc"])): error["msg"] for error in raised.value.errors()}


@pytest.mark.parametrize(
    ("given_phone", "kept"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "+8613812345678"),
        ("138-1234-5678", "13812345678"),
        ("0551-62345678", "0551-62345678"),
        ("055162345678", "055162345678"),
        ("010-12345678-123", "010-12345678-123"),
    ],
)
def test_phone_formats_that_are_accepted(given_phone: str, kept: str) -> None:
    form = ComplaintCreate.model_validate({**VALID, "complainant_phone": given_phone})
    assert form.complainant_phone == kept


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.sampled_from(["", "+86", "86"]))
def test_every_mainland_mobile_is_accepted(mobile: str, prefix: str) -> None:
    form = ComplaintCreate.model_validate({**VALID, "complainant_phone": prefix + mobile})
    assert form.complainant_phone == prefix + mobile


@given(st.from_regex(r"[0-9]{1,10}", fullmatch=True))
def test_short_numbers_are_never_phones(digits: str) -> None:
    assert "complainant_phone" in errors_of(complainant_phone=digits)


def test_content_length_is_bounded() -> None:
    assert "content" in errors_of(content="差评")
    assert "content" in errors_of(content="字" * (CONTENT_MAX + 1))
    assert ComplaintCreate.model_validate({**VALID, "content": "字" * CONTENT_MAX})


def test_a_malformed_category_is_refused_and_an_unknown_one_is_left_to_triage() -> None:
    assert "category_code" in errors_of(category_code="食品 安全")
    assert "category_code" in errors_of(category_code="")
    assert ComplaintCreate.model_validate({**VALID, "category_code": "parking"})


def test_an_unknown_region_code_and_an_unknown_field_are_refused() -> None:
    errors = errors_of(region_code="349999", complainant_id_number="340102199001011234")
    assert "region_code" in errors and "complainant_id_number" in errors


def test_the_target_uscc_is_checked_and_normalised() -> None:
    assert "target_uscc" in errors_of(target_uscc="91340100MA2N0X1Y2")  # 17 characters
    assert "target_uscc" in errors_of(target_uscc="91340100MA2N0X1Y21")  # wrong check character
    form = ComplaintCreate.model_validate({**VALID, "target_uscc": " 91340100ma2n0x1y22 "})
    assert form.target_uscc == "91340100MA2N0X1Y22"
