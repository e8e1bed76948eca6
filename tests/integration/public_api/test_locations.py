"""Finding the region an address names, for complaints filed without a region code."""

from __future__ import annotations

from hub.api.open311.locations import region_in_address
from standards.codes.regions import load_regions


def test_every_county_of_the_province_is_found_from_a_written_address() -> None:
    table = load_regions()
    counties = [r for r in table if r.code.startswith("34") and r.level == "county"]
    assert len(counties) > 100
    missed = []
    for county in counties:
        above = table.get(county.parent or "")
        prefecture = above.name if above and above.level == "prefecture" else ""
        address = f"安徽省{prefecture}{county.name}人民路 1 号"
        if region_in_address(address, "34") != county.code:
            missed.append(address)
    assert missed == []


def test_a_prefecture_alone_is_found() -> None:
    assert region_in_address("芜湖市某商场三楼", "34") == "340200"


def test_nothing_named_or_another_province_is_none() -> None:
    assert region_in_address("人民路 1 号", "34") is None
    assert region_in_address("南京市玄武区中山路 1 号", "34") is None
    assert region_in_address(None, "34") is None


def test_two_prefectures_cannot_be_told_apart() -> None:
    assert region_in_address("合肥市到芜湖市的长途车上", "34") is None


def test_a_name_inside_a_longer_one_is_not_named_on_its_own() -> None:
    assert region_in_address("太和县城关镇", "34") == "341222"  # not also 和县 (340523)
    assert region_in_address("和县历阳镇", "34") == "340523"
