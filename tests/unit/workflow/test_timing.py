"""Deadlines in working days on the official calendar; reminder and escalation rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.workflow import load_workflow
from hub.workflow.timing import (
    BEIJING,
    escalation_level_due,
    reminder_due,
    state_deadline,
    supervisor_department,
)

COMPLAINT = load_workflow("complaint")


def _beijing(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=BEIJING)


def test_a_limit_over_the_spring_festival_skips_the_holiday_and_counts_the_make_up_day() -> None:
    # Thursday 12 February 2026: Saturday 14 February is a make-up working day, 15-23 are off.
    deadline = state_deadline(
        COMPLAINT, "received", {"source": "hotline_12345"}, _beijing(2026, 2, 12)
    )
    assert deadline is not None
    assert deadline.due_at == datetime(2026, 2, 24, 23, 59, 59, tzinfo=BEIJING)
    assert not deadline.provisional


def test_a_limit_over_new_year_and_in_an_unpublished_year_is_provisional() -> None:
    deadline = state_deadline(
        COMPLAINT, "handling", {"kind": "consultation"}, _beijing(2026, 12, 30)
    )
    assert deadline is not None
    assert deadline.due_at.astimezone(BEIJING).date().year == 2027
    assert deadline.provisional


def test_terminal_states_have_no_deadline() -> None:
    assert state_deadline(COMPLAINT, "closed", {}, _beijing(2026, 5, 11)) is None


def test_a_reminder_is_due_on_the_last_working_day_before_the_deadline_and_on_it() -> None:
    due = datetime(2026, 5, 15, 23, 59, 59, tzinfo=BEIJING)  # a Friday
    assert not reminder_due(COMPLAINT, due, _beijing(2026, 5, 13))
    assert reminder_due(COMPLAINT, due, _beijing(2026, 5, 14))
    assert reminder_due(COMPLAINT, due, _beijing(2026, 5, 15, 23))
    assert not reminder_due(COMPLAINT, due, _beijing(2026, 5, 16))  # late: escalation's turn


def test_escalation_levels_rise_every_five_working_days_late_up_to_the_maximum() -> None:
    due = datetime(2026, 5, 15, 23, 59, 59, tzinfo=BEIJING)
    assert escalation_level_due(COMPLAINT, due, _beijing(2026, 5, 15, 23)) == 0
    assert escalation_level_due(COMPLAINT, due, _beijing(2026, 5, 16)) == 1
    assert escalation_level_due(COMPLAINT, due, _beijing(2026, 5, 21)) == 1  # 4 working days
    assert escalation_level_due(COMPLAINT, due, _beijing(2026, 5, 22)) == 2  # 5 working days
    assert escalation_level_due(COMPLAINT, due, _beijing(2026, 9, 1)) == 2


def test_escalations_go_to_the_province_data_bureau_of_the_region() -> None:
    assert supervisor_department(COMPLAINT, "340104") == "SJZY-34"
    assert supervisor_department(COMPLAINT, None) is None


moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=60, deadline=None)
@given(entered=moments, state=st.sampled_from(["received", "accepted", "handling", "answered"]))
def test_a_deadline_is_always_the_end_of_a_working_day_after_entry(
    entered: datetime, state: str
) -> None:
    from hub.calendar import load_calendar

    deadline = state_deadline(COMPLAINT, state, {"source": "platform_12315"}, entered)
    assert deadline is not None
    local = deadline.due_at.astimezone(BEIJING)
    assert (local.hour, local.minute, local.second) == (23, 59, 59)
    assert load_calendar().is_working_day(local.date())
    assert local.date() > entered.astimezone(BEIJING).date()


@settings(max_examples=60, deadline=None)
@given(due=moments, before=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60)))
def test_a_reminder_is_never_due_after_the_deadline_and_escalation_never_before(
    due: datetime, before: timedelta
) -> None:
    assert not reminder_due(COMPLAINT, due, due + before + timedelta(seconds=1))
    assert escalation_level_due(COMPLAINT, due, due - before) == 0
    earlier, later = due + before / 2, due + before
    assert escalation_level_due(COMPLAINT, due, earlier) <= escalation_level_due(
        COMPLAINT, due, later
    )
