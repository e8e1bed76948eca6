"""The catalog code: our declared layout inside DOMAIN's 14 digits, unique province-wide, and
the implementation-list code: agency USCC + level digit + sequence per region and department."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hub.catalog import lifecycle
from hub.catalog.coding import (
    CatalogCodeParts,
    catalog_code,
    implementation_code,
    next_catalog_code,
    parse_catalog_code,
)
from hub.catalog.errors import CatalogRefused, DuplicateCode, InvalidCode
from hub.catalog.implementations import add_implementation_item
from hub.exchange.schemas import load_schema
from simulators.national.fixtures import catalog_code as simulator_catalog_code
from simulators.national.fixtures import national_catalog
from standards.codes import uscc_check_character
from tests.catalog_support import OFFICER, draft, national_item, publish_new

AGENCY = "11340100MB000001" + "2"
AGENCY += uscc_check_character(AGENCY)


def test_the_layout_is_issuer_department_category_main_and_sub() -> None:
    code = catalog_code(CatalogCodeParts("34", "01", "01", 7, 12))
    assert code == "34010100070012"
    assert parse_catalog_code(code) == CatalogCodeParts("34", "01", "01", 7, 12)
    assert parse_catalog_code("34010100070000").is_main


def test_every_code_is_the_fourteen_digits_the_push_rules_check() -> None:
    pattern = load_schema("canonical/catalog_item.json")["properties"]["code"]["pattern"]
    for parts in (
        CatalogCodeParts("00", "08", "04", 9999, 9999),
        CatalogCodeParts("34", "01", "01", 1),
    ):
        code = catalog_code(parts)
        assert len(code) == 14 and code.isdigit()
        assert re.fullmatch(pattern, code)


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (CatalogCodeParts("3", "01", "01", 1), "issuer must be two digits"),
        (CatalogCodeParts("34", "SC", "01", 1), "department must be two digits"),
        (CatalogCodeParts("34", "01", "01", 0), "item numbers run"),
        (CatalogCodeParts("34", "01", "01", 10000), "item numbers run"),
    ],
)
def test_parts_outside_the_layout_are_refused(parts: CatalogCodeParts, message: str) -> None:
    with pytest.raises(InvalidCode, match=message):
        catalog_code(parts)


@pytest.mark.parametrize(
    "code", ["3401010007000", "34010100070000X", "3401A100070000", "34010100000000"]
)
def test_malformed_codes_do_not_parse(code: str) -> None:
    with pytest.raises(InvalidCode):
        parse_catalog_code(code)


def test_the_national_profile_and_the_hub_share_one_layout() -> None:
    assert simulator_catalog_code("00", "03", "03", 12, 4) == catalog_code(
        CatalogCodeParts("00", "03", "03", 12, 4)
    )
    for row in national_catalog(7)[:40]:
        parts = parse_catalog_code(row["code"])
        assert parts.issuer == "00"
        assert parts.is_main == (row["item_type"] == "main")


def test_new_codes_are_numbered_province_wide(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        hefei = lifecycle.create_item(session, draft(), actor=OFFICER, reason="新增")
        wuhu = lifecycle.create_item(
            session,
            draft(name="对芜湖市某事项的检查", department_code="SCJG-3402"),
            actor=OFFICER,
            reason="新增",
        )
        sub = lifecycle.create_item(
            session, draft(name="子项一", parent_code=hefei.code), actor=OFFICER, reason="新增"
        )
        second_sub = lifecycle.create_item(
            session, draft(name="子项二", parent_code=hefei.code), actor=OFFICER, reason="新增"
        )
        environment = lifecycle.create_item(
            session,
            draft(name="对排污单位的检查", department_code="SThJ-3401", objects="排污单位"),
            actor=OFFICER,
            reason="新增",
        )
        assert [hefei.code, wuhu.code] == ["34010100010000", "34010100020000"]
        assert [sub.code, second_sub.code] == ["34010100010001", "34010100010002"]
        assert environment.code == "34020100010000"
        assert next_catalog_code(session, issuer="34", department="01", category="01") == (
            "34010100030000"
        )


def test_a_given_code_must_follow_the_layout_and_be_free(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        national_item(session, "34010100050000", origin="local", department_code="SCJG-34")
        with pytest.raises(DuplicateCode, match="34010100050000 is already used"):
            lifecycle.create_item(session, draft(code="34010100050000"), actor=OFFICER, reason="x")
        with pytest.raises(InvalidCode, match="expected it to start with 340101"):
            lifecycle.create_item(session, draft(code="34020100060000"), actor=OFFICER, reason="x")
        with pytest.raises(InvalidCode, match="sub-item code but no main item"):
            lifecycle.create_item(session, draft(code="34010100060001"), actor=OFFICER, reason="x")
        taken = lifecycle.create_item(
            session, draft(code="34010100090000"), actor=OFFICER, reason="x"
        )
        assert taken.code == "34010100090000"


def test_implementation_codes_are_agency_level_and_sequence(engine: Engine) -> None:
    assert implementation_code(AGENCY, "2", 1) == f"{AGENCY}2000001"
    with pytest.raises(InvalidCode, match="implementing agency code"):
        implementation_code(AGENCY[:-1] + ("0" if AGENCY[-1] != "0" else "1"), "2", 1)
    with pytest.raises(InvalidCode, match="level digit must be 1-5"):
        implementation_code(AGENCY, "6", 1)
    with Session(engine) as session, session.begin():
        item = publish_new(session)
        lines = [
            add_implementation_item(
                session,
                catalog_code=item.code,
                agency_uscc=AGENCY,
                agency_name="合肥市市场监督管理局",
                level=level,
                region_code=region,
                department_code=department,
                actor=OFFICER,
            )
            for level, region, department in (
                ("city", "340100", "SCJG-3401"),
                ("市级", "340100", "SCJG-3401"),
                ("county", "340104", "SCJG-3401"),
                ("other", "340104", "SCJG-3401"),
            )
        ]
        assert [line.code for line in lines] == [
            f"{AGENCY}2000001",
            f"{AGENCY}2000002",
            f"{AGENCY}3000001",  # another region: its own sequence
            f"{AGENCY}5000002",
        ]
        with pytest.raises(CatalogRefused, match="outside the area"):
            add_implementation_item(
                session,
                catalog_code=item.code,
                agency_uscc=AGENCY,
                agency_name=None,
                level="city",
                region_code="340200",
                department_code="SCJG-3401",
                actor=OFFICER,
            )
