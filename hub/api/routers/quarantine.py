"""Quarantine (隔离区): records that failed a pipeline step, to inspect and replay.

Who sees what: admins and integrators run the exchange and see every entry; officers and
leaders see only entries of their own department (entries carry no region, so a leader's
region cannot widen this). A raw payload that was sealed at rest holds personal data: it is
opened for display but its long digit runs (phone numbers, 身份证号) are masked for everyone
but an admin, and so is the reason, which may quote the offending value.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import defer

from hub.api.deps import (
    CurrentPrincipal,
    SessionDep,
    SessionFactoryDep,
    require_roles,
)
from hub.errors import NotFoundError, UnknownNameError
from hub.security.crypto import get_key_ring
from hub.security.tokens import Principal
from hub.store.models.exchange import QuarantineEntry

router = APIRouter(prefix="/quarantine", tags=["quarantine"])

MAX_PAGE_SIZE = 200
# Roles that operate the exchange and so see every department's quarantine.
EXCHANGE_ROLES = ("admin", "integrator")

Replayer = Annotated[Principal, Depends(require_roles(*EXCHANGE_ROLES))]

_LONG_DIGITS = re.compile(r"\d{7,}")


def mask_digits(text: str) -> str:
    """Mask every run of 7+ digits but its first 3 and last 2.

    >>> mask_digits("tel 13812345678, id 34010219900101123X")
    'tel 138******78, id 340************23X'
    """
    return _LONG_DIGITS.sub(
        lambda m: m.group()[:3] + "*" * (len(m.group()) - 5) + m.group()[-2:], text
    )


class QuarantineEntryPublic(BaseModel):
    """A quarantined record in a list: where it came from and why it stopped."""

    id: int
    channel: str
    message_type: str
    envelope_id: int
    position: int
    step: str
    reason: str
    status: str
    department_code: str | None
    encrypted: bool
    run_id: int
    created_at: datetime
    resolved_at: datetime | None


class QuarantineEntryDetailPublic(QuarantineEntryPublic):
    """A quarantined record with its raw payload as text; ``masked`` says if digits were hidden."""

    raw: str
    masked: bool


class QuarantinePage(BaseModel):
    """One page of quarantine entries, newest first."""

    items: list[QuarantineEntryPublic]
    total: int
    page: int
    page_size: int


class ReplayRequest(BaseModel):
    """What to replay: given entry ids, or every open entry of a channel."""

    ids: list[int] | None = Field(default=None, min_length=1)
    channel: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _exactly_one(self) -> ReplayRequest:
        if (self.ids is None) == (self.channel is None):
            raise ValueError("give either ids or channel")
        return self


def _scope(principal: Principal) -> list[ColumnElement[bool]]:
    if principal.role in EXCHANGE_ROLES:
        return []
    return [QuarantineEntry.department_code == principal.department_code]


def _hides_personal_data(entry: QuarantineEntry, principal: Principal) -> bool:
    return entry.encrypted and principal.role != "admin"


def _public(entry: QuarantineEntry, principal: Principal) -> dict[str, Any]:
    fields = {name: getattr(entry, name) for name in QuarantineEntryPublic.model_fields}
    if _hides_personal_data(entry, principal):
        fields["reason"] = mask_digits(entry.reason)
    return fields


@router.get("", response_model=QuarantinePage)
def list_quarantine(
    session: SessionDep,
    principal: CurrentPrincipal,
    channel: Annotated[str | None, Query(max_length=100)] = None,
    status: Annotated[str | None, Query(max_length=20, description="open, resolved, ...")] = None,
    step: Annotated[str | None, Query(max_length=30, description="parse, map, upsert, ...")] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> QuarantinePage:
    """Quarantined records you may see, filtered by channel, status and failed step."""
    conditions = _scope(principal)
    for column, value in (
        (QuarantineEntry.channel, channel),
        (QuarantineEntry.status, status),
        (QuarantineEntry.step, step),
    ):
        if value is not None:
            conditions.append(column == value)
    total = session.scalar(select(func.count()).select_from(QuarantineEntry).where(*conditions))
    # The raw payload is not needed for the list; leave the (possibly large) bytes unread.
    entries = session.scalars(
        select(QuarantineEntry)
        .options(defer(QuarantineEntry.raw, raiseload=True))
        .where(*conditions)
        .order_by(QuarantineEntry.created_at.desc(), QuarantineEntry.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return QuarantinePage(
        items=[QuarantineEntryPublic(**_public(entry, principal)) for entry in entries],
        total=total or 0,
        page=page,
        page_size=page_size,
    )


@router.get("/{entry_id}", response_model=QuarantineEntryDetailPublic)
def read_quarantine_entry(
    entry_id: int, session: SessionDep, principal: CurrentPrincipal
) -> QuarantineEntryDetailPublic:
    """One quarantined record with its raw payload (opened if sealed, masked unless admin)."""
    entry = session.scalars(
        select(QuarantineEntry).where(QuarantineEntry.id == entry_id, *_scope(principal))
    ).one_or_none()
    if entry is None:
        raise NotFoundError("no such quarantine entry")
    raw = get_key_ring().open(entry.raw) if entry.encrypted else entry.raw
    text = raw.decode("utf-8", errors="replace")
    masked = _hides_personal_data(entry, principal)
    return QuarantineEntryDetailPublic(
        **_public(entry, principal),
        raw=mask_digits(text) if masked else text,
        masked=masked,
    )


@router.post("/replay")
def replay(body: ReplayRequest, factory: SessionFactoryDep, principal: Replayer) -> dict[str, Any]:
    """Run quarantined records through the pipeline again (after a mapping fix, say).

    Returns the replay's report as ``hub.exchange.replay.replay_quarantine`` gives it; a
    channel that is not configured is a 404 naming the configured ones.
    """
    from hub.exchange.replay import replay_quarantine

    try:
        report: dict[str, Any] = replay_quarantine(
            factory, ids=body.ids, channel=body.channel, actor=principal.name
        )
    except UnknownNameError as exc:
        # A channel no longer (or never) configured: the caller's to fix, not a server fault.
        raise NotFoundError(str(exc)) from exc
    return report
