"""Where schedules live, reading them, and importing a new year's schedule.

Two folders, read in this order, a later one overriding an earlier one year by year:

1. ``standards/calendar/`` — versioned with the code, seeded by
   ``standards/tools/build_calendar.py``; read-only in a deployment.
2. ``$HUB_VAR_DIR/calendar/`` — where ``hub calendar import`` writes by default, so that a
   deployment whose package folder is read-only can add next year's notice without a
   release. Commit the file to ``standards/calendar/`` later (``--into-standards``) so that
   every installation gets it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import standards
from hub.calendar.schedule import ScheduleInvalid, YearSchedule, parse_schedule
from hub.errors import ConfigurationError
from hub.settings import get_settings

STANDARD_CALENDAR_DIR = Path(standards.__file__).resolve().parent / "calendar"


def deployment_calendar_dir() -> Path:
    """``$HUB_VAR_DIR/calendar``: the writable folder that overrides the standard one."""
    return get_settings().var_dir / "calendar"


def calendar_directories() -> tuple[Path, ...]:
    """The folders schedules are read from, in override order (last one wins)."""
    return (STANDARD_CALENDAR_DIR, deployment_calendar_dir())


def read_schedules(directories: tuple[Path, ...]) -> dict[int, YearSchedule]:
    """Every ``<year>.json`` of the folders; a broken file stops the hub and is named."""
    schedules: dict[int, YearSchedule] = {}
    for directory in directories:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.json")):
            schedule = read_schedule_file(path)
            if path.stem != str(schedule.year):
                raise ConfigurationError(
                    f"{path}: holds the schedule of {schedule.year}; name it {schedule.year}.json"
                )
            schedules[schedule.year] = schedule
    return schedules


def read_schedule_file(path: Path) -> YearSchedule:
    """Parse and check one schedule file (see :mod:`hub.calendar.schedule` for its shape)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ScheduleInvalid(str(path), [f"cannot be read: {exc}"]) from exc
    except json.JSONDecodeError as exc:
        raise ScheduleInvalid(str(path), [f"is not JSON: {exc}"]) from exc
    return parse_schedule(document, origin=str(path))


def write_schedule(schedule: YearSchedule, directory: Path, *, replace: bool) -> Path:
    """Write ``<year>.json`` into ``directory`` atomically, in the canonical form.

    An existing file for that year is only replaced with ``replace=True`` (an amended notice,
    as for the 2020 Spring Festival); otherwise :class:`ScheduleInvalid` says so and nothing
    is written."""
    target = directory / f"{schedule.year}.json"
    if target.exists() and not replace:
        raise ScheduleInvalid(
            str(target), [f"a schedule for {schedule.year} exists; pass --replace to replace it"]
        )
    directory.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{schedule.year}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(schedule.to_json())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
