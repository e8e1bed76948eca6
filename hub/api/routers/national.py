"""``/api/v1/national/``: the national system's real-time queries of the province.

Mounted outside the token-protected work router: the caller is the national system,
authenticated by its signature (``hub.national.callers``: pinned public key, timestamp
window, nonce used once), never by a token. What it may ask, all without personal data:

    GET /api/v1/national/entities/{uscc}/actions       the entity's supervision actions
    GET /api/v1/national/catalog/{code}                a published catalog item
    GET /api/v1/national/complaints/{number}/status    the handling of a complaint it assigned

A refused call is answered 401 with the reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from pydantic import BaseModel
from sqlalchemy import select

from hub.api.deps import SessionDep, SessionFactoryDep, SettingsDep
from hub.national.callers import (
    CallerRefused,
    NonceCache,
    RedisNonceCache,
    StoreNonceCache,
    authenticate,
)
from hub.national.config import load_config
from hub.national.messages import (
    COMPLAINT_STATUS,
    NATIONAL_COMPLAINT_SOURCE,
    beijing,
    catalog_item_message,
    compact,
)
from hub.store.models.actions import CoerciveMeasure, Inspection, Licensing, Penalty
from hub.store.models.catalog import CatalogItem
from hub.store.models.complaints import Complaint


async def _raw_body(request: Request) -> bytes:
    return await request.body()


def national_caller(
    request: Request,
    body: Annotated[bytes, Depends(_raw_body)],
    settings: SettingsDep,
    factory: SessionFactoryDep,
) -> str:
    """The national system's key id, once the request's signature holds; else 401."""
    state = request.app.state
    if getattr(state, "national_verifier", None) is None:
        config = load_config()
        state.national_verifier = config.national_verifier()
        state.national_window = config.timestamp_window_seconds
        nonces: NonceCache = (
            RedisNonceCache(settings.redis_url) if settings.redis_url else StoreNonceCache(factory)
        )
        state.national_nonces = nonces
    query = request.url.query
    try:
        return authenticate(
            state.national_verifier,
            state.national_nonces,
            window_seconds=state.national_window,
            method=request.method,
            target=request.url.path + (f"?{query}" if query else ""),
            headers=dict(request.headers),
            body=body,
        )
    except CallerRefused as exc:
        raise HTTPException(
            status_code=401,
            detail=str(exc),
            headers={"WWW-Authenticate": 'Signature realm="national"'},
        ) from None


router = APIRouter(tags=["national"], dependencies=[Depends(national_caller)])

USCC_PATH = Path(pattern=r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")
ACTION_KINDS: tuple[tuple[str, Any], ...] = (
    ("licensing", Licensing),
    ("inspection", Inspection),
    ("penalty", Penalty),
    ("coercive_measure", CoerciveMeasure),
)


class NationalAction(BaseModel):
    """A supervision action as the national system may see it: who acted, under which item,
    when; never the officers or a natural person's ID number."""

    data_type: str
    action_number: str
    action_name: str | None
    catalog_code: str | None
    implementation_code: str | None
    agency_name: str | None
    agency_uscc: str | None
    region_code: str | None
    acted_at: str | None


class EntityActions(BaseModel):
    uscc: str
    actions: list[NationalAction]


class ComplaintStatus(BaseModel):
    """Where a complaint the national system assigned stands (nothing of the complainant)."""

    complaint_number: str
    status: str
    handling_department_code: str | None
    handled_at: str | None
    closed_at: str | None


@router.get("/entities/{uscc}/actions", response_model=EntityActions)
def entity_actions(uscc: Annotated[str, USCC_PATH], session: SessionDep) -> EntityActions:
    """Every licensing, inspection, penalty and coercive measure on the entity, by time."""
    actions = []
    for data_type, model in ACTION_KINDS:
        for row in session.scalars(select(model).where(model.entity_uscc == uscc)):
            actions.append(
                NationalAction(
                    data_type=data_type,
                    action_number=row.action_number,
                    action_name=row.action_name,
                    catalog_code=row.catalog_code,
                    implementation_code=row.implementation_code,
                    agency_name=row.agency_name,
                    agency_uscc=row.agency_uscc,
                    region_code=row.region_code,
                    acted_at=beijing(row.acted_at),
                )
            )
    actions.sort(key=lambda action: (action.acted_at or "", action.action_number))
    return EntityActions(uscc=uscc, actions=actions)


@router.get("/catalog/{code}")
def catalog_item(
    code: Annotated[str, Path(pattern=r"^[0-9]{14}$")], session: SessionDep
) -> dict[str, Any]:
    """A published item in the national profile (``catalog_item.json``); others are 404."""
    row = session.scalars(
        select(CatalogItem).where(CatalogItem.code == code, CatalogItem.status == "published")
    ).first()
    if row is None:
        raise HTTPException(status_code=404, detail=f"no published catalog item {code}")
    return compact(catalog_item_message(row))


@router.get("/complaints/{complaint_number}/status", response_model=ComplaintStatus)
def complaint_status(
    complaint_number: Annotated[str, Path(min_length=1, max_length=100)], session: SessionDep
) -> ComplaintStatus:
    """The handling of a complaint the national system assigned to the province."""
    row = session.scalars(
        select(Complaint).where(
            Complaint.source == NATIONAL_COMPLAINT_SOURCE,
            Complaint.source_number == complaint_number,
        )
    ).first()
    if row is None:
        raise HTTPException(status_code=404, detail=f"no assigned complaint {complaint_number}")
    handled: datetime | None = row.updated_at
    return ComplaintStatus(
        complaint_number=row.source_number,
        status=COMPLAINT_STATUS.get(row.status, row.status),
        handling_department_code=row.handling_department_code,
        handled_at=beijing(handled),
        closed_at=beijing(row.closed_at),
    )
