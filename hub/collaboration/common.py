"""What the four collaborations share: their workflow instances, department checks and the
feedback (反馈) sent automatically to whoever started a collaboration."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from hub.catalog.dictionaries import department
from hub.errors import DataError, NotFoundError
from hub.store.models.collaboration import CollaborationFeedback
from hub.store.models.workflow import WorkflowInstance
from hub.workflow import instance_of
from hub.workflow.timing import utc


def known_department(code: str) -> str:
    """``code`` checked against the department lines and regions (``UnknownDepartment``,
    a ``DataError``, says what is wrong)."""
    return department(code).code


def region_for(department_code: str, region_code: str | None) -> str:
    """The region an instance held by ``department_code`` is filed under: ``region_code``
    when it lies in the department's area, else the department's own region, so that the
    holder always finds it in its scoped inbox."""
    holder = department(department_code)
    if holder.region_code is None:
        raise DataError(
            f"department {department_code!r} is a ministry: collaboration works within a province"
        )
    if region_code and holder.covers(region_code):
        return region_code
    return holder.region_code


def required_text(name: str, value: str | None, max_length: int) -> str:
    """``value`` stripped, refused when empty or too long."""
    text = (value or "").strip()
    if not text:
        raise DataError(f"{name}: required")
    if len(text) > max_length:
        raise DataError(f"{name}: longer than {max_length} characters")
    return text


def workflow_instance(
    session: Session, workflow: str, subject_type: str, subject_id: int
) -> WorkflowInstance:
    """The subject's instance; a subject without one was never started (``NotFoundError``)."""
    instance = instance_of(session, workflow, subject_type, subject_id)
    if instance is None:
        raise NotFoundError(f"{subject_type} {subject_id} is on no {workflow} workflow")
    return instance


def send_feedback(
    session: Session,
    *,
    subject_type: str,
    subject_id: int,
    kind: str,
    to_department: str,
    from_department: str | None,
    message: str,
    details: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> CollaborationFeedback:
    """Tell ``to_department`` what happened, in the caller's transaction."""
    feedback = CollaborationFeedback(
        subject_type=subject_type,
        subject_id=subject_id,
        kind=kind,
        to_department=to_department,
        from_department=from_department,
        message=message,
        details=dict(details or {}),
        created_at=utc(now),
    )
    session.add(feedback)
    return feedback
