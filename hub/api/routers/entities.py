"""Regulated entities (市场主体) by 统一社会信用代码, with their actions and credit records.

An entity outside the caller's region is answered exactly like an unknown one (404), so the
endpoint cannot be used to probe which codes exist elsewhere. Actions and credit records are
further limited to the caller's department unless the caller sees all departments. Personal
data never leaves here: an action's counterpart id (a 公民身份号码 for a natural person), the
acting officers and reporter, and the entity's legal representative are not in the schemas,
and the sealed columns are not even loaded.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.api.deps import CurrentPrincipal, SessionDep, scope_clauses
from hub.errors import NotFoundError
from hub.security.tokens import Principal, region_prefix
from hub.store.models.actions import ActionMixin
from hub.store.models.credit import CreditRecord
from hub.store.models.entities import RegulatedEntity
from hub.store.records import all_record_types

router = APIRouter(prefix="/entities", tags=["entities"])

MAX_PAGE_SIZE = 200

UsccPath = Annotated[
    str, Path(min_length=1, max_length=18, description="统一社会信用代码 (18 characters)")
]
RegionQuery = Annotated[
    str | None,
    Query(pattern=r"^[0-9]{2,12}$", description="GB/T 2260 code; 340100 means all of Hefei"),
]
NameQuery = Annotated[str | None, Query(max_length=200, description="part of the name")]
PageQuery = Annotated[int, Query(ge=1)]
PageSizeQuery = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]


class EntityPublic(BaseModel):
    """An entity as the work interface shows it (no legal representative: a natural person)."""

    model_config = ConfigDict(from_attributes=True)

    uscc: str
    name: str
    entity_type: str
    region_code: str | None
    industry_code: str | None
    status: str
    established_on: date | None
    deregistered_on: date | None
    registered_capital: Decimal | None
    registration_authority: str | None
    registered_address: str | None
    business_address: str | None
    code_check_failed: bool


class ActionPublic(BaseModel):
    """A supervision action (监管行为) on the entity; ``kind`` names its record type."""

    kind: str
    action_number: str
    action_name: str | None
    catalog_code: str | None
    implementation_code: str | None
    department_code: str
    agency_name: str | None
    region_code: str | None
    acted_at: datetime | None
    origin: str | None
    result: str | None
    published_at: datetime | None
    decision_number: str | None = None
    fine_amount: Decimal | None = None


class CreditRecordPublic(BaseModel):
    """A credit fact (信用记录) about the entity."""

    model_config = ConfigDict(from_attributes=True)

    record_kind: str
    document_number: str
    reason: str | None
    decided_by: str | None
    department_code: str | None
    region_code: str | None
    listed_on: date
    removed_on: date | None
    removal_reason: str | None
    credit_class: str | None


class EntityDetailPublic(EntityPublic):
    """An entity with the actions and credit records the caller may see."""

    actions: list[ActionPublic]
    credit_records: list[CreditRecordPublic]


class EntityPage(BaseModel):
    """One page of entities; ``total`` counts every match within the caller's scope."""

    items: list[EntityPublic]
    total: int
    page: int
    page_size: int


# Columns read from every action table; the sealed counterpart id is deliberately absent.
_ACTION_COLUMNS = tuple(
    name
    for name in ActionPublic.model_fields
    if name not in ("kind", "decision_number", "fine_amount")
)
_OPTIONAL_ACTION_COLUMNS = ("decision_number", "fine_amount")


def action_models() -> dict[str, type[ActionMixin]]:
    """Every registered action kind (inspection, penalty, ...), so a new kind shows up here."""
    models: dict[str, type[ActionMixin]] = {}
    for name, record in sorted(all_record_types().items()):
        if issubclass(record.model, ActionMixin):
            models[name] = record.model
    return models


def _actions_of(session: Session, uscc: str, principal: Principal) -> list[ActionPublic]:
    actions: list[ActionPublic] = []
    for kind, model in action_models().items():
        names = _ACTION_COLUMNS + tuple(n for n in _OPTIONAL_ACTION_COLUMNS if hasattr(model, n))
        columns: list[Any] = [getattr(model, name) for name in names]
        query = select(*columns).where(
            model.entity_uscc == uscc,
            *scope_clauses(principal, department=model.department_code, region=model.region_code),
        )
        actions.extend(ActionPublic(kind=kind, **row._mapping) for row in session.execute(query))
    actions.sort(key=lambda a: (a.acted_at is not None, a.acted_at or datetime.min), reverse=True)
    return actions


@router.get("/{uscc}", response_model=EntityDetailPublic)
def read_entity(
    uscc: UsccPath, session: SessionDep, principal: CurrentPrincipal
) -> EntityDetailPublic:
    """One entity with its actions and credit records; 404 also when outside your region."""
    code = uscc.strip().upper()
    entity = session.scalars(
        select(RegulatedEntity).where(
            RegulatedEntity.uscc == code,
            *scope_clauses(principal, region=RegulatedEntity.region_code),
        )
    ).one_or_none()
    if entity is None:
        raise NotFoundError("no such entity")
    credit = session.scalars(
        select(CreditRecord)
        .where(
            CreditRecord.entity_uscc == code,
            *scope_clauses(
                principal,
                department=CreditRecord.department_code,
                region=CreditRecord.region_code,
            ),
        )
        .order_by(CreditRecord.listed_on.desc(), CreditRecord.id.desc())
    )
    return EntityDetailPublic(
        **EntityPublic.model_validate(entity).model_dump(),
        actions=_actions_of(session, code, principal),
        credit_records=[CreditRecordPublic.model_validate(record) for record in credit],
    )


@router.get("", response_model=EntityPage)
def list_entities(
    session: SessionDep,
    principal: CurrentPrincipal,
    region_code: RegionQuery = None,
    name: NameQuery = None,
    page: PageQuery = 1,
    page_size: PageSizeQuery = 50,
) -> EntityPage:
    """Entities in your region, optionally narrowed to a sub-region and a name fragment."""
    conditions = scope_clauses(principal, region=RegulatedEntity.region_code)
    if region_code is not None and (prefix := region_prefix(region_code)):
        conditions.append(RegulatedEntity.region_code.startswith(prefix, autoescape=True))
    if name:
        conditions.append(RegulatedEntity.name.icontains(name, autoescape=True))
    total = session.scalar(select(func.count()).select_from(RegulatedEntity).where(*conditions))
    rows = session.scalars(
        select(RegulatedEntity)
        .where(*conditions)
        .order_by(RegulatedEntity.uscc)
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return EntityPage(
        items=[EntityPublic.model_validate(row) for row in rows],
        total=total or 0,
        page=page,
        page_size=page_size,
    )
