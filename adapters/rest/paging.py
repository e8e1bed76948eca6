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

A channel may pull several collections (``adapter.collections``), each a ``Collection`` with
its own watermark. Their cursor is still one string, a JSON object by message,
``{"laws": "2026-06-28T12:00:00Z|FL0001", "law_articles": "..."}`` (``Positions``), so a run
cut short resumes every collection where it stopped. The single-collection form keeps
writing the plain watermark, and a plain watermark is read as the first collection's, so a
channel that moves to ``collections`` keeps its place.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
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
        self, records: list[Any], watermark: Watermark | None, *, since: Watermark | None
    ) -> tuple[list[Any], Watermark | None, int]:
        """The records after ``since`` (the run's starting watermark), the watermark after
        this page, and how many kept records come before ``watermark`` (the latest seen).

        Records at or before ``since`` are the inclusive boundary of ``updated_since``: seen
        by an earlier run. A record after ``since`` but before ``watermark`` is out of order
        (a page served late): it is kept, since dropping it would lose it, and counted.
        """
        kept: list[Any] = []
        latest = watermark
        late = 0
        for record in records:
            position = self.position(record)
            if position is not None and since is not None and position <= since:
                continue
            kept.append(record)
            if position is None:
                continue
            if watermark is not None and position < watermark:
                late += 1
            if latest is None or position > latest:
                latest = position
        return kept, latest, late


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


@dataclass(frozen=True)
class Collection:
    """One collection a channel pulls: the message its pages belong to, where it is, where a
    page keeps its records, and how it is paged and incremented."""

    message: str
    path: str
    records: str
    params: dict[str, str]
    pagination: Pagination
    incremental: Incremental | None

    @classmethod
    def from_settings(cls, defaults: Mapping[str, Any], own: Mapping[str, Any]) -> Collection:
        """``own`` settings (one entry of ``collections``), each missing one taken whole from
        the adapter's top-level ``defaults``: settings replace, they do not merge, so a
        collection's ``incremental`` is read as written."""

        def setting(name: str, default: Any) -> Any:
            return own.get(name, defaults.get(name, default))

        incremental = setting("incremental", None)
        return cls(
            message=str(own["message"]),
            path=str(setting("path", "")),
            records=str(setting("records", "")),
            params={key: str(value) for key, value in setting("params", {}).items()},
            pagination=Pagination.from_settings(setting("pagination", {})),
            incremental=Incremental.from_settings(incremental) if incremental else None,
        )


@dataclass
class Positions:
    """The channel cursor as each collection's watermark, by message.

    ``plain`` names the message of a single-collection channel, whose cursor is written as
    its bare watermark (what it always was); otherwise the cursor is the JSON object of every
    collection's watermark, so that committing one collection's page keeps the others' place.
    """

    watermarks: dict[str, str]
    plain: str | None

    @classmethod
    def parse(cls, cursor: str | None, first: str, *, plain: bool) -> Positions:
        """The positions in ``cursor``: a JSON object {message: watermark}, or a plain
        watermark, which is the first collection's (a cursor of the single-collection form)."""
        if not cursor:
            watermarks: dict[str, str] = {}
        elif cursor.startswith("{"):
            watermarks = _watermarks_by_message(cursor)
        else:
            watermarks = {first: cursor}
        return cls(watermarks, first if plain else None)

    def watermark(self, message: str) -> Watermark | None:
        written = self.watermarks.get(message)
        return Watermark.parse(written) if written else None

    def advance(self, message: str, watermark: Watermark) -> None:
        self.watermarks[message] = str(watermark)

    def cursor(self) -> str | None:
        """The channel cursor to commit: every collection's watermark (or the one's, bare)."""
        if self.plain is not None:
            return self.watermarks.get(self.plain)
        return json.dumps(self.watermarks, ensure_ascii=False) if self.watermarks else None


def _watermarks_by_message(cursor: str) -> dict[str, str]:
    """The JSON object of a cursor of several collections; anything else was not written by
    this adapter, and guessing a place in it could skip records."""
    try:
        decoded = json.loads(cursor)
    except ValueError:
        decoded = None
    if isinstance(decoded, dict) and all(isinstance(value, str) for value in decoded.values()):
        return decoded
    raise ConfigurationError(
        f"channel cursor {cursor!r} is not a JSON object of watermarks by message"
    )
