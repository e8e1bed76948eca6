"""A case as the work interface shows it: its complaints, history and what may be done next.

Personal data is opened (decrypted) in memory only, and shown in full only to the handling
department (:func:`hub.cases.access.sees_personal_data`); each full view is audited without
the data itself. Everyone else gets the masked forms of :mod:`hub.cases.masking`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit import anchor_after_commit, append, default_anchor
from hub.cases.access import sees_personal_data, visible_clause
from hub.cases.handling import SUBJECT, WORKFLOW, case_instance
from hub.cases.masking import mask_address, mask_email, mask_id_number, mask_name, mask_phone
from hub.errors import NotFoundError
from hub.security.tokens import Principal
from hub.store.models.cases import Case, CaseComplaint
from hub.store.models.complaints import Complaint
from hub.store.models.workflow import WorkflowInstance, WorkflowTransition
from hub.workflow import Actor, available, load_workflow


@dataclass(frozen=True)
class OriginalView:
    """One complaint of the case, with its source, as the caller may see it."""

    source: str
    source_number: str
    relation: str
    similarity: float | None
    blocking_key: str | None
    received_at: datetime
    title: str | None
    content: str | None
    complainant_name: str | None
    complainant_phone: str | None
    complainant_id_number: str | None
    complainant_address: str | None
    complainant_email: str | None


@dataclass(frozen=True)
class CaseDetail:
    case: Case
    instance: WorkflowInstance
    originals: list[OriginalView]
    history: list[WorkflowTransition]
    available: list[str]
    personal_data: bool


def visible_case(session: Session, principal: Principal, tracking_no: str) -> Case:
    """The case if the principal may see it; ``NotFoundError`` otherwise (exists or not)."""
    case = session.scalars(
        select(Case)
        .join(
            WorkflowInstance,
            (WorkflowInstance.subject_type == SUBJECT)
            & (WorkflowInstance.subject_id == Case.id)
            & (WorkflowInstance.workflow == WORKFLOW),
        )
        .where(Case.tracking_no == tracking_no, visible_clause(principal))
    ).one_or_none()
    if case is None:
        raise NotFoundError(f"no case {tracking_no}")
    return case


def case_detail(session: Session, principal: Principal, case: Case) -> CaseDetail:
    """The case with its originals (full or masked), history and available transitions."""
    instance = case_instance(session, case)
    full = sees_personal_data(principal, instance)
    rows = session.execute(
        select(Complaint, CaseComplaint)
        .join(CaseComplaint, CaseComplaint.complaint_id == Complaint.id)
        .where(CaseComplaint.case_id == case.id)
        .order_by(Complaint.received_at, Complaint.id)
    ).all()
    originals = [_original(complaint, link, full) for complaint, link in rows]
    if full:
        anchor_after_commit(session, default_anchor())
        append(
            session,
            actor=principal.name,
            action="case.view_personal",
            object_type=SUBJECT,
            object_id=str(case.id),
            department_code=principal.department_code,
            details={"tracking_no": case.tracking_no, "complaints": len(originals)},
        )
    history = list(
        session.scalars(
            select(WorkflowTransition)
            .where(WorkflowTransition.instance_id == instance.id)
            .order_by(WorkflowTransition.sequence)
        )
    )
    return CaseDetail(
        case=case,
        instance=instance,
        originals=originals,
        history=history,
        available=available(load_workflow(WORKFLOW), instance, Actor.of(principal)),
        personal_data=full,
    )


def _original(complaint: Complaint, link: CaseComplaint, full: bool) -> OriginalView:
    name, phone = complaint.complainant_name, complaint.complainant_phone
    id_number, address = complaint.complainant_id_number, complaint.complainant_address
    email = link.complainant_email
    if not full:
        name, phone = mask_name(name), mask_phone(phone)
        id_number, address = mask_id_number(id_number), mask_address(address)
        email = mask_email(email)
    return OriginalView(
        source=complaint.source,
        source_number=complaint.source_number,
        relation=link.relation,
        similarity=link.similarity,
        blocking_key=link.blocking_key,
        received_at=complaint.received_at,
        title=complaint.title,
        content=complaint.content,
        complainant_name=name,
        complainant_phone=phone,
        complainant_id_number=id_number,
        complainant_address=address,
        complainant_email=email,
    )
