"""Serving a list incrementally: rows changed since a time, in (updated_at, id) order, by page.

The order is what makes an incremental pull safe: a client keeps the last (updated_at, id)
it committed and asks again from that updated_at, dropping what it has seen. The two
non-conforming modes break that promise on purpose: ``out_of_order_pages`` serves the full
pages last first (the short last page stays last, so a pager still ends), and
``schema_drift`` renames a field in every row served.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

SOURCE_TIMEZONE = timezone(timedelta(hours=8))  # a time without an offset is Beijing time


def parse_since(value: str) -> datetime:
    """``updated_since`` as an aware datetime (``ValueError`` when it is not ISO 8601)."""
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=SOURCE_TIMEZONE)


@dataclass(frozen=True)
class Page:
    """One page of a listing: its rows and where it stands in the whole."""

    rows: list[dict[str, Any]]
    total: int
    page: int
    page_size: int

    @property
    def has_next(self) -> bool:
        return self.page * self.page_size < self.total


def select_page(
    rows: list[dict[str, Any]],
    *,
    id_field: str,
    since: datetime | None,
    page: int,
    page_size: int,
    reverse_full_pages: bool = False,
) -> Page:
    """Rows updated at or after ``since``, ordered by (updated_at, id), page ``page``."""
    selected = sorted(
        (
            row
            for row in rows
            if since is None or datetime.fromisoformat(row["updated_at"]) >= since
        ),
        key=lambda row: (datetime.fromisoformat(row["updated_at"]), str(row[id_field])),
    )
    full_pages = len(selected) // page_size
    served = full_pages + 1 - page if reverse_full_pages and page <= full_pages else page
    chunk = selected[(served - 1) * page_size : served * page_size]
    return Page([dict(row) for row in chunk], len(selected), page, page_size)


def drifted(rows: list[dict[str, Any]], field: str, renamed: str) -> list[dict[str, Any]]:
    """The rows with ``field`` renamed ``renamed`` (a source changing its schema unannounced)."""
    return [
        {(renamed if name == field else name): value for name, value in row.items()} for row in rows
    ]
