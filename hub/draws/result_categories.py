"""The result categories of a random inspection (``standards/draws/result_categories.json``).

The official dictionary is unpublished; ours keeps the codes the inspection channels already
map, so a result recorded here and one ingested from a department's system read alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import standards

DICTIONARY = Path(standards.__file__).resolve().parent / "draws" / "result_categories.json"


@dataclass(frozen=True)
class ResultCategory:
    code: str
    label: str
    problem_found: bool


@lru_cache(maxsize=1)
def result_categories() -> dict[str, ResultCategory]:
    """Every category by code, in the dictionary's order."""
    document = json.loads(DICTIONARY.read_text(encoding="utf-8"))
    return {
        entry["code"]: ResultCategory(entry["code"], entry["label"], bool(entry["problem_found"]))
        for entry in document["entries"]
    }


def category_label(code: str | None) -> str | None:
    """The label of ``code``, or None for a code outside the dictionary (or none at all)."""
    category = result_categories().get(code or "")
    return category.label if category else None
