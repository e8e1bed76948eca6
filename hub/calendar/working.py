"""Working days (工作日) under the official holiday schedule, and deadlines counted in them.

A day is a working day when the year's schedule makes it one: a make-up working day
(调休上班) is one even on a weekend, a holiday (放假) is not even on a weekday, any other day
is one from Monday to Friday. A year without an official schedule is counted in plain
weekdays: every deadline that touches it is *provisional*, and the hub logs a warning once
per such year so that operators import the notice (``hub calendar import``).

Time limits follow the rule that the day a period starts is not counted
(期间开始之日不计算在内): three working days from a Friday ending in a normal week end on
the next Wednesday, at 23:59:59 Beijing time.

    >>> cal = load_calendar()
    >>> cal.add_working_days(datetime(2025, 1, 26, 9, 0), 7).due_at.date()   # over 春节
    datetime.date(2025, 2, 11)
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from hub.calendar.files import calendar_directories, read_schedules
from hub.calendar.schedule import SATURDAY, YearSchedule

BEIJING = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59)
ONE_DAY = timedelta(days=1)
logger = logging.getLogger("hub.calendar")


@dataclass(frozen=True)
class Deadline:
    """When a time limit ends, and whether a year without official schedule was counted."""

    due_at: datetime
    provisional: bool


class WorkingCalendar:
    """Working days over the official schedules it holds, plain weekdays for other years."""

    def __init__(self, schedules: Mapping[int, YearSchedule]) -> None:
        self._schedules = dict(schedules)
        self._warned_years: set[int] = set()
        self._warning_lock = threading.Lock()

    @property
    def official_years(self) -> tuple[int, ...]:
        return tuple(sorted(self._schedules))

    def schedule(self, year: int) -> YearSchedule | None:
        """The official schedule of ``year``, or None when the notice was not imported."""
        return self._schedules.get(year)

    def is_official(self, year: int) -> bool:
        """False when ``year`` has no official schedule: plain weekdays, deadlines provisional."""
        return year in self._schedules

    def is_working_day(self, day: date) -> bool:
        schedule = self._schedule_or_warn(day.year)
        if schedule is not None:
            if day in schedule.makeup_workdays:
                return True
            if day in schedule.holidays:
                return False
        return day.weekday() < SATURDAY

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        candidate = _day_after(day)
        while not self.is_working_day(candidate):
            candidate = _day_after(candidate)
        return candidate

    def add_working_days(self, start: datetime, days: int) -> Deadline:
        """The end (23:59:59 Beijing time) of the ``days``-th working day after ``start``'s day.

        ``start`` is read in Beijing time (a naive value is taken to be Beijing time already);
        its own day is not counted. ``days=0`` ends the period on the start day itself.
        """
        if days < 0:
            raise ValueError(f"a time limit counts forward: days must be >= 0, got {days}")
        first_day = _beijing_day(start)
        due_day = first_day
        for _ in range(days):
            due_day = self.next_working_day(due_day)
        return Deadline(
            due_at=datetime.combine(due_day, END_OF_DAY, tzinfo=BEIJING),
            provisional=not self._all_official(range(first_day.year, due_day.year + 1)),
        )

    def working_days_between(self, start: date, end: date) -> int:
        """The working days after ``start`` up to and including ``end``; negative (the same
        count, reversed) when ``end`` is before ``start``, so that a late item reads as
        ``-days`` late."""
        if end < start:
            return -self.working_days_between(end, start)
        if end == start:
            return 0
        first = start + ONE_DAY
        count = _weekdays_from_to(first, end)
        for year in range(first.year, end.year + 1):
            schedule = self._schedule_or_warn(year)
            if schedule is None:
                continue
            count -= sum(
                1 for day in schedule.holidays if first <= day <= end and day.weekday() < SATURDAY
            )
            count += sum(1 for day in schedule.makeup_workdays if first <= day <= end)
        return count

    def _all_official(self, years: Iterable[int]) -> bool:
        official = True
        for year in years:
            if self._schedule_or_warn(year) is None:
                official = False
        return official

    def _schedule_or_warn(self, year: int) -> YearSchedule | None:
        schedule = self._schedules.get(year)
        if schedule is None and year not in self._warned_years:
            with self._warning_lock:
                if year not in self._warned_years:
                    self._warned_years.add(year)
                    logger.warning(
                        "no official holiday schedule for %d: counting plain weekdays, "
                        "deadlines in %d are provisional; import the State Council notice "
                        "with `hub calendar import`",
                        year,
                        year,
                    )
        return schedule


def load_calendar() -> WorkingCalendar:
    """The calendar of ``standards/calendar`` overridden by ``$HUB_VAR_DIR/calendar``; cached
    per pair of folders (a process started before an import picks it up after restart or
    :func:`clear_calendar_cache`)."""
    return _calendar_of(calendar_directories())


def clear_calendar_cache() -> None:
    """Forget the cached calendars, e.g. right after importing a schedule."""
    _calendar_of.cache_clear()


@lru_cache(maxsize=4)
def _calendar_of(directories: tuple[Path, ...]) -> WorkingCalendar:
    return WorkingCalendar(read_schedules(directories))


def _beijing_day(moment: datetime) -> date:
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(BEIJING).date()


def _day_after(day: date) -> date:
    if day == date.max:
        raise ValueError("no day after 9999-12-31: the time limit runs past the last date")
    return day + ONE_DAY


def _weekdays_from_to(first: date, last: date) -> int:
    """Monday-to-Friday days from ``first`` to ``last``, both included, without a loop."""
    length = (last - first).days + 1
    weeks, remainder = divmod(length, 7)
    start_weekday = first.weekday()
    return weeks * 5 + sum(1 for offset in range(remainder) if (start_weekday + offset) % 7 < 5)
