"""Published supervision results of licensing cases (审批联动) under
``/api/v1/public/approvals``: open, paginated, no personal data.

A licensing case appears once the responsible department reported its supervision result
(:mod:`hub.collaboration.approvals`). Shown: the case number, the licensing item and reform
track, the accepting and the supervising department, the region, the entity's 统一社会信用代码
and its name when it is a legal person, the result (in the words of the workflow's
dictionary) and when it was supervised and published. Never the officer's note, the
applicant's address or identity number, nor the name of a natural person (a 个体工商户's name
is often its owner's).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import ColumnElement, func, select

from hub.api.deps import SessionDep
from hub.collaboration.approvals import result_label
from hub.store.models.actions import Licensing
from hub.store.models.collaboration import ApprovalClaim

router = APIRouter(prefix="/approvals", tags=["public"])

MAX_PAGE_SIZE = 500
LEGAL_PERSON = "legal_person"
TRACK_NAMES = {
    "licence_after_registration": "先照后证",
    "multiple_licences_in_one": "多证合一",
    "notification_commitment": "告知承诺",
}


class PublicApproval(BaseModel):
    """One licensing case's published supervision result."""

    case_number: str
    item_name: str | None
    licence_kind: str
    licence_track: str | None
    accepting_department: str
    supervising_department: str
    region_code: str | None
    entity_uscc: str | None
    entity_name: str | None
    result_code: str | None
    result: str | None
    supervised_at: datetime | None
    published_at: datetime


class PublicApprovalPage(BaseModel):
    items: list[PublicApproval]
    total: int
    page: int
    page_size: int


@router.get("", response_model=PublicApprovalPage)
def list_approvals(
    session: SessionDep,
    uscc: Annotated[
        str | None, Query(min_length=18, max_length=18, description="the entity's 统一社会信用代码")
    ] = None,
    department: Annotated[
        str | None, Query(max_length=50, description="the supervising department's code")
    ] = None,
    region: Annotated[
        str | None, Query(pattern=r"^[0-9]{2,6}$", description="a GB/T 2260 code or prefix")
    ] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> PublicApprovalPage:
    """Published supervision results, latest first."""
    conditions: list[ColumnElement[bool]] = [ApprovalClaim.published_at.is_not(None)]
    if uscc:
        conditions.append(Licensing.entity_uscc == uscc.upper())
    if department:
        conditions.append(ApprovalClaim.department_code == department)
    if region:
        conditions.append(ApprovalClaim.region_code.startswith(region, autoescape=True))
    query = (
        select(ApprovalClaim, Licensing)
        .join(Licensing, Licensing.id == ApprovalClaim.licensing_id)
        .where(*conditions)
    )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(ApprovalClaim.published_at.desc(), ApprovalClaim.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return PublicApprovalPage(
        items=[_public(claim, licensing) for claim, licensing in rows],
        total=int(total),
        page=page,
        page_size=page_size,
    )


def _public(claim: ApprovalClaim, licensing: Licensing) -> PublicApproval:
    assert claim.published_at is not None  # the query's condition
    return PublicApproval(
        case_number=claim.action_number,
        item_name=claim.item_name,
        licence_kind=claim.licence_kind,
        licence_track=TRACK_NAMES.get(claim.licence_kind),
        accepting_department=claim.accepting_department,
        supervising_department=claim.department_code,
        region_code=claim.region_code,
        entity_uscc=licensing.entity_uscc,
        entity_name=licensing.entity_name if licensing.counterpart_kind == LEGAL_PERSON else None,
        result_code=claim.result_code,
        result=result_label(claim.result_code),
        supervised_at=claim.supervised_at,
        published_at=claim.published_at,
    )
