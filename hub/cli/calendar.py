"""``hub calendar``: the official holiday schedule (放假安排) and working-day deadlines.

    hub calendar show YEAR                 days off and make-up working days of YEAR
    hub calendar import FILE [--replace]   add a year's State Council notice (JSON)
    hub calendar deadline START DAYS       the end of DAYS working days after START

``import`` writes to ``$HUB_VAR_DIR/calendar`` (writable in a deployment, it overrides
``standards/calendar``); ``--into-standards`` writes to the package's ``standards/calendar``
instead, for a maintainer who commits the file. Exit code 2: the file was refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from hub.calendar import ScheduleInvalid, clear_calendar_cache, load_calendar
from hub.calendar.estimate import estimated_holidays
from hub.calendar.files import (
    STANDARD_CALENDAR_DIR,
    deployment_calendar_dir,
    read_schedule_file,
    write_schedule,
)
from hub.cli.exchange import make_console

calendar_app = typer.Typer(
    help="The official holiday schedule with make-up working days (调休), and deadlines.",
    no_args_is_help=True,
)
console = make_console()


@calendar_app.command("show")
def show_command(year: Annotated[int, typer.Argument(help="the year, e.g. 2026")]) -> None:
    """Print the year's days off and make-up working days, and where they come from."""
    schedule = load_calendar().schedule(year)
    if schedule is None:
        _print_estimate(year)
        return
    console.print(f"{year}: official, from {escape(schedule.source.describe())}", highlight=False)
    _print_days("days off (放假)", schedule.holidays)
    _print_days("make-up working days (调休上班)", schedule.makeup_workdays)


@calendar_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="the year's schedule, JSON (see `show`'s shape)")],
    replace: Annotated[
        bool, typer.Option("--replace", help="replace the year's schedule (amended notice)")
    ] = False,
    into_standards: Annotated[
        bool,
        typer.Option("--into-standards", help="write to standards/calendar, not HUB_VAR_DIR"),
    ] = False,
) -> None:
    """Check a year's schedule and add it to the calendar; every problem is listed at once."""
    directory = STANDARD_CALENDAR_DIR if into_standards else deployment_calendar_dir()
    try:
        schedule = read_schedule_file(file)
        target = write_schedule(schedule, directory, replace=replace)
    except ScheduleInvalid as exc:
        console.print(f"[red]refused:[/red] {escape(exc.origin)}", highlight=False)
        for problem in exc.problems:
            console.print(f"  - {escape(problem)}", highlight=False)
        raise typer.Exit(code=2) from exc
    clear_calendar_cache()
    console.print(
        f"imported {schedule.year}: {len(schedule.holidays)} days off, "
        f"{len(schedule.makeup_workdays)} make-up working days -> {target}",
        highlight=False,
    )


@calendar_app.command("deadline")
def deadline_command(
    start: Annotated[str, typer.Argument(help="start day or moment, e.g. 2025-01-26")],
    days: Annotated[int, typer.Argument(min=0, help="working days; the start day is not counted")],
) -> None:
    """The end of a time limit of DAYS working days starting on START (Beijing time)."""
    try:
        moment = datetime.fromisoformat(start)
    except ValueError as exc:
        console.print(f"[red]not a date:[/red] {escape(start)} (use YYYY-MM-DD)", highlight=False)
        raise typer.Exit(code=2) from exc
    deadline = load_calendar().add_working_days(moment, days)
    console.print(f"due {deadline.due_at.isoformat(sep=' ')}", highlight=False)
    if deadline.provisional:
        console.print(
            "[yellow]provisional:[/yellow] counts plain weekdays in a year without an official "
            "schedule; import its notice with `hub calendar import`",
            highlight=False,
        )


def _print_days(title: str, days: Mapping[date, str]) -> None:
    console.print(f"{title}: {len(days)}")
    for day, name in days.items():
        console.print(f"  {day} {day.strftime('%a')}  {escape(name)}", highlight=False)


def _print_estimate(year: int) -> None:
    console.print(
        f"[yellow]{year}: no official schedule[/yellow]: working days are counted as plain "
        "weekdays and every deadline in it is provisional",
        highlight=False,
    )
    estimate = estimated_holidays(year)
    if estimate:
        _print_days(
            "estimated days off (holidays package; not counted, make-up days unknown)", estimate
        )
