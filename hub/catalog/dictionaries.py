"""The catalog's code tables, read once from ``standards/catalog/*.json``.

The official dictionaries of 监管类别 and 监管方式 are not published (DOMAIN.md), so they are
data a province can replace, never constants in code. A value may be given as its code or
its label; the store holds the label for types and manners (as the national format and the
channels carry them) and the code for levels, statuses and sources::

    >>> dictionary("supervision_types").code_of("行政检查")
    '01'
    >>> department("SCJG-3401").region_code
    '340100'
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import standards
from hub.catalog.errors import UnknownDepartment, UnknownRegion, UnknownValue
from standards.codes import load_regions

CATALOG_STANDARDS = Path(standards.__file__).resolve().parent / "catalog"
DICTIONARIES = ("supervision_types", "manners", "levels", "statuses", "sources")
_AREA = re.compile(r"[0-9]{2}(?:[0-9]{2}){0,2}")


@dataclass(frozen=True)
class Entry:
    """One coded value; ``digit`` is the implementation-list level digit (levels only)."""

    code: str
    label: str
    digit: str | None = None


@dataclass(frozen=True)
class Dictionary:
    """A code table: look values up by code or by label."""

    name: str
    entries: tuple[Entry, ...]

    def entry(self, value: str) -> Entry:
        """The entry whose code or label is ``value``; ``UnknownValue`` lists the labels."""
        text = value.strip()
        for entry in self.entries:
            if text in (entry.code, entry.label):
                return entry
        known = ", ".join(f"{e.code} {e.label}" for e in self.entries)
        raise UnknownValue(f"{self.name}: {value!r} is not known (known: {known})")

    def code_of(self, value: str) -> str:
        return self.entry(value).code

    def label_of(self, value: str) -> str:
        return self.entry(value).label


def _read(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((CATALOG_STANDARDS / f"{name}.json").read_text("utf-8"))
    return document


@cache
def dictionary(name: str) -> Dictionary:
    """One of ``DICTIONARIES``."""
    if name not in DICTIONARIES:
        raise UnknownValue(f"no dictionary {name!r} (known: {', '.join(DICTIONARIES)})")
    entries = tuple(
        Entry(code=row["code"], label=row["label"], digit=row.get("digit"))
        for row in _read(name)["entries"]
    )
    return Dictionary(name, entries)


@cache
def other_level_digit() -> str:
    """The level digit of an implementing agency outside the four levels (派出机构, 开发区)."""
    return str(_read("levels")["other_digit"])


@dataclass(frozen=True)
class DepartmentLine:
    """A line of departments (市场监管, 生态环境, ...) and its two digits in catalog codes."""

    code: str
    number: str
    label: str
    national_name: str
    province_suffix: str
    local_suffix: str


@dataclass(frozen=True)
class Department:
    """A department as the hub codes it: ``LINE-AREA`` (``SCJG-3401``), or a bare ``LINE``
    for the national ministry. ``region_code`` is the area as a six-digit GB/T 2260 code."""

    code: str
    line: DepartmentLine
    region_code: str | None

    @property
    def is_national(self) -> bool:
        return self.region_code is None

    @property
    def area_prefix(self) -> str:
        """The code prefix of the department's area (``3401``), empty for a ministry."""
        return "" if self.region_code is None else self.code.partition("-")[2]

    def covers(self, region_code: str) -> bool:
        """Whether ``region_code`` lies in the department's area (a ministry covers all)."""
        return region_code.startswith(self.area_prefix)

    def default_name(self) -> str:
        """安徽省市场监督管理局, 合肥市生态环境局, or the ministry's name."""
        if self.region_code is None:
            return self.line.national_name
        region = load_regions().name(self.region_code)
        province = self.region_code.endswith("0000")
        return region + (self.line.province_suffix if province else self.line.local_suffix)


@cache
def department_lines() -> dict[str, DepartmentLine]:
    return {
        row["code"]: DepartmentLine(
            code=row["code"],
            number=row["number"],
            label=row["label"],
            national_name=row["national_name"],
            province_suffix=row["province_suffix"],
            local_suffix=row["local_suffix"],
        )
        for row in _read("departments")["entries"]
    }


def department(code: str) -> Department:
    """Parse and check a department code; ``UnknownDepartment`` says what is wrong."""
    line_code, hyphen, area = code.strip().partition("-")
    lines = department_lines()
    line = lines.get(line_code)
    if line is None:
        raise UnknownDepartment(
            f"department {code!r}: unknown line {line_code!r} (known: {', '.join(lines)})"
        )
    if not hyphen:
        return Department(code=line_code, line=line, region_code=None)
    region_code = area.ljust(6, "0")
    if not _AREA.fullmatch(area) or not load_regions().is_valid(region_code):
        raise UnknownDepartment(
            f"department {code!r}: {area!r} is not the GB/T 2260 prefix of a known area"
        )
    return Department(code=f"{line_code}-{area}", line=line, region_code=region_code)


def check_region(code: str) -> str:
    """A six-digit code of the shipped table, or a twelve-digit one whose county it knows."""
    text, regions = code.strip(), load_regions()
    if re.fullmatch(r"[0-9]{6}([0-9]{6})?", text) and regions.is_valid(text[:6]):
        return text
    raise UnknownRegion(f"region {code!r} is not in the GB/T 2260 table ({regions.vintage})")


def region_level(code: str) -> str:
    """The item level a region's own departments work at: province, city, county, township."""
    if len(code) == 12:
        return "township"
    region = load_regions().get(code)
    if region is None:
        raise UnknownRegion(f"region {code!r} is not in the GB/T 2260 table")
    return {"province": "province", "prefecture": "city", "county": "county"}[region.level]
