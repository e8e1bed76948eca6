"""The working-day calendar: official holidays and make-up working days (调休), deadlines.

    from hub.calendar import load_calendar
    deadline = load_calendar().add_working_days(received_at, 7)
    deadline.due_at, deadline.provisional

Schedules are data (``standards/calendar/<year>.json``, overridden by
``$HUB_VAR_DIR/calendar``); ``hub calendar import`` adds a year's State Council notice.
"""

from __future__ import annotations

from hub.calendar.schedule import NoticeSource, ScheduleInvalid, YearSchedule, parse_schedule
from hub.calendar.working import (
    BEIJING,
    Deadline,
    WorkingCalendar,
    clear_calendar_cache,
    load_calendar,
)

__all__ = [
    "BEIJING",
    "Deadline",
    "NoticeSource",
    "ScheduleInvalid",
    "WorkingCalendar",
    "YearSchedule",
    "clear_calendar_cache",
    "load_calendar",
    "parse_schedule",
]
