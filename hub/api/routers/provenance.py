"""Provenance (数据溯源): which envelope, and where in it, a stored record came from.

Answers "why does the store say this?" with the exact file, page or message (channel, file
name, remote id, offset, checksum) and the run that stored it, newest first: a record
updated three times has three sources. The record itself must be within the caller's scope,
by the department and region columns its record type declares; a record outside it is a 404
like a missing one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel
from sqlalchemy import select

from hub.api.deps import CurrentPrincipal, SessionDep, scope_clauses
from hub.errors import ConfigurationError, NotFoundError, UnknownNameError
from hub.store import records
from hub.store.models.exchange import Envelope, ExchangeRun, Provenance
from hub.store.records import RecordType

router = APIRouter(prefix="/provenance", tags=["provenance"])

RecordTypePath = Annotated[str, Path(max_length=50, description="e.g. entity, penalty")]


class ProvenanceSourcePublic(BaseModel):
    """One envelope a version of the record came from."""

    envelope_id: int
    channel: str
    message_type: str
    file_name: str | None
    remote_id: str | None
    offset: str | None
    sha256: str
    size: int
    received_at: datetime
    position: int
    run_id: int
    run_uid: str | None
    recorded_at: datetime


class ProvenancePublic(BaseModel):
    """A record's sources, newest first."""

    record_type: str
    record_id: int
    sources: list[ProvenanceSourcePublic]


def _column(record: RecordType, field: str | None) -> Any:
    if field is None:
        return None
    column = getattr(record.model, field, None)
    if column is None:
        raise ConfigurationError(f"record type {record.name!r} declares no column {field!r}")
    return column


@router.get("/{record_type}/{record_id}", response_model=ProvenancePublic)
def read_provenance(
    record_type: RecordTypePath,
    record_id: int,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> ProvenancePublic:
    """Where a record came from; 404 for an unknown type (listing the known ones)."""
    try:
        record = records.record_type(record_type)
    except UnknownNameError as exc:
        raise NotFoundError(str(exc)) from exc
    model: Any = record.model
    # Only the id is read: a record's sealed personal columns are never opened here.
    visible = session.scalar(
        select(model.id).where(
            model.id == record_id,
            *scope_clauses(
                principal,
                department=_column(record, record.department_field),
                region=_column(record, record.region_field),
            ),
        )
    )
    if visible is None:
        raise NotFoundError(f"no {record.name} record {record_id}")
    rows = session.execute(
        select(Provenance, Envelope, ExchangeRun.run_uid)
        .join(Envelope, Envelope.id == Provenance.envelope_id)
        .outerjoin(ExchangeRun, ExchangeRun.id == Provenance.run_id)
        .where(Provenance.record_type == record.name, Provenance.record_id == record_id)
        .order_by(Provenance.recorded_at.desc(), Provenance.id.desc())
    )
    sources = [
        ProvenanceSourcePublic(
            envelope_id=envelope.id,
            channel=envelope.channel,
            message_type=envelope.message_type,
            file_name=envelope.file_name,
            remote_id=envelope.remote_id,
            offset=envelope.offset,
            sha256=envelope.sha256,
            size=envelope.size,
            received_at=envelope.received_at,
            position=provenance.position,
            run_id=provenance.run_id,
            run_uid=run_uid,
            recorded_at=provenance.recorded_at,
        )
        for provenance, envelope, run_uid in rows
    ]
    return ProvenancePublic(record_type=record.name, record_id=record_id, sources=sources)
