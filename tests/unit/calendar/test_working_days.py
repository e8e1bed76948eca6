"""Working days and deadlines over the official schedules, on a frozen clock."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest
import time_machine

from hub.calendar import BEIJING, WorkingCalendar, load_calendar
from hub.calendar.files import STANDARD_CALENDAR_DIR, read_schedules


@pytest.fixture
def calendar() -> WorkingCalendar:
    return load_calendar()


def test_the_seeded_years_are_official_and_later_ones_are_not(calendar: WorkingCalendar) -> None:
    assert calendar.official_years == tuple(range(2004, 2027))
    assert calendar.is_official(2025) and calendar.is_official(2026)
    assert not calendar.is_official(2027)
    assert not calendar.is_official(1999)


def test_make_up_working_days_and_holidays_override_the_weekday(calendar: WorkingCalendar) -> None:
    assert calendar.is_working_day(date(2025, 1, 26))  # Sunday, worked for 春节
    assert calendar.is_working_day(date(2025, 2, 8))  # Saturday, worked for 春节
    assert not calendar.is_working_day(date(2025, 1, 28))  # Tuesday, 除夕
    assert not calendar.is_working_day(date(2025, 2, 4))  # Tuesday, 初七
    assert not calendar.is_working_day(date(2025, 2, 9))  # an ordinary Sunday
    assert calendar.is_working_day(date(2025, 2, 5))  # the first day back


@time_machine.travel(datetime(2025, 1, 26, 9, 30, tzinfo=BEIJING), tick=False)
def test_seven_working_days_across_the_spring_festival(calendar: WorkingCalendar) -> None:
    deadline = calendar.add_working_days(datetime.now(BEIJING), 7)

    # 01-27, then the holiday 01-28..02-04, then 02-05, 06, 07, 08 (Saturday, worked), 10, 11.
    assert deadline.due_at == datetime(2025, 2, 11, 23, 59, 59, tzinfo=BEIJING)
    assert deadline.due_at.utcoffset() == BEIJING.utcoffset(deadline.due_at)
    assert deadline.provisional is False


@time_machine.travel(datetime(2025, 1, 26, 17, 0, tzinfo=UTC), tick=False)
def test_the_start_day_is_the_beijing_day(calendar: WorkingCalendar) -> None:
    # 17:00 UTC on the 26th is 01:00 on the 27th in Beijing: the 27th is the uncounted day.
    deadline = calendar.add_working_days(datetime.now(UTC), 7)

    assert deadline.due_at.date() == date(2025, 2, 12)


@time_machine.travel(datetime(2024, 12, 27, 16, 0, tzinfo=BEIJING), tick=False)
def test_three_working_days_across_new_year_2025(calendar: WorkingCalendar) -> None:
    # Friday the 27th is not counted: Monday 30, Tuesday 31, 1 January off, Thursday 2.
    deadline = calendar.add_working_days(datetime.now(BEIJING), 3)

    assert deadline.due_at.date() == date(2025, 1, 2)
    assert not deadline.provisional


@time_machine.travel(datetime(2025, 12, 31, 10, 0, tzinfo=BEIJING), tick=False)
def test_one_working_day_across_new_year_2026_lands_on_a_sunday(
    calendar: WorkingCalendar,
) -> None:
    # 1-3 January 2026 off, Sunday 4 January worked (调休).
    assert calendar.add_working_days(datetime.now(BEIJING), 1).due_at.date() == date(2026, 1, 4)


def test_a_naive_start_is_read_as_beijing_time(calendar: WorkingCalendar) -> None:
    deadline = calendar.add_working_days(datetime(2025, 1, 26, 23, 30), 1)

    assert deadline.due_at == datetime(2025, 1, 27, 23, 59, 59, tzinfo=BEIJING)


def test_zero_days_end_on_the_start_day_and_negative_days_are_refused(
    calendar: WorkingCalendar,
) -> None:
    assert calendar.add_working_days(datetime(2025, 2, 1, 8), 0).due_at.date() == date(2025, 2, 1)
    with pytest.raises(ValueError, match="days must be >= 0"):
        calendar.add_working_days(datetime(2025, 2, 1, 8), -1)


def test_next_working_day_skips_the_holiday_and_takes_the_make_up_saturday(
    calendar: WorkingCalendar,
) -> None:
    assert calendar.next_working_day(date(2025, 1, 27)) == date(2025, 2, 5)
    assert calendar.next_working_day(date(2025, 2, 7)) == date(2025, 2, 8)
    assert calendar.next_working_day(date(2025, 2, 8)) == date(2025, 2, 10)


def test_working_days_between_counts_after_start_up_to_end(calendar: WorkingCalendar) -> None:
    assert calendar.working_days_between(date(2025, 1, 26), date(2025, 2, 11)) == 7
    assert calendar.working_days_between(date(2025, 2, 11), date(2025, 1, 26)) == -7
    assert calendar.working_days_between(date(2025, 1, 27), date(2025, 2, 4)) == 0
    assert calendar.working_days_between(date(2025, 3, 3), date(2025, 3, 3)) == 0


@time_machine.travel(datetime(2026, 12, 30, 9, 0, tzinfo=BEIJING), tick=False)
def test_a_deadline_in_a_year_without_schedule_is_provisional_and_warned_once(
    calendar: WorkingCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="hub.calendar")

    first = calendar.add_working_days(datetime.now(BEIJING), 3)
    second = calendar.add_working_days(datetime.now(BEIJING), 10)

    # Plain weekdays: 31 December, then Friday 1 and Monday 4 January 2027.
    assert first.due_at.date() == date(2027, 1, 4)
    assert first.provisional and second.provisional
    warnings = [record for record in caplog.records if "2027" in record.getMessage()]
    assert len(warnings) == 1
    assert "hub calendar import" in warnings[0].getMessage()


@time_machine.travel(datetime(2026, 12, 30, 9, 0, tzinfo=BEIJING), tick=False)
def test_a_deadline_within_an_official_year_is_not_provisional(
    calendar: WorkingCalendar,
) -> None:
    assert not calendar.add_working_days(datetime.now(BEIJING), 1).provisional


def test_the_calendar_reads_the_deployment_folder_over_the_standard_one(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    deployment = tmp_path_factory.mktemp("calendar")
    (deployment / "2027.json").write_text(
        '{"year": 2027, "source": {"notice": "test notice"},'
        ' "holidays": [{"date": "2027-01-01", "name": "元旦"}], "makeup_workdays": []}',
        encoding="utf-8",
    )
    calendar = WorkingCalendar(read_schedules((STANDARD_CALENDAR_DIR, deployment)))

    assert calendar.is_official(2027)
    deadline = calendar.add_working_days(datetime(2026, 12, 30, 9), 3)
    assert deadline.due_at.date() == date(2027, 1, 5)
    assert not deadline.provisional
