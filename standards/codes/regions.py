"""行政区划代码 (administrative division codes, GB/T 2260): look-ups in a versioned table.

Codes change every year, so the table is data (``standards/data/gbt2260_regions.json``, built
by ``standards/tools/build_regions.py``) and carries its ``vintage``: a code missing from it
may be older or newer than the table rather than wrong.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

Level = Literal["province", "prefecture", "county"]


@dataclass(frozen=True)
class Region:
    """One division: six-digit code, name, level, and the code of the division above it.

    Counties directly under a province (the four municipalities, 省直辖县级行政区划) have the
    province as parent, because GB/T 2260 lists no prefecture between them.
    """

    code: str
    name: str
    level: Level
    parent: str | None


class RegionTable:
    """An immutable set of regions from one vintage, indexed by code and by parent."""

    def __init__(self, regions: Mapping[str, Region], *, source: str, vintage: str) -> None:
        self._regions = dict(regions)
        self.source = source
        self.vintage = vintage
        children: dict[str, list[str]] = {code: [] for code in self._regions}
        for region in self._regions.values():
            if region.parent is not None:
                children[region.parent].append(region.code)
        self._children = {code: tuple(sorted(kids)) for code, kids in children.items()}

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> RegionTable:
        """Build a table from the JSON document written by ``build_regions.py``."""
        regions = {
            code: Region(code=code, name=row["name"], level=row["level"], parent=row["parent"])
            for code, row in document["regions"].items()
        }
        return cls(regions, source=document["source"], vintage=document["vintage"])

    def __len__(self) -> int:
        return len(self._regions)

    def __iter__(self) -> Iterator[Region]:
        """Every region, in code order."""
        return iter(sorted(self._regions.values(), key=lambda region: region.code))

    def get(self, code: str) -> Region | None:
        """The region with this code, or ``None`` when the table does not hold it."""
        return self._regions.get(code)

    def is_valid(self, code: str) -> bool:
        """True when ``code`` is a six-digit code present in this vintage of the table."""
        return code in self._regions

    def name(self, code: str) -> str:
        """The region's name; raises ``KeyError`` for a code the table does not hold."""
        return self._regions[code].name

    def parent(self, code: str) -> str | None:
        """The code above this one (``None`` for a province); ``KeyError`` if unknown."""
        return self._regions[code].parent

    def children(self, code: str) -> tuple[str, ...]:
        """The codes directly below this one, sorted; ``KeyError`` if unknown."""
        return self._children[code]

    def in_province(self, code: str, province: str) -> bool:
        """True when ``code`` is a known region in ``province`` (given as ``34`` or ``340000``).

        Raises ``ValueError`` when ``province`` is not a province of the table, since a typo
        there would otherwise silently answer False for every code.
        """
        province_code = province if len(province) == 6 else province + "0000"
        province_region = self.get(province_code)
        if province_region is None or province_region.level != "province":
            raise ValueError(f"{province!r} is not a province in the {self.vintage} table")
        return self.is_valid(code) and code[:2] == province_code[:2]


@cache
def load_regions() -> RegionTable:
    """The region table shipped with the package, read once."""
    # Located from this file, not by package name, which a test package may shadow.
    resource = Path(__file__).resolve().parent.parent / "data" / "gbt2260_regions.json"
    return RegionTable.from_document(json.loads(resource.read_text("utf-8")))
