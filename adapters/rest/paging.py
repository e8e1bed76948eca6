"""Where the next page is, and which records of a page are new: pagination and watermarks.

Pagination styles (``adapter.pagination.style``):

- ``page``: ``page=1, 2, ...`` with ``page_size``; ends at a short page;
- ``offset``: ``offset=0, n, 2n, ...`` with ``limit``; ends at a short page;
- ``cursor``: the body's ``next_pointer`` (a JSON pointer) holds the token for
  ``cursor_param``; ends when it is missing or empty (the first request sends the size);
- ``link``: the ``Link`` header's ``rel="next"`` URL; ends when there is none;
- ``none``: one request.

An incremental pull (``adapter.incremental``) keeps a watermark ``(updated, id)``, written
as the channel cursor ``2024-05-01T10:00:00Z|WO-123``. The request asks for
``updated_since >= updated``, which returns the boundary records again; those at or below
the watermark are dropped, so records sharing the boundary timestamp are neither lost nor
doubled, provided the remote orders by (updated, id) as the tie-breaker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hub.errors import ConfigurationError
from hub.mapping.paths import follow, pointer_parts


def json_pointer(document: Any, pointer: str) -> Any:
    """The value at an RFC 6901 ``pointer`` in ``document``, or None where the path ends."""
    return follow(document, pointer_parts(pointer))


@dataclass(frozen=True, order=True)
class Watermark:
    """The last record committed: its update time (UTC) and its id, the tie-breaker."""

    updated: datetime
    record_id: str

    @classmethod
    def parse(cls, cursor: str) -> Watermark:
        moment, separator, record_id = cursor.partition("|")
        try:
            updated = datetime.fromisoformat(moment)
        except ValueError:
            raise ConfigurationError(
                f"channel cursor {cursor!r} is not 'ISO-TIMESTAMP|ID'"
            ) from None
        if updated.tzinfo is None:
            updated = updated.replace(tzinfo=UTC)
        return cls(updated.astimezone(UTC), record_id if separator else "")

    def __str__(self) -> str:
        return f"{self.updated:%Y-%m-%dT%H:%M:%SZ}|{self.record_id}"


@dataclass(frozen=True)
class Incremental:
    """Which fields of a record carry its update time and id, and the query parameter."""

    since_param: str
    updated_field: str
    id_field: str
    source_timezone: timezone

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> Incremental:
        offset = datetime.strptime(settings.get("timezone", "+00:00"), "%z").utcoffset()
        return cls(
            since_param=settings.get("since_param", "updated_since"),
            updated_field=settings["updated_field"],
            id_field=settings["id_field"],
            source_timezone=timezone(offset or timedelta(0)),
        )

    def params(self, watermark: Watermark | None) -> dict[str, str]:
        if watermark is None:
            return {}
        return {self.since_param: f"{watermark.updated:%Y-%m-%dT%H:%M:%SZ}"}

    def position(self, record: Any) -> Watermark | None:
        """The record's place in the (updated, id) order; None for a record without one,
        which is passed on for the pipeline to quarantine."""
        if not isinstance(record, dict):
            return None
        updated, record_id = record.get(self.updated_field), record.get(self.id_field)
        if not isinstance(updated, str) or record_id is None:
            return None
        try:
            moment = datetime.fromisoformat(updated)
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.source_timezone)
        return Watermark(moment.astimezone(UTC), str(record_id))

    def select(
        self, records: list[Any], watermark: Watermark | None
    ) -> tuple[list[Any], Watermark | None]:
        """The records after ``watermark``, and the watermark after this page."""
        kept: list[Any] = []
        latest = watermark
        for record in records:
            position = self.position(record)
            if position is not None and watermark is not None and position <= watermark:
                continue
            kept.append(record)
            if position is not None and (latest is None or position > latest):
                latest = position
        return kept, latest


@dataclass(frozen=True)
class Pagination:
    style: str
    page_size: int
    page_param: str
    size_param: str
    cursor_param: str
    next_pointer: str

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> Pagination:
        style = settings.get("style", "none")
        default_params = {"offset": ("offset", "limit")}.get(style, ("page", "page_size"))
        return cls(
            style=style,
            page_size=int(settings.get("page_size", 100)),
            page_param=settings.get("page_param", default_params[0]),
            size_param=settings.get("size_param", default_params[1]),
            cursor_param=settings.get("cursor_param", "cursor"),
            next_pointer=settings.get("next_pointer", "/next"),
        )

    def first(self) -> dict[str, str]:
        if self.style == "page":
            return {self.page_param: "1", self.size_param: str(self.page_size)}
        if self.style == "offset":
            return {self.page_param: "0", self.size_param: str(self.page_size)}
        if self.style in ("cursor", "link"):
            return {self.size_param: str(self.page_size)}
        return {}

    def following(
        self, params: dict[str, str], document: Any, rows: int, links: dict[str, Any]
    ) -> tuple[str | None, dict[str, str]] | None:
        """(a new URL or None for the same, its params) of the next page; None at the end."""
        if self.style in ("page", "offset"):
            if rows < self.page_size:
                return None
            step = 1 if self.style == "page" else self.page_size
            return None, {**params, self.page_param: str(int(params[self.page_param]) + step)}
        if self.style == "cursor":
            token = json_pointer(document, self.next_pointer)
            return (None, {**params, self.cursor_param: str(token)}) if token else None
        if self.style == "link":
            next_url = links.get("next", {}).get("url")
            return (str(next_url), {}) if next_url else None
        return None
