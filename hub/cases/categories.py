"""Complaint categories (``standards/cases/categories.yaml``) and classifying a complaint.

A source's own category text is matched first (12345's "市场监管/食品安全", 12315's
"食品安全"); then the title and content. The first category with a keyword contained in the
text wins, in file order, so put the more specific categories first.

    >>> classify("市场监管/食品安全", None, None)
    'food_safety'
    >>> classify(None, "反映某商户未明码标价", None)
    'pricing'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

from hub.cases.settings import read_yaml


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    description: str
    keywords: tuple[str, ...]
    group: str


@cache
def categories() -> dict[str, Category]:
    """Every category by code, in file order."""
    return {
        entry["code"]: Category(
            code=entry["code"],
            name=entry["name"],
            description=entry["description"],
            keywords=tuple(entry["keywords"]),
            group=entry["group"],
        )
        for entry in read_yaml("categories.yaml")
    }


@lru_cache(maxsize=8192)  # a source's category texts are few, and asked of every complaint
def _match(text: str) -> str | None:
    for category in categories().values():
        if text == category.code or text == category.name:
            return category.code
    for category in categories().values():
        if any(keyword in text for keyword in category.keywords):
            return category.code
    return None


def classify(category_text: str | None, title: str | None, content: str | None) -> str | None:
    """The category code of a complaint, or None when nothing matches (manual triage)."""
    if category_text and (code := _match(category_text.strip())):
        return code
    for text in (title, content):
        if text and (code := _match(text)):
            return code
    return None
