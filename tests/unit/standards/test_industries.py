"""GB/T 4754-2017 sections (门类) and divisions (大类)."""

from __future__ import annotations

import pytest

from standards.codes import load_industries

# The section of each division range, as the standard lays them out.
SECTION_RANGES = {
    "A": (1, 5),
    "B": (6, 12),
    "C": (13, 43),
    "D": (44, 46),
    "E": (47, 50),
    "F": (51, 52),
    "G": (53, 60),
    "H": (61, 62),
    "I": (63, 65),
    "J": (66, 69),
    "K": (70, 70),
    "L": (71, 72),
    "M": (73, 75),
    "N": (76, 79),
    "O": (80, 82),
    "P": (83, 83),
    "Q": (84, 85),
    "R": (86, 90),
    "S": (91, 96),
    "T": (97, 97),
}


def test_twenty_sections_and_ninety_seven_divisions() -> None:
    table = load_industries()
    assert table.sections == tuple("ABCDEFGHIJKLMNOPQRST")
    assert table.divisions == tuple(f"{n:02d}" for n in range(1, 98))


def test_every_division_sits_in_its_section() -> None:
    table = load_industries()
    for section, (first, last) in SECTION_RANGES.items():
        for number in range(first, last + 1):
            assert table.section_of(f"{number:02d}") == section


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("A", "农、林、牧、渔业"),
        ("C", "制造业"),
        ("D", "电力、热力、燃气及水生产和供应业"),
        ("I", "信息传输、软件和信息技术服务业"),
        ("S", "公共管理、社会保障和社会组织"),
        ("T", "国际组织"),
        ("01", "农业"),
        ("13", "农副食品加工业"),
        ("43", "金属制品、机械和设备修理业"),
        ("65", "软件和信息技术服务业"),
        ("70", "房地产业"),
        ("96", "基层群众自治组织及其他组织"),
        ("97", "国际组织"),
    ],
)
def test_names(code: str, name: str) -> None:
    assert load_industries().name(code) == name


def test_section_of_manufacturing() -> None:
    assert load_industries().section_of("13") == "C"


@pytest.mark.parametrize("code", ["C", "c", " 13 ", "97", "01"])
def test_valid_codes(code: str) -> None:
    assert load_industries().is_valid(code)


@pytest.mark.parametrize("code", ["", "U", "00", "98", "1", "131", "1310", "CC"])
def test_invalid_codes(code: str) -> None:
    table = load_industries()
    assert not table.is_valid(code)
    with pytest.raises(KeyError):
        table.name(code)


def test_unknown_division_has_no_section() -> None:
    with pytest.raises(KeyError):
        load_industries().section_of("98")


def test_vintage_and_source() -> None:
    table = load_industries()
    assert table.vintage == "GB/T 4754-2017"
    assert "GB/T 4754-2017" in table.source
