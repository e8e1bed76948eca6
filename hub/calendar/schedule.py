"""One year's official holiday schedule (放假安排) and the file shape that carries it.

Every year the State Council General Office (国务院办公厅) publishes a notice naming the days
off (放假) and the weekend days that become working days to make up for them (调休上班).
A year's schedule is one JSON file, ``standards/calendar/<year>.json`` or, in a deployment,
``$HUB_VAR_DIR/calendar/<year>.json``::

    {
      "year": 2025,
      "source": {"notice": "国务院办公厅关于2025年部分节假日安排的通知",
                 "number": "国办发明电〔2024〕12号", "published": "2024-11-12"},
      "holidays": [{"date": "2025-01-28", "name": "春节"}, ...],
      "makeup_workdays": [{"date": "2025-01-26", "name": "春节"}, ...]
    }

``holidays`` lists every day off of the notice, weekend days inside a holiday period
included; ``makeup_workdays`` lists the weekend days worked instead. ``number``,
``published`` and ``via`` (the package a seeded file was taken from) are optional; ``notice``
is required, so every schedule says where it comes from. :func:`parse_schedule` checks all
of it and reports every problem at once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from hub.errors import DataError

SATURDAY = 5
TOP_LEVEL_KEYS = frozenset({"year", "source", "holidays", "makeup_workdays"})
SOURCE_KEYS = frozenset({"notice", "number", "published", "via"})
FIRST_YEAR = 1900
LAST_YEAR = 2100


class ScheduleInvalid(DataError):
    """A schedule document breaks the rules; ``problems`` lists every one of them."""

    step = "calendar"

    def __init__(self, origin: str, problems: list[str]) -> None:
        super().__init__(f"{origin}: " + "; ".join(problems))
        self.origin = origin
        self.problems = tuple(problems)


@dataclass(frozen=True)
class NoticeSource:
    """Where a schedule comes from: the notice's title, number and date, and any package."""

    notice: str
    number: str | None = None
    published: date | None = None
    via: str | None = None

    def describe(self) -> str:
        details = [part for part in (self.number, self.published and str(self.published)) if part]
        text = self.notice + (f" ({', '.join(details)})" if details else "")
        return text + (f", via {self.via}" if self.via else "")


@dataclass(frozen=True)
class YearSchedule:
    """The days off and the make-up working days (调休上班) of one year, by date."""

    year: int
    source: NoticeSource
    holidays: Mapping[date, str] = field(default_factory=dict)
    makeup_workdays: Mapping[date, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "holidays", MappingProxyType(dict(sorted(self.holidays.items()))))
        object.__setattr__(
            self, "makeup_workdays", MappingProxyType(dict(sorted(self.makeup_workdays.items())))
        )

    def to_document(self) -> dict[str, Any]:
        """The canonical JSON document of this schedule (the inverse of parse_schedule)."""
        source: dict[str, str] = {"notice": self.source.notice}
        if self.source.number:
            source["number"] = self.source.number
        if self.source.published:
            source["published"] = self.source.published.isoformat()
        if self.source.via:
            source["via"] = self.source.via
        return {
            "year": self.year,
            "source": source,
            "holidays": [{"date": d.isoformat(), "name": n} for d, n in self.holidays.items()],
            "makeup_workdays": [
                {"date": d.isoformat(), "name": n} for d, n in self.makeup_workdays.items()
            ],
        }

    def to_json(self) -> str:
        """The canonical file text: one day per line, so that a notice's diff reads well."""
        document = self.to_document()
        lines = ["{", f'  "year": {self.year},']
        lines.append(f'  "source": {json.dumps(document["source"], ensure_ascii=False)},')
        for key in ("holidays", "makeup_workdays"):
            entries = [json.dumps(entry, ensure_ascii=False) for entry in document[key]]
            body = ",\n".join(f"    {entry}" for entry in entries)
            closing = "," if key == "holidays" else ""
            lines.append(
                f'  "{key}": [\n{body}\n  ]{closing}' if entries else f'  "{key}": []{closing}'
            )
        lines.append("}")
        return "\n".join(lines) + "\n"


def parse_schedule(document: object, *, origin: str) -> YearSchedule:
    """Check a schedule document and build it; raise :class:`ScheduleInvalid` listing every
    problem: unknown keys, a missing source, a malformed date, a date outside the year, a
    date given twice, a date both a holiday and a make-up day, a make-up day on a weekday."""
    if not isinstance(document, dict):
        raise ScheduleInvalid(origin, ["the document must be a JSON object"])
    problems: list[str] = []
    unknown = sorted(set(document) - TOP_LEVEL_KEYS)
    if unknown:
        problems.append(f"unknown key(s) {', '.join(unknown)}; known: {sorted(TOP_LEVEL_KEYS)}")
    year = document.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not FIRST_YEAR <= year <= LAST_YEAR:
        problems.append(f"year must be an integer from {FIRST_YEAR} to {LAST_YEAR}, got {year!r}")
        year = None
    source = _parse_source(document.get("source"), problems)
    holidays = _parse_days(document.get("holidays"), "holidays", year, problems)
    makeup = _parse_days(document.get("makeup_workdays", []), "makeup_workdays", year, problems)
    if not holidays and "holidays" in document and isinstance(document["holidays"], list):
        problems.append("holidays is empty: a notice always names days off")
    for day in sorted(set(holidays) & set(makeup)):
        problems.append(f"{day} is both a holiday and a make-up working day")
    for day in sorted(makeup):
        if day.weekday() < SATURDAY:
            problems.append(
                f"make-up working day {day} is a {day.strftime('%A')}, not a weekend day"
            )
    if problems or year is None or source is None:
        raise ScheduleInvalid(origin, problems)
    return YearSchedule(year=year, source=source, holidays=holidays, makeup_workdays=makeup)


def _parse_source(value: object, problems: list[str]) -> NoticeSource | None:
    if not isinstance(value, dict):
        problems.append("source must be an object naming at least the notice")
        return None
    unknown = sorted(set(value) - SOURCE_KEYS)
    if unknown:
        problems.append(f"unknown source key(s) {', '.join(unknown)}; known: {sorted(SOURCE_KEYS)}")
    notice = value.get("notice")
    if not isinstance(notice, str) or not notice.strip():
        problems.append("source.notice must name the notice (its title)")
        return None
    texts: dict[str, str | None] = {}
    for key in ("number", "published", "via"):
        text = value.get(key)
        if text is not None and not isinstance(text, str):
            problems.append(f"source.{key} must be a string")
            text = None
        texts[key] = text
    published = None
    if texts["published"] is not None:
        published = _parse_date(texts["published"], "source.published", problems)
    return NoticeSource(
        notice=notice, number=texts["number"], published=published, via=texts["via"]
    )


def _parse_days(value: object, key: str, year: int | None, problems: list[str]) -> dict[date, str]:
    if not isinstance(value, list):
        problems.append(f"{key} must be a list of {{date, name}} objects")
        return {}
    days: dict[date, str] = {}
    for position, entry in enumerate(value):
        where = f"{key}[{position}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            problems.append(f"{where} must be an object with a date and a name")
            continue
        day = _parse_date(entry.get("date"), where, problems)
        if day is None:
            continue
        if year is not None and day.year != year:
            problems.append(f"{where} {day} is not in {year}")
        elif day in days:
            problems.append(f"{where} {day} is listed twice")
        else:
            days[day] = entry["name"]
    return days


def _parse_date(value: object, where: str, problems: list[str]) -> date | None:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    problems.append(f"{where} date must be YYYY-MM-DD, got {value!r}")
    return None
