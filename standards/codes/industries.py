"""国民经济行业分类 (industrial classification, GB/T 4754-2017): sections and divisions.

Entities and supervision items are tagged with an industry; the hub checks the tag against
the standard's 20 sections (门类, letters A-T) and 97 divisions (大类, 01-97). Groups and
classes (3 and 4 digits) are not in the table.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class IndustryTable:
    """Section names by letter, and for each division its name and section."""

    source: str
    vintage: str
    section_names: Mapping[str, str]
    division_names: Mapping[str, str]
    division_sections: Mapping[str, str]

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> IndustryTable:
        """Build the table from ``standards/data/gbt4754_2017.json``'s layout."""
        divisions = document["divisions"]
        return cls(
            source=document["source"],
            vintage=document["vintage"],
            section_names=dict(document["sections"]),
            division_names={code: row["name"] for code, row in divisions.items()},
            division_sections={code: row["section"] for code, row in divisions.items()},
        )

    @property
    def sections(self) -> tuple[str, ...]:
        """Section letters in order."""
        return tuple(sorted(self.section_names))

    @property
    def divisions(self) -> tuple[str, ...]:
        """Two-digit division codes in order."""
        return tuple(sorted(self.division_names))

    def is_valid(self, code: str) -> bool:
        """True for a section letter or a two-digit division code of this table."""
        code = _normalise(code)
        return code in self.section_names or code in self.division_names

    def name(self, code: str) -> str:
        """The Chinese name of a section or division; ``KeyError`` when unknown."""
        code = _normalise(code)
        if code in self.section_names:
            return self.section_names[code]
        return self.division_names[code]

    def section_of(self, division: str) -> str:
        """The section letter a division belongs to; ``KeyError`` when unknown."""
        return self.division_sections[_normalise(division)]


@cache
def load_industries() -> IndustryTable:
    """The GB/T 4754-2017 table shipped with the package, read once."""
    # Located from this file, not by package name, which a test package may shadow.
    resource = Path(__file__).resolve().parent.parent / "data" / "gbt4754_2017.json"
    return IndustryTable.from_document(json.loads(resource.read_text("utf-8")))


def _normalise(code: str) -> str:
    """Feeds write section letters in either case and pad with spaces; the table does not."""
    return code.strip().upper()
