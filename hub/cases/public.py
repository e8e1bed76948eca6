"""Complaints from the public (公众端 and Open311): filing, tracking, listing. No personal
data ever leaves here.

The public-interface helper's routers (``/api/v1/public/complaints``, ``/open311/v2/``)
call these three functions; validation of the form is theirs (pydantic at the edge).

- ``file_public_complaint`` stores the complaint in the canonical ``complaints`` table
  (source ``public_api`` or ``open311``; name and phone sealed, the phone's keyed digest
  kept; the e-mail sealed on the case link), takes it in like any other complaint (merged
  into the case it repeats, or a new case, routed or put in manual triage) and commits. The
  same ``client_ref`` on the same channel twice is the same complaint: the second call
  stores nothing and answers the first one's case.
- ``public_case_view`` and ``list_public_cases`` answer what a citizen may know of a case:
  its number, category, state and stages with their dates, the answer, where it happened
  and which department (never which person) handles it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.audit import anchor_after_commit, default_anchor
from hub.cases.handling import SUBJECT, WORKFLOW
from hub.cases.intake import take_in
from hub.cases.status_flow import department_name
from hub.store.base import utcnow
from hub.store.models.cases import Case, CaseComplaint
from hub.store.models.complaints import Complaint
from hub.store.models.workflow import WorkflowInstance, WorkflowTransition
from hub.workflow import load_workflow
from hub.workflow.timing import aware, utc

PUBLIC_CHANNELS = ("public_api", "open311")


@dataclass(frozen=True)
class PublicComplaintForm:
    """A complaint as the public files it; validated already by the caller."""

    category_code: str
    content: str
    title: str | None
    complainant_name: str | None
    complainant_phone: str | None
    complainant_email: str | None
    address: str | None
    region_code: str | None
    latitude: float | None
    longitude: float | None
    target_uscc: str | None
    target_name: str | None
    channel: str = "public_api"
    client_ref: str | None = None


@dataclass(frozen=True)
class PublicStage:
    """A stage the case reached (received, accepted, assigned, handling, answered, ...)."""

    stage: str
    at: datetime


@dataclass(frozen=True)
class PublicCaseView:
    """A case as anyone may see it: no personal data."""

    tracking_no: str
    category_code: str
    status: str
    is_open: bool
    stages: list[PublicStage]
    answer: str | None
    requested_at: datetime
    updated_at: datetime
    address: str | None
    latitude: float | None
    longitude: float | None
    agency_responsible: str | None


def file_public_complaint(session: Session, form: PublicComplaintForm) -> PublicCaseView:
    """Store ``form`` as a complaint, take it in, commit, and return its case's view."""
    if form.channel not in PUBLIC_CHANNELS:
        raise ValueError(f"channel must be one of {PUBLIC_CHANNELS}, not {form.channel!r}")
    if form.client_ref:
        earlier = _case_of_reference(session, form.channel, form.client_ref)
        if earlier is not None:
            return _view(session, earlier)
    complaint = _complaint(form, utcnow())
    session.add(complaint)
    try:
        session.flush()
    except IntegrityError:
        # The same client_ref filed by a concurrent request that committed first.
        session.rollback()
        earlier = _case_of_reference(session, form.channel, form.client_ref or "")
        if earlier is None:
            raise
        return _view(session, earlier)
    anchor_after_commit(session, default_anchor())
    case = take_in(session, complaint, email=form.complainant_email)
    session.commit()
    return _view(session, case)


def public_case_view(session: Session, tracking_no: str) -> PublicCaseView | None:
    """The case numbered ``tracking_no`` as the public sees it, or None."""
    case = session.scalars(select(Case).where(Case.tracking_no == tracking_no)).one_or_none()
    return None if case is None else _view(session, case)


def list_public_cases(
    session: Session,
    *,
    category_codes: list[str] | None,
    is_open: bool | None,
    start: datetime | None,
    end: datetime | None,
    limit: int,
) -> list[PublicCaseView]:
    """Classified cases received between ``start`` and ``end``, newest first, at most
    ``limit``; filtered by category and by open (not in a terminal state) or closed."""
    query = (
        select(Case)
        .join(
            WorkflowInstance,
            (WorkflowInstance.subject_type == SUBJECT)
            & (WorkflowInstance.subject_id == Case.id)
            & (WorkflowInstance.workflow == WORKFLOW),
        )
        .where(Case.category_code.is_not(None))
    )
    if category_codes:
        query = query.where(Case.category_code.in_(category_codes))
    if is_open is not None:
        query = query.where(WorkflowInstance.terminal.is_(not is_open))
    if start is not None:
        query = query.where(Case.received_at >= utc(start))
    if end is not None:
        query = query.where(Case.received_at <= utc(end))
    cases = session.scalars(query.order_by(Case.received_at.desc(), Case.id.desc()).limit(limit))
    return [_view(session, case) for case in cases]


def _case_of_reference(session: Session, channel: str, client_ref: str) -> Case | None:
    return session.scalars(
        select(Case)
        .join(CaseComplaint, CaseComplaint.case_id == Case.id)
        .join(Complaint, Complaint.id == CaseComplaint.complaint_id)
        .where(Complaint.source == channel, Complaint.source_number == client_ref)
    ).one_or_none()


def _complaint(form: PublicComplaintForm, moment: datetime) -> Complaint:
    """The canonical complaint record of ``form`` (personal data sealed by its columns)."""
    number = form.client_ref or f"{moment:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:12]}"
    fields = {
        "source": form.channel,
        "source_number": number,
        "kind": "complaint",
        "received_at": moment.isoformat(),
        "title": form.title,
        "content": form.content,
        "category": form.category_code,
        "complainant_name": form.complainant_name,
        "complainant_phone": form.complainant_phone,
        "region_code": form.region_code,
        "address": form.address,
        "latitude": form.latitude,
        "longitude": form.longitude,
        "target_uscc": form.target_uscc,
        "target_name": form.target_name,
        "status": "received",
    }
    digest = hashlib.blake2b(
        json.dumps(fields, ensure_ascii=False, sort_keys=True).encode("utf-8"), digest_size=16
    ).hexdigest()
    return Complaint(
        **{name: value for name, value in fields.items() if name != "received_at"},
        received_at=moment,
        content_hash=digest,
        source_version=moment.astimezone(UTC).isoformat(),
    )


def _view(session: Session, case: Case) -> PublicCaseView:
    definition = load_workflow(WORKFLOW)
    instance = session.scalars(
        select(WorkflowInstance).where(
            WorkflowInstance.workflow == WORKFLOW,
            WorkflowInstance.subject_type == SUBJECT,
            WorkflowInstance.subject_id == case.id,
        )
    ).one()
    history = session.scalars(
        select(WorkflowTransition)
        .where(WorkflowTransition.instance_id == instance.id)
        .order_by(WorkflowTransition.sequence)
    ).all()
    stages: list[PublicStage] = []
    for step in history:
        stage = definition.states[step.to_state].public_stage
        if not stages or stages[-1].stage != stage:
            stages.append(PublicStage(stage=stage, at=aware(step.fired_at)))
    return PublicCaseView(
        tracking_no=case.tracking_no,
        category_code=case.category_code or "",
        status=instance.state,
        is_open=not instance.terminal,
        stages=stages,
        answer=case.answer,
        requested_at=aware(case.received_at),
        updated_at=aware(instance.updated_at),
        address=case.address,
        latitude=case.latitude,
        longitude=case.longitude,
        agency_responsible=department_name(instance.department_code),
    )
