"""Categories, phone digests, normalised addresses and masking: the small rules cases rely on."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.cases.categories import categories, classify
from hub.cases.identity import address_key, phone_digest
from hub.cases.masking import mask_email, mask_id_number, mask_name, mask_phone
from tests.conftest import clear_caches


@pytest.mark.parametrize(
    ("category", "title", "expected"),
    [
        ("市场监管/食品安全", None, "food_safety"),  # 12345
        ("食品安全", None, "food_safety"),  # 12315
        ("预付式消费", None, "consumer_rights"),
        ("环境污染", None, "environment"),  # national
        ("生态环境/噪声污染", None, "environment"),
        ("应急管理/安全生产", None, "work_safety"),
        ("pricing", None, "pricing"),  # the public interfaces send codes
        ("其他", "反映某商户未明码标价", "pricing"),  # unknown text: the title decides
        ("其他", "咨询公积金提取", None),
        (None, None, None),
    ],
)
def test_sources_categories_map_to_the_hubs(
    category: str | None, title: str | None, expected: str | None
) -> None:
    assert classify(category, title, None) == expected


def test_every_category_has_the_fields_the_open311_service_list_needs() -> None:
    assert len(categories()) >= 6
    for code, category in categories().items():
        assert code == category.code and category.name and category.group
        assert category.keywords and category.description


def test_a_phone_digest_ignores_formatting_and_depends_on_the_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    digest = phone_digest("13912345678")
    assert digest is not None and "13912345678" not in digest
    assert phone_digest("139-1234-5678") == digest == phone_digest("+86 139 1234 5678")
    assert phone_digest("１３９１２３４５６７８") == digest  # full-width digits
    assert phone_digest("13912345679") != digest
    assert phone_digest("") is None and phone_digest("12345") is None
    monkeypatch.setenv("HUB_SECRET_KEY", "another-secret-" + "x" * 40)
    clear_caches()
    assert phone_digest("13912345678") != digest


def test_addresses_compare_without_spaces_punctuation_width_or_province() -> None:
    assert address_key("安徽省合肥市蜀山区长江西路88号") == address_key(
        "合肥市蜀山区 长江西路 88 号"
    )
    assert address_key("合肥市蜀山区长江西路８８号") == address_key("合肥市蜀山区长江西路88号")
    assert address_key("合肥市蜀山区长江西路89号") != address_key("合肥市蜀山区长江西路88号")
    assert address_key("  ") is None and address_key(None) is None


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_a_masked_phone_never_shows_the_middle_digits(phone: str) -> None:
    masked = mask_phone(phone)
    assert masked is not None and masked != phone
    assert masked[:3] == phone[:3] and masked[-4:] == phone[-4:] and "*" * 4 in masked


def test_names_ids_and_emails_are_masked() -> None:
    assert mask_name("欧阳小明") == "欧***"
    assert mask_id_number("11010519491231002X") == "1****************X"
    assert mask_email("wang@example.com") == "w***@example.com"
    assert mask_name(None) is None
