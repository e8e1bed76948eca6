"""Rules that hold for every date from 1900 to 2100, official year or not."""

from __future__ import annotations

from datetime import date, datetime, time

from hypothesis import given
from hypothesis import strategies as st

from hub.calendar import BEIJING, WorkingCalendar
from hub.calendar.files import STANDARD_CALENDAR_DIR, read_schedules

CALENDAR = WorkingCalendar(read_schedules((STANDARD_CALENDAR_DIR,)))
days_in_range = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
time_limits = st.integers(min_value=0, max_value=400)


@given(start=days_in_range, clock=st.times(), days=time_limits)
def test_a_deadline_ends_on_a_working_day_exactly_days_later(
    start: date, clock: time, days: int
) -> None:
    deadline = CALENDAR.add_working_days(datetime.combine(start, clock), days)

    due_day = deadline.due_at.date()
    assert deadline.due_at.tzinfo == BEIJING and deadline.due_at.time() == time(23, 59, 59)
    assert CALENDAR.working_days_between(start, due_day) == days
    if days:
        assert CALENDAR.is_working_day(due_day)
    spanned = range(start.year, due_day.year + 1)
    assert deadline.provisional == (not all(CALENDAR.is_official(year) for year in spanned))


@given(day=st.dates())
def test_every_representable_day_is_classified(day: date) -> None:
    working = CALENDAR.is_working_day(day)

    if not CALENDAR.is_official(day.year):
        assert working == (day.weekday() < 5)


@given(day=days_in_range)
def test_the_next_working_day_is_one_working_day_later(day: date) -> None:
    following = CALENDAR.next_working_day(day)

    assert following > day and CALENDAR.is_working_day(following)
    assert CALENDAR.working_days_between(day, following) == 1


@given(first=days_in_range, second=days_in_range, third=days_in_range)
def test_working_days_between_adds_up_and_reverses(first: date, second: date, third: date) -> None:
    between = CALENDAR.working_days_between

    assert between(first, second) == -between(second, first)
    assert between(first, second) + between(second, third) == between(first, third)


@given(start=st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 31)))
def test_counting_agrees_with_a_day_by_day_count(start: date) -> None:
    end = date(2026, 12, 31)
    stepped, day = 0, start
    while day < end:
        day = CALENDAR.next_working_day(day)
        stepped += day <= end
    assert CALENDAR.working_days_between(start, end) == stepped
