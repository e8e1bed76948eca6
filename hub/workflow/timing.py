"""Time limits in working days, on the State Council calendar (:mod:`hub.calendar`).

A state's limit runs from the moment the instance entered it; the deadline is the end of the
last working day (23:59:59 Beijing time), the day of entry not counted (期间开始之日不计算在内).
In a year whose holiday schedule is not published yet the calendar counts plain weekdays and
the deadline is flagged ``provisional``.

- A **reminder** (催办) is due once the deadline is at most ``reminders.before_working_days``
  working days away and not passed.
- An **escalation** (督办) of level 1 is due once the deadline has passed; level n (up to
  ``escalation.max_level``) once it is ``(n - 1) × again_after_working_days`` working days
  late, mirroring the 12345 practice of a circular some working days after a first reminder.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from hub.calendar import Deadline, load_calendar
from hub.store.base import utcnow
from hub.workflow.definition import WorkflowDefinition

BEIJING = ZoneInfo("Asia/Shanghai")


def state_deadline(
    definition: WorkflowDefinition,
    state: str,
    attributes: Mapping[str, Any],
    entered_at: datetime,
) -> Deadline | None:
    """When an instance entering ``state`` at ``entered_at`` must leave it (in UTC); None: no
    limit."""
    if definition.is_terminal(state):
        return None
    days = definition.time_limit(state, attributes)
    if days is None:
        return None
    deadline = load_calendar().add_working_days(entered_at, days)
    return Deadline(due_at=utc(deadline.due_at), provisional=deadline.provisional)


def aware(moment: datetime) -> datetime:
    """``moment`` with a time zone (SQLite hands UTC times back naive)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def utc(moment: datetime | None = None) -> datetime:
    """``moment`` (default: now) in UTC, as every time is stored: SQLite keeps no offset, so
    a time stored in another zone would compare wrongly there. A naive one is taken as UTC."""
    return utcnow() if moment is None else aware(moment).astimezone(UTC)


def reminder_due(definition: WorkflowDefinition, due_at: datetime, now: datetime) -> bool:
    """Whether a reminder before ``due_at`` is due at ``now``."""
    before = definition.remind_before_working_days
    due, moment = aware(due_at), aware(now)
    if before is None or moment > due:
        return False
    today, last_day = moment.astimezone(BEIJING).date(), due.astimezone(BEIJING).date()
    return load_calendar().working_days_between(today, last_day) <= before


def escalation_level_due(definition: WorkflowDefinition, due_at: datetime, now: datetime) -> int:
    """The escalation level a deadline of ``due_at`` has reached at ``now`` (0: not late)."""
    escalation = definition.escalation
    due, moment = aware(due_at), aware(now)
    if escalation is None or moment <= due:
        return 0
    if escalation.again_after_working_days is None:
        return 1
    late_days = load_calendar().working_days_between(
        due.astimezone(BEIJING).date(), moment.astimezone(BEIJING).date()
    )
    level = 1 + late_days // escalation.again_after_working_days
    return min(level, escalation.max_level)


def supervisor_department(definition: WorkflowDefinition, region_code: str | None) -> str | None:
    """The department escalations go to, its ``{province}``/``{city}``/``{county}`` filled
    from ``region_code``; None when the template needs a region the instance lacks."""
    if definition.escalation is None:
        return None
    template = definition.escalation.supervisor_department
    if "{" not in template:
        return template
    if not region_code:
        return None
    return template.format(province=region_code[:2], city=region_code[:4], county=region_code[:6])
