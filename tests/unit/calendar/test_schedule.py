"""Schedule files: the seeded years, and every rule an imported notice must meet."""

from __future__ import annotations

from datetime import date
from typing import Any

import chinese_calendar
import pytest

from hub.calendar import ScheduleInvalid, parse_schedule
from hub.calendar.files import STANDARD_CALENDAR_DIR, read_schedule_file
from standards.tools.build_calendar import build_schedules


def notice(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "year": 2027,
        "source": {
            "notice": "国务院办公厅关于2027年部分节假日安排的通知",
            "published": "2026-11-05",
        },
        "holidays": [
            {"date": "2027-01-01", "name": "元旦"},
            {"date": "2027-02-06", "name": "春节"},
        ],
        "makeup_workdays": [{"date": "2027-02-13", "name": "春节"}],
    }
    document.update(changes)
    return document


def problems_of(document: object) -> tuple[str, ...]:
    with pytest.raises(ScheduleInvalid) as refused:
        parse_schedule(document, origin="2027.json")
    return refused.value.problems


def test_a_valid_notice_is_read_and_written_back_unchanged() -> None:
    schedule = parse_schedule(notice(), origin="2027.json")

    assert schedule.holidays == {date(2027, 1, 1): "元旦", date(2027, 2, 6): "春节"}
    assert schedule.makeup_workdays == {date(2027, 2, 13): "春节"}
    assert schedule.source.published == date(2026, 11, 5)
    assert parse_schedule(schedule.to_document(), origin="again") == schedule


def test_a_date_outside_the_year_is_refused() -> None:
    document = notice(holidays=[{"date": "2026-12-31", "name": "元旦"}])

    assert "holidays[0] 2026-12-31 is not in 2027" in problems_of(document)


def test_a_day_both_off_and_worked_is_refused() -> None:
    document = notice(makeup_workdays=[{"date": "2027-02-06", "name": "春节"}])

    assert "2027-02-06 is both a holiday and a make-up working day" in problems_of(document)


def test_a_make_up_day_on_a_weekday_is_refused() -> None:
    document = notice(makeup_workdays=[{"date": "2027-02-15", "name": "春节"}])

    assert problems_of(document) == (
        "make-up working day 2027-02-15 is a Monday, not a weekend day",
    )


def test_every_problem_is_listed_at_once() -> None:
    document = notice(
        year=2027,
        source={"number": "国办发明电〔2026〕1号"},
        holidays=[{"date": "2027-13-01", "name": "元旦"}, {"date": "2027-02-06"}],
        makeup_workdays=[{"date": "2027-02-13", "name": "春节"}] * 2,
        makeup_days=[],
    )

    problems = problems_of(document)

    assert any(problem.startswith("unknown key(s) makeup_days") for problem in problems)
    assert "source.notice must name the notice (its title)" in problems
    assert "holidays[0] date must be YYYY-MM-DD, got '2027-13-01'" in problems
    assert "holidays[1] must be an object with a date and a name" in problems
    assert "makeup_workdays[1] 2027-02-13 is listed twice" in problems


@pytest.mark.parametrize("year", [None, "2027", 1899, 2101, True])
def test_the_year_must_be_a_supported_integer(year: object) -> None:
    assert any(
        problem.startswith("year must be an integer") for problem in problems_of(notice(year=year))
    )


def test_a_document_that_is_not_an_object_is_refused() -> None:
    assert problems_of([]) == ("the document must be a JSON object",)


def test_the_seeded_files_are_what_the_tool_builds_from_chinesecalendar() -> None:
    built = {schedule.year: schedule for schedule in build_schedules()}

    assert sorted(built) == list(range(2004, 2027))
    for year, schedule in built.items():
        path = STANDARD_CALENDAR_DIR / f"{year}.json"
        assert path.read_text(encoding="utf-8") == schedule.to_json(), path
        assert read_schedule_file(path) == schedule


def test_the_seeded_days_match_the_package_day_by_day() -> None:
    seeded = {s.year: s for s in build_schedules()}
    for day in chinese_calendar.holidays:
        assert day in seeded[day.year].holidays
    for day in chinese_calendar.workdays:
        assert day in seeded[day.year].makeup_workdays
    assert seeded[2025].source.number == "国办发明电〔2024〕12号"
