"""Build ``standards/calendar/<year>.json`` from the package ``chinesecalendar``.

The official holiday schedule (放假安排, with its make-up working days 调休上班) is published
each year by a State Council General Office notice. ``chinesecalendar`` keeps every notice
since 2004 as data (its last year is the last notice it knows, 2026 in 1.11.0), so the seed
files are taken from it, with the package version recorded, rather than typed by hand.

How to regenerate (the package is a dependency of the hub)::

    .venv/bin/python standards/tools/build_calendar.py -o standards/calendar

What the conversion does, and why:

* Holiday names are the package's Chinese names (春节, 国庆节, ...). A make-up working day
  carries the name of the holiday it makes up for.
* ``NOTICES`` below adds the notice's number and publication date where they were checked
  against the published text; other years name the notice by its title only.
* Each file is checked by :func:`hub.calendar.schedule.parse_schedule` (make-up days on
  weekends, no day both off and worked) before it is written, in the canonical form that
  ``hub calendar import`` also writes.

A year the package does not know yet is added with ``hub calendar import FILE`` once its
notice is out (see ``standards/calendar/README.md``).
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from datetime import date
from pathlib import Path

from hub.calendar.schedule import NoticeSource, YearSchedule, parse_schedule

PACKAGE = "chinesecalendar"

# year -> (notice number, publication date), for the notices whose text was checked.
NOTICES: dict[int, tuple[str | None, date]] = {
    2025: ("国办发明电〔2024〕12号", date(2024, 11, 12)),
    2026: (None, date(2025, 11, 4)),
}


def notice_title(year: int) -> str:
    return f"国务院办公厅关于{year}年部分节假日安排的通知"


def build_schedules() -> list[YearSchedule]:
    """One schedule per year the package knows, each checked like an imported file."""
    from importlib.metadata import version

    import chinese_calendar

    chinese_names = {holiday.value: holiday.chinese for holiday in chinese_calendar.Holiday}
    holidays: dict[int, dict[date, str]] = defaultdict(dict)
    makeup: dict[int, dict[date, str]] = defaultdict(dict)
    for day, name in chinese_calendar.holidays.items():
        holidays[day.year][day] = chinese_names.get(name, name)
    for day, name in chinese_calendar.workdays.items():
        makeup[day.year][day] = chinese_names.get(name, name)
    via = f"{PACKAGE} {version(PACKAGE)}"
    schedules = []
    for year in sorted(holidays):
        number, published = NOTICES.get(year, (None, None))
        source = NoticeSource(notice_title(year), number=number, published=published, via=via)
        drafted = YearSchedule(year, source, holidays[year], makeup[year])
        schedules.append(parse_schedule(drafted.to_document(), origin=f"{via} {year}"))
    return schedules


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, required=True, help="standards/calendar")
    arguments = parser.parse_args()
    arguments.output.mkdir(parents=True, exist_ok=True)
    for schedule in build_schedules():
        (arguments.output / f"{schedule.year}.json").write_text(schedule.to_json(), "utf-8")
        print(
            f"{schedule.year}: {len(schedule.holidays)} days off, "
            f"{len(schedule.makeup_workdays)} make-up working days"
        )


if __name__ == "__main__":
    main()
