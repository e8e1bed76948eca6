"""Published random inspection draws (双随机、一公开) under ``/api/v1/public/draws``: open.

A draw appears once its commitment is published (status ``committed`` and later); drafts
and frozen draws are answered like unknown ids (404). The plan and the digests are shown
from the commitment on; the seed, the draw key, the picks with their teams and the
candidate lists once the seed is revealed, and then every answer re-runs the draw
(``hub.draws.verification``) and reports each check, so anyone can see that the published
entities and inspectors are exactly those the committed inputs give.

Teams are shown as certificate numbers (shown at every inspection anyway), never names.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.api.deps import SessionDep
from hub.draws import stored
from hub.draws.algorithm import draw_key
from hub.draws.service import PUBLISHED, VERIFIABLE
from hub.draws.verification import verify_draw
from hub.errors import NotFoundError
from hub.store.models.draws import Draw, DrawCandidate, DrawInspector
from hub.store.models.entities import RegulatedEntity

router = APIRouter(prefix="/draws", tags=["public"])

MAX_PAGE_SIZE = 500
DrawId = Annotated[int, Path(ge=1, description="the draw's id")]
PageQuery = Annotated[int, Query(ge=1)]
PageSizeQuery = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]


class PublicDrawSummary(BaseModel):
    """A published draw and where it stands."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    department_code: str
    region_code: str
    year: int
    status: str
    commitment: str | None
    committed_at: datetime | None
    keyed_at: datetime | None
    drawn_at: datetime | None
    revealed_at: datetime | None
    assigned_at: datetime | None


class PublicDrawPage(BaseModel):
    items: list[PublicDrawSummary]
    total: int
    page: int
    page_size: int


class PublicCheck(BaseModel):
    name: str
    passed: bool
    detail: str


class PublicPick(BaseModel):
    """A drawn entity, its rank in its stratum and (once assigned) its team."""

    stratum: str
    rank: int
    uscc: str
    name: str | None
    inspectors: list[str] | None


class PublicDrawDetail(PublicDrawSummary):
    """Everything needed to re-run the draw, and the result of re-running it here."""

    plan: dict[str, Any]
    plan_hash: str | None
    candidate_hashes: dict[str, str] | None
    candidate_counts: dict[str, int]
    inspector_hash: str | None
    inspector_count: int
    seed_hash: str | None
    public_value: str | None
    public_value_source: str | None
    seed: str | None
    draw_key: str | None
    verified: bool | None
    checks: list[PublicCheck]
    picks: list[PublicPick]


class PublicCandidatePage(BaseModel):
    """One page of a stratum's candidate list, in its hashed (sorted) order."""

    stratum: str
    items: list[dict[str, Any]]
    total: int
    page: int
    page_size: int


class PublicInspectorPage(BaseModel):
    """One page of the frozen inspector pool, in its hashed (sorted) order."""

    items: list[dict[str, Any]]
    total: int
    page: int
    page_size: int


def _published(session: Session, draw_id: int, statuses: tuple[str, ...] = PUBLISHED) -> Draw:
    draw_row = session.get(Draw, draw_id)
    if draw_row is None or draw_row.status not in statuses:
        raise NotFoundError(f"no published draw {draw_id}")
    return draw_row


