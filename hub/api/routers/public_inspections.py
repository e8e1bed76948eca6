"""Published inspection results under ``/api/v1/public/inspections``: open, no personal data.

Every inspection whose result is published is listed, random (双随机, recorded through
``hub.draws.results``) or not (ingested from the departments' systems with a publication
time): both live in the ``inspections`` table, so this list reads that one table.

What is shown is what the enterprise credit publicity system shows: the inspection's number
and plan, the department, the catalog item, the entity's 统一社会信用代码 and name, the region,
the date, the category and the result with its label, and when it was published. Never the
findings' free text, the inspectors, the reporter, the addresses or the counterpart's
identity number; and no name when the counterpart is a natural person.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import ColumnElement, func, select

from hub.api.deps import SessionDep
from hub.calendar import BEIJING
from hub.draws.result_categories import category_label
from hub.store.models.actions import Inspection

router = APIRouter(prefix="/inspections", tags=["public"])

MAX_PAGE_SIZE = 500
NATURAL_PERSON = "natural_person"
RANDOM_INSPECTION_CATEGORY = "03"


class PublicInspection(BaseModel):
    """One published inspection result."""

    inspection_number: str
    plan_id: str | None
    random: bool
    department_code: str
    agency_name: str | None
    catalog_code: str | None
    entity_uscc: str | None
    entity_name: str | None
    region_code: str | None
    inspected_at: datetime | None
    category: str | None
    result_code: str | None
    result: str | None
    published_at: datetime


class PublicInspectionPage(BaseModel):
    items: list[PublicInspection]
    total: int
    page: int
    page_size: int


@router.get("", response_model=PublicInspectionPage)
def list_inspections(
    session: SessionDep,
    uscc: Annotated[
        str | None, Query(min_length=18, max_length=18, description="the entity's 统一社会信用代码")
    ] = None,
    department: Annotated[
        str | None, Query(max_length=50, description="the inspecting department's code")
    ] = None,
    inspected_from: Annotated[
        date | None, Query(description="inspected on or after this day (Beijing time)")
    ] = None,
    inspected_to: Annotated[
        date | None, Query(description="inspected on or before this day (Beijing time)")
    ] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> PublicInspectionPage:
    """Published inspection results, latest inspection first."""
    conditions: list[ColumnElement[bool]] = [Inspection.published_at.is_not(None)]
    if uscc is not None:
        conditions.append(Inspection.entity_uscc == uscc.upper())
    if department is not None:
        conditions.append(Inspection.department_code == department)
    if inspected_from is not None:
        conditions.append(Inspection.acted_at >= _start_of(inspected_from))
    if inspected_to is not None:
        conditions.append(Inspection.acted_at < _start_of(inspected_to, next_day=True))
    total = session.scalar(select(func.count()).select_from(Inspection).where(*conditions)) or 0
    rows = session.scalars(
        select(Inspection)
        .where(*conditions)
        .order_by(Inspection.acted_at.desc(), Inspection.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return PublicInspectionPage(
        items=[_public(row) for row in rows], total=total, page=page, page_size=page_size
    )


def _public(row: Inspection) -> PublicInspection:
    assert row.published_at is not None
    return PublicInspection(
        inspection_number=row.action_number,
        plan_id=row.plan_id,
        random=row.category == RANDOM_INSPECTION_CATEGORY,
        department_code=row.department_code,
        agency_name=row.agency_name,
        catalog_code=row.catalog_code,
        entity_uscc=row.entity_uscc,
        entity_name=None if row.counterpart_kind == NATURAL_PERSON else row.entity_name,
        region_code=row.region_code,
        inspected_at=row.acted_at,
        category=row.category,
        result_code=row.result_code,
        result=category_label(row.result_code),
        published_at=row.published_at,
    )


def _start_of(day: date, *, next_day: bool = False) -> datetime:
    """Midnight in Beijing starting ``day`` (or the day after), in UTC: the store keeps UTC,
    and SQLite compares the text of naive timestamps."""
    start = day + timedelta(days=1) if next_day else day
    return datetime.combine(start, time(0), tzinfo=BEIJING).astimezone(UTC)