@router.get("", response_model=PublicDrawPage)
def list_draws(
    session: SessionDep, page: PageQuery = 1, page_size: PageSizeQuery = 50
) -> PublicDrawPage:
    """Every draw whose commitment is published, newest first."""
    condition = Draw.status.in_(PUBLISHED)
    total = session.scalar(select(func.count()).select_from(Draw).where(condition)) or 0
    rows = session.scalars(
        select(Draw)
        .where(condition)
        .order_by(Draw.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return PublicDrawPage(
        items=[PublicDrawSummary.model_validate(row) for row in rows],
        total=total,
        page=page,
        page_size=page_size,
    )


def _counts(session: Session, draw_id: int) -> dict[str, int]:
    rows = session.execute(
        select(DrawCandidate.stratum, func.count())
        .where(DrawCandidate.draw_id == draw_id)
        .group_by(DrawCandidate.stratum)
    )
    return {stratum: count for stratum, count in rows}


def _picks(
    session: Session, picks: dict[str, list[str]], teams: dict[str, list[str]] | None
) -> list[PublicPick]:
    drawn = [uscc for ranked in picks.values() for uscc in ranked]
    rows = session.execute(
        select(RegulatedEntity.uscc, RegulatedEntity.name).where(RegulatedEntity.uscc.in_(drawn))
    )
    names = {uscc: name for uscc, name in rows}
    return [
        PublicPick(
            stratum=stratum,
            rank=rank,
            uscc=uscc,
            name=names.get(uscc),
            inspectors=None if teams is None else teams.get(uscc),
        )
        for stratum in sorted(picks)
        for rank, uscc in enumerate(picks[stratum], start=1)
    ]


@router.get("/{draw_id}", response_model=PublicDrawDetail)
def read_draw(draw_id: DrawId, session: SessionDep) -> PublicDrawDetail:
    """A published draw; once revealed, re-run here and checked against its commitment."""
    draw_row = _published(session, draw_id)
    revealed = draw_row.status in VERIFIABLE and draw_row.seed is not None
    verification = verify_draw(session, draw_id) if revealed else None
    teams = stored.load_teams(session, draw_id) if draw_row.status == "assigned" else None
    inspectors = session.scalar(
        select(func.count()).select_from(DrawInspector).where(DrawInspector.draw_id == draw_id)
    )
    return PublicDrawDetail(
        **PublicDrawSummary.model_validate(draw_row).model_dump(),
        plan=draw_row.plan,
        plan_hash=draw_row.plan_hash,
        candidate_hashes=draw_row.candidate_hashes,
        candidate_counts=_counts(session, draw_id),
        inspector_hash=draw_row.inspector_hash,
        inspector_count=inspectors or 0,
        seed_hash=draw_row.seed_hash,
        public_value=draw_row.public_value,
        public_value_source=draw_row.public_value_source,
        seed=draw_row.seed if revealed else None,
        draw_key=(
            draw_key(bytes.fromhex(draw_row.seed), draw_row.public_value or "").hex()
            if revealed and draw_row.seed
            else None
        ),
        verified=None if verification is None else verification.ok,
        checks=[]
        if verification is None
        else [PublicCheck(**vars(check)) for check in verification.checks],
        picks=[] if not revealed else _picks(session, stored.load_picks(session, draw_id), teams),
    )


@router.get("/{draw_id}/candidates", response_model=PublicCandidatePage)
def read_candidates(
    draw_id: DrawId,
    session: SessionDep,
    stratum: Annotated[str, Query(min_length=1, max_length=20, description="e.g. A")],
    page: PageQuery = 1,
    page_size: PageSizeQuery = 500,
) -> PublicCandidatePage:
    """A revealed draw's candidate list of one stratum, page by page, as it was hashed."""
    _published(session, draw_id, VERIFIABLE)
    condition = (DrawCandidate.draw_id == draw_id, DrawCandidate.stratum == stratum)
    total = session.scalar(select(func.count()).select_from(DrawCandidate).where(*condition))
    rows = session.execute(
        select(DrawCandidate.entity_uscc, DrawCandidate.weight)
        .where(*condition)
        .order_by(DrawCandidate.position)
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return PublicCandidatePage(
        stratum=stratum,
        items=[{"id": uscc, "weight": weight} for uscc, weight in rows],
        total=total or 0,
        page=page,
        page_size=page_size,
    )


@router.get("/{draw_id}/inspectors", response_model=PublicInspectorPage)
def read_inspectors(
    draw_id: DrawId, session: SessionDep, page: PageQuery = 1, page_size: PageSizeQuery = 500
) -> PublicInspectorPage:
    """A revealed draw's inspector pool, page by page, as it was hashed.

    ``avoid`` lists the candidates an inspector had to withdraw from, without the reason.
    """
    _published(session, draw_id, VERIFIABLE)
    condition = DrawInspector.draw_id == draw_id
    total = session.scalar(select(func.count()).select_from(DrawInspector).where(condition))
    rows = session.scalars(
        select(DrawInspector)
        .where(condition)
        .order_by(DrawInspector.position)
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return PublicInspectorPage(
        items=[stored.inspector_of(row).entry() for row in rows],
        total=total or 0,
        page=page,
        page_size=page_size,
    )
