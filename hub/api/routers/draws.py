"""Work endpoints of 双随机、一公开 under ``/api/v1/draws``: the item list, the two libraries,
plans and their draws, picks, teams, workload and statistics.

Scoped like every work endpoint (``hub.api.deps.scope_clauses``): a draw belongs to the
department that organises it and to its region; one outside the caller's scope is answered
like an unknown one (404), and a plan for another department or outside the caller's area is
refused (403). Entities are scoped by region, inspectors by department and region. Officers,
leaders and admins take the steps, each through ``hub.draws.service`` (which validates,
audits and refuses a step out of order with HTTP 422); nothing here re-implements a step.

Inspectors appear by certificate number, never by name, and the sealed seed never leaves
the store: the seed is shown once revealed, as in the public interface.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import APIRouter, Body, Depends, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from hub.api.deps import CurrentPrincipal, SessionDep, require_roles, scope_clauses
from hub.draws import publication, results, service, statistics, stored
from hub.draws.library import binary, entity_conditions, latest_classes
from hub.draws.plan import EntityFilter
from hub.errors import NotFoundError, PermissionDenied
from hub.security.tokens import Principal
from hub.store.models.catalog import CatalogItem
from hub.store.models.draws import Draw, DrawAssignment, DrawInspector
from hub.store.models.entities import RegulatedEntity
from hub.store.models.inspection_results import InspectionResult
from hub.store.models.personnel import EnforcementOfficer

router = APIRouter(prefix="/draws", tags=["draws"])

Editor = Annotated[Principal, Depends(require_roles("admin", "leader", "officer"))]
DrawId = Annotated[int, Path(ge=1, description="the draw's id")]
PageQuery = Annotated[int, Query(ge=1)]
PageSizeQuery = Annotated[int, Query(ge=1, le=200)]
CodesQuery = Annotated[list[str] | None, Query(max_length=50)]
YearQuery = Annotated[int | None, Query(ge=2000, le=2100)]
RANDOM_INSPECTION = "双随机"
"""What the catalog's supervision manner says of items inspected at random (双随机抽查)."""


# --- schemas ---------------------------------------------------------------------------------


class InspectionItem(BaseModel):
    """A published catalog item inspected at random (抽查事项清单)."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    department_code: str
    region_code: str | None
    supervision_manner: str | None
    legal_basis: str | None
    objects: str | None
    measures: str | None


class LibraryEntity(BaseModel):
    """An entity of the entity library with its credit class in force (no personal data)."""

    uscc: str
    name: str
    entity_type: str
    region_code: str | None
    industry_code: str | None
    status: str
    credit_class: str | None


class LibraryInspector(BaseModel):
    """An inspector of the inspector library, by certificate number (names are not shown)."""

    model_config = ConfigDict(from_attributes=True)

    certificate_number: str
    department_code: str
    region_code: str | None
    qualifications: list[str]
    specialities: list[str]
    certified: bool
    status: str
    valid_until: date | None


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list; ``total`` counts every match in your scope."""

    items: list[T]
    total: int
    page: int
    page_size: int


class DrawSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    department_code: str
    region_code: str
    year: int
    status: str
    created_by: str
    commitment: str | None
    frozen_at: datetime | None
    committed_at: datetime | None
    keyed_at: datetime | None
    drawn_at: datetime | None
    revealed_at: datetime | None
    assigned_at: datetime | None


class DrawWork(DrawSummary):
    """A draw with its plan, digests and counts; the seed only once revealed."""

    plan: dict[str, Any]
    plan_hash: str | None
    candidate_hashes: dict[str, str] | None
    candidate_counts: dict[str, int]
    left_out_by_frequency_cap: dict[str, int] | None
    inspector_hash: str | None
    inspector_count: int
    seed_hash: str | None
    public_value: str | None
    public_value_source: str | None
    seed: str | None


class PublicValueRequest(BaseModel):
    """The public value nobody could know at commitment time, and where it comes from."""

    value: str = Field(min_length=1, max_length=service.MAX_PUBLIC_VALUE)
    source: str = Field(min_length=1, max_length=service.MAX_PUBLIC_VALUE)


class Pick(BaseModel):
    stratum: str
    rank: int
    uscc: str
    name: str | None
    inspectors: list[str] | None


class Assignment(BaseModel):
    entity_uscc: str
    certificate_number: str
    department_code: str


class WorkloadPublic(BaseModel):
    certificate_number: str
    department_code: str
    assignments: int
    draws: int


class WorkloadSummary(BaseModel):
    inspectors: int
    assignments: int
    least: int
    most: int


class ProblemRatePublic(BaseModel):
    group: str
    inspected: int
    with_problems: int
    rate: float | None


class DrawStatistics(BaseModel):
    """Over the draws in your scope that have picked (of ``year`` when given); workload and
    problem rates over your department's inspections in them."""

    year: int | None
    draws: int
    drawn_per_class: dict[str, int]
    workload: WorkloadSummary
    workloads: list[WorkloadPublic]
    problem_rate_per_class: list[ProblemRatePublic]
    problem_rate_per_item: list[ProblemRatePublic]


# --- helpers ---------------------------------------------------------------------------------


def _actor(principal: Principal) -> service.Actor:
    return service.Actor(principal.name, principal.department_code)


def _draw_scope(principal: Principal) -> list[ColumnElement[bool]]:
    return scope_clauses(principal, department=Draw.department_code, region=Draw.region_code)


def _scoped(session: Session, principal: Principal, draw_id: int) -> Draw:
    """The draw if the caller may see it; 404 otherwise (whether or not it exists)."""
    draw = session.scalars(
        select(Draw).where(Draw.id == draw_id, *_draw_scope(principal))
    ).one_or_none()
    if draw is None:
        raise NotFoundError(f"no draw {draw_id}")
    return draw


def _require_own(principal: Principal, plan: dict[str, Any]) -> None:
    """A valid plan (422 otherwise), organised for the caller's department, within the
    caller's area (403)."""
    spec = service.validate_plan(plan)
    department, region = spec.department_code, spec.region_code
    if not principal.sees_all_departments and department != principal.department_code:
        raise PermissionDenied(f"you act for {principal.department_code}, not {department}")
    if not principal.in_region(region):
        raise PermissionDenied(f"region {region} is outside your area {principal.region_code}")


def _work(session: Session, draw: Draw) -> DrawWork:
    revealed = draw.status in service.VERIFIABLE
    inspectors = session.scalar(
        select(func.count()).select_from(DrawInspector).where(DrawInspector.draw_id == draw.id)
    )
    return DrawWork(
        **DrawSummary.model_validate(draw).model_dump(),
        plan=draw.plan,
        plan_hash=draw.plan_hash,
        candidate_hashes=draw.candidate_hashes,
        candidate_counts=stored.candidate_counts(session, draw.id),
        left_out_by_frequency_cap=service.left_out_by_cap(session, draw.id),
        inspector_hash=draw.inspector_hash,
        inspector_count=inspectors or 0,
        seed_hash=draw.seed_hash,
        public_value=draw.public_value,
        public_value_source=draw.public_value_source,
        seed=draw.seed if revealed else None,
    )


def _stepped(session: Session, draw: Draw) -> DrawWork:
    session.commit()
    return _work(session, draw)


# --- the item list and the two libraries -----------------------------------------------------


@router.get("/items", response_model=Page[InspectionItem])
def list_items(
    session: SessionDep,
    principal: CurrentPrincipal,
    page: PageQuery = 1,
    page_size: PageSizeQuery = 50,
) -> Page[InspectionItem]:
    """The random-inspection item list: published catalog items in your scope whose
    supervision manner is 双随机抽查."""
    conditions = [
        CatalogItem.status == "published",
        CatalogItem.supervision_manner.contains(RANDOM_INSPECTION, autoescape=True),
        *scope_clauses(
            principal, department=CatalogItem.department_code, region=CatalogItem.region_code
        ),
    ]
    total = session.scalar(select(func.count()).select_from(CatalogItem).where(*conditions))
    rows = session.scalars(
        select(CatalogItem)
        .where(*conditions)
        .order_by(CatalogItem.code)
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return Page[InspectionItem](
        items=[InspectionItem.model_validate(row) for row in rows],
        total=total or 0,
        page=page,
        page_size=page_size,
    )


@router.get("/entities", response_model=Page[LibraryEntity])
def list_entities(
    session: SessionDep,
    principal: CurrentPrincipal,
    region: CodesQuery = None,
    industry: CodesQuery = None,
    entity_type: CodesQuery = None,
    entity_status: Annotated[list[str] | None, Query(alias="status", max_length=20)] = None,
    credit_class: CodesQuery = None,
    licensed_item: CodesQuery = None,
    page: PageQuery = 1,
    page_size: PageSizeQuery = 50,
) -> Page[LibraryEntity]:
    """The entity library in your region: filter by region, industry (prefixes), entity type,
    status, credit class (``none`` for unclassified) and licensed item (许可事项 catalog
    code); every filter repeatable. Status defaults to any."""
    rules = EntityFilter(
        regions=region or [],
        industries=industry or [],
        entity_types=entity_type or [],
        statuses=entity_status or [],
        licensed_items=licensed_item or [],
    )
    today = datetime.now(UTC).date()
    classes = latest_classes(session, today)
    conditions = [
        *entity_conditions(rules, None, today),
        *scope_clauses(principal, region=RegulatedEntity.region_code),
    ]
    if credit_class:
        wanted = [code for code in credit_class if code != "none"]
        conditions.append(
            or_(
                classes.c.credit_class.in_(wanted),
                *([classes.c.credit_class.is_(None)] if "none" in credit_class else []),
            )
        )
    query = select(
        RegulatedEntity.uscc,
        RegulatedEntity.name,
        RegulatedEntity.entity_type,
        RegulatedEntity.region_code,
        RegulatedEntity.industry_code,
        RegulatedEntity.status,
        classes.c.credit_class,
    ).outerjoin(classes, classes.c.uscc == RegulatedEntity.uscc)
    total = session.scalar(select(func.count()).select_from(query.where(*conditions).subquery()))
    rows = session.execute(
        query.where(*conditions)
        .order_by(binary(session, RegulatedEntity.uscc))
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return Page[LibraryEntity](
        items=[LibraryEntity(**row._mapping) for row in rows],
        total=total or 0,
        page=page,
        page_size=page_size,
    )


@router.get("/inspectors", response_model=Page[LibraryInspector])
def list_inspectors(
    session: SessionDep,
    principal: CurrentPrincipal,
    department: CodesQuery = None,
    region: CodesQuery = None,
    qualification: CodesQuery = None,
    speciality: CodesQuery = None,
    drawable: Annotated[
        bool, Query(description="only certified, active officers with a valid certificate")
    ] = False,
    page: PageQuery = 1,
    page_size: PageSizeQuery = 50,
) -> Page[LibraryInspector]:
    """The inspector library in your scope; qualifications and specialities must all be held
    (matched in Python, as the draw matches them: the tags are JSON lists, and a library
    holds thousands of officers, not millions)."""
    officer = EnforcementOfficer
    conditions = scope_clauses(
        principal, department=officer.department_code, region=officer.region_code
    )
    if department:
        conditions.append(officer.department_code.in_(department))
    if region:
        conditions.append(
            or_(*(officer.region_code.startswith(code, autoescape=True) for code in region))
        )
    if drawable:
        conditions += [
            officer.certified.is_(True),
            officer.status == "active",
            or_(officer.valid_until.is_(None), officer.valid_until >= datetime.now(UTC).date()),
        ]
    rows = session.scalars(
        select(officer).where(*conditions).order_by(binary(session, officer.certificate_number))
    )
    wanted_qualifications = set(qualification or [])
    wanted_specialities = set(speciality or [])
    matching = [
        row
        for row in rows
        if wanted_qualifications <= set(row.qualifications or [])
        and wanted_specialities <= set(row.specialities or [])
    ]
    start = (page - 1) * page_size
    return Page[LibraryInspector](
        items=[LibraryInspector.model_validate(row) for row in matching[start : start + page_size]],
        total=len(matching),
        page=page,
        page_size=page_size,
    )


@router.get("/inspectors/{certificate_number}/workload", response_model=list[WorkloadPublic])
def read_workload(
    certificate_number: Annotated[str, Path(min_length=1, max_length=50)],
    session: SessionDep,
    principal: CurrentPrincipal,
    year: YearQuery = None,
) -> list[WorkloadPublic]:
    """An inspector of your scope: assignments and draws (of ``year`` when given)."""
    visible = session.scalar(
        select(EnforcementOfficer.id).where(
            EnforcementOfficer.certificate_number == certificate_number,
            *scope_clauses(
                principal,
                department=EnforcementOfficer.department_code,
                region=EnforcementOfficer.region_code,
            ),
        )
    )
    if visible is None:
        raise NotFoundError(f"no inspector {certificate_number}")
    loads = statistics.workloads(session, year=year, certificate_number=certificate_number)
    return [WorkloadPublic(**vars(load)) for load in loads]


@router.get("/statistics", response_model=DrawStatistics)
def read_statistics(
    session: SessionDep, principal: CurrentPrincipal, year: YearQuery = None
) -> DrawStatistics:
    """Entities drawn per class over the draws in your scope; the workload of your
    inspectors and the problem rate (per class and per item) of your department's results,
    in draws of your area, joint plans included."""
    draw_scope = _draw_scope(principal)
    result_scope = scope_clauses(
        principal, department=InspectionResult.department_code, region=Draw.region_code
    )
    loads = statistics.workloads(
        session,
        year=year,
        scope=scope_clauses(
            principal, department=DrawAssignment.department_code, region=Draw.region_code
        ),
    )
    assignments = [load.assignments for load in loads]
    return DrawStatistics(
        year=year,
        draws=statistics.counted_draws(session, year=year, scope=draw_scope),
        drawn_per_class=statistics.drawn_per_class(session, year=year, scope=draw_scope),
        workload=WorkloadSummary(
            inspectors=len(loads),
            assignments=sum(assignments),
            least=min(assignments, default=0),
            most=max(assignments, default=0),
        ),
        workloads=[WorkloadPublic(**vars(load)) for load in loads],
        problem_rate_per_class=_rates(session, "stratum", year, result_scope),
        problem_rate_per_item=_rates(session, "catalog_code", year, result_scope),
    )


def _rates(
    session: Session,
    by: Literal["stratum", "catalog_code"],
    year: int | None,
    scope: list[ColumnElement[bool]],
) -> list[ProblemRatePublic]:
    return [
        ProblemRatePublic(
            group=rate.group,
            inspected=rate.inspected,
            with_problems=rate.with_problems,
            rate=rate.rate,
        )
        for rate in statistics.problem_rates(session, by=by, year=year, scope=scope)
    ]


# --- plans and draws -------------------------------------------------------------------------


@router.get("", response_model=Page[DrawSummary])
def list_draws(
    session: SessionDep,
    principal: CurrentPrincipal,
    draw_status: Annotated[str | None, Query(alias="status", pattern=r"^[a-z]+$")] = None,
    year: YearQuery = None,
    page: PageQuery = 1,
    page_size: PageSizeQuery = 50,
) -> Page[DrawSummary]:
    """Plans and draws in your scope, newest first."""
    conditions = _draw_scope(principal)
    if draw_status:
        conditions.append(Draw.status == draw_status)
    if year is not None:
        conditions.append(Draw.year == year)
    total = session.scalar(select(func.count()).select_from(Draw).where(*conditions))
    rows = session.scalars(
        select(Draw)
        .where(*conditions)
        .order_by(Draw.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return Page[DrawSummary](
        items=[DrawSummary.model_validate(row) for row in rows],
        total=total or 0,
        page=page,
        page_size=page_size,
    )


PlanBody = Annotated[dict[str, Any], Body(description="the plan document (hub/draws/README.md)")]


@router.post("", response_model=DrawWork, status_code=status.HTTP_201_CREATED)
def create_plan(plan: PlanBody, session: SessionDep, principal: Editor) -> DrawWork:
    """A new plan, in draft, organised by your department within your area."""
    _require_own(principal, plan)
    draw = service.create_plan(session, plan, _actor(principal))
    return _stepped(session, draw)


@router.get("/{draw_id}", response_model=DrawWork)
def read_draw(draw_id: DrawId, session: SessionDep, principal: CurrentPrincipal) -> DrawWork:
    """A plan or draw of your scope, as far as it has gone."""
    return _work(session, _scoped(session, principal, draw_id))


@router.put("/{draw_id}/plan", response_model=DrawWork)
def edit_plan(draw_id: DrawId, plan: PlanBody, session: SessionDep, principal: Editor) -> DrawWork:
    """Replace a draft's plan (refused once frozen)."""
    _scoped(session, principal, draw_id)
    _require_own(principal, plan)
    return _stepped(session, service.update_plan(session, draw_id, plan, _actor(principal)))


@router.post("/{draw_id}/freeze", response_model=DrawWork)
def freeze(draw_id: DrawId, session: SessionDep, principal: Editor) -> DrawWork:
    """Fix the candidate lists and the inspector pool from the libraries, as of now."""
    _scoped(session, principal, draw_id)
    return _stepped(session, service.freeze(session, draw_id, _actor(principal)))


@router.post("/{draw_id}/commit", response_model=DrawWork)
def commit(draw_id: DrawId, session: SessionDep, principal: Editor) -> DrawWork:
    """Draw the secret seed and publish the commitment."""
    _scoped(session, principal, draw_id)
    return _stepped(session, service.commit(session, draw_id, _actor(principal)))


@router.post("/{draw_id}/public-value", response_model=DrawWork)
def enter_public_value(
    draw_id: DrawId, body: PublicValueRequest, session: SessionDep, principal: Editor
) -> DrawWork:
    """Enter the public value (e.g. a lottery result) and its source, after the commitment."""
    _scoped(session, principal, draw_id)
    draw = service.enter_public_value(session, draw_id, body.value, body.source, _actor(principal))
    return _stepped(session, draw)


@router.post("/{draw_id}/draw", response_model=DrawWork)
def run_draw(draw_id: DrawId, session: SessionDep, principal: Editor) -> DrawWork:
    """Pick the entities."""
    _scoped(session, principal, draw_id)
    return _stepped(session, service.run_draw(session, draw_id, _actor(principal)))


@router.post("/{draw_id}/reveal", response_model=DrawWork)
def reveal(draw_id: DrawId, session: SessionDep, principal: Editor) -> DrawWork:
    """Publish the seed: anyone can now re-run the draw."""
    _scoped(session, principal, draw_id)
    return _stepped(session, service.reveal(session, draw_id, _actor(principal)))


@router.post("/{draw_id}/assign", response_model=DrawWork)
def assign(draw_id: DrawId, session: SessionDep, principal: Editor) -> DrawWork:
    """Give every drawn entity its inspector team."""
    _scoped(session, principal, draw_id)
    return _stepped(session, service.assign_teams(session, draw_id, _actor(principal)))


@router.get("/{draw_id}/picks", response_model=list[Pick])
def read_picks(draw_id: DrawId, session: SessionDep, principal: CurrentPrincipal) -> list[Pick]:
    """The drawn entities by stratum and rank, each with its team once assigned."""
    draw = _scoped(session, principal, draw_id)
    picks = stored.load_picks(session, draw.id)
    teams = stored.load_teams(session, draw.id) if draw.status == "assigned" else None
    drawn = [uscc for ranked in picks.values() for uscc in ranked]
    rows = session.execute(
        select(RegulatedEntity.uscc, RegulatedEntity.name).where(RegulatedEntity.uscc.in_(drawn))
    )
    names = {uscc: name for uscc, name in rows}
    return [
        Pick(
            stratum=stratum,
            rank=rank,
            uscc=uscc,
            name=names.get(uscc),
            inspectors=None if teams is None else teams.get(uscc),
        )
        for stratum in sorted(picks)
        for rank, uscc in enumerate(picks[stratum], start=1)
    ]


@router.get("/{draw_id}/assignments", response_model=Page[Assignment])
def read_assignments(
    draw_id: DrawId,
    session: SessionDep,
    principal: CurrentPrincipal,
    page: PageQuery = 1,
    page_size: PageSizeQuery = 200,
) -> Page[Assignment]:
    """Every team member of the draw, one row per entity and inspector."""
    _scoped(session, principal, draw_id)
    condition = DrawAssignment.draw_id == draw_id
    total = session.scalar(select(func.count()).select_from(DrawAssignment).where(condition))
    rows = session.execute(
        select(
            DrawAssignment.entity_uscc,
            DrawAssignment.certificate_number,
            DrawAssignment.department_code,
        )
        .where(condition)
        .order_by(
            binary(session, DrawAssignment.entity_uscc),
            binary(session, DrawAssignment.certificate_number),
        )
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return Page[Assignment](
        items=[Assignment(**row._mapping) for row in rows],
        total=total or 0,
        page=page,
        page_size=page_size,
    )


# --- results and their publication -----------------------------------------------------------


class ResultRequest(BaseModel):
    """The result of inspecting one drawn entity (``hub.draws.results.record_result``)."""

    model_config = ConfigDict(extra="forbid")

    entity_uscc: str = Field(min_length=18, max_length=18)
    result_code: str = Field(
        min_length=1, max_length=20, description="standards/draws/result_categories.json"
    )
    ended_at: datetime = Field(description="when the inspection ended (with its time zone)")
    officers: list[str] | None = Field(
        default=None, description="certificate numbers of the team members who inspected"
    )
    catalog_code: str | None = Field(default=None, min_length=14, max_length=14)
    findings: str | None = Field(default=None, max_length=4000)


class InspectionResultWork(BaseModel):
    """A recorded result and where its publication stands."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    entity_uscc: str
    stratum: str
    catalog_code: str
    department_code: str
    result_number: str
    result_code: str
    problem_found: bool
    officers: list[str]
    inspection_ended_at: datetime
    publication_due_at: datetime
    publication_provisional: bool
    publication_requested_at: datetime | None
    published_at: datetime | None


class PublicationQueued(BaseModel):
    queued: int


def _participating(session: Session, principal: Principal, draw_id: int) -> Draw:
    """The draw if the caller's department organises it (in scope) or inspects in it."""
    draw = session.get(Draw, draw_id)
    if draw is not None and principal.department_code in _plan_departments(draw):
        return draw
    return _scoped(session, principal, draw_id)


def _plan_departments(draw: Draw) -> set[str]:
    return {str(item.get("department")) for item in draw.plan.get("items", [])}


@router.post(
    "/{draw_id}/results", response_model=InspectionResultWork, status_code=status.HTTP_201_CREATED
)
def record_inspection_result(
    draw_id: DrawId, body: ResultRequest, session: SessionDep, principal: Editor
) -> InspectionResult:
    """Record the result of inspecting a drawn entity: stored as an inspection (a supervision
    action), due for publication within 20 working days of ``ended_at``."""
    _participating(session, principal, draw_id)
    result = results.record_result(
        session,
        draw_id,
        body.entity_uscc,
        body.result_code,
        ended_at=body.ended_at,
        actor=_actor(principal),
        officers=body.officers,
        catalog_code=body.catalog_code,
        findings=body.findings,
    )
    session.commit()
    return result


@router.get("/{draw_id}/results", response_model=list[InspectionResultWork])
def read_results(
    draw_id: DrawId, session: SessionDep, principal: CurrentPrincipal
) -> list[InspectionResult]:
    """The draw's recorded results: all of them for the organiser, a participating
    department's own otherwise."""
    draw = _participating(session, principal, draw_id)
    query = select(InspectionResult).where(InspectionResult.draw_id == draw.id)
    if not session.scalars(
        select(Draw.id).where(Draw.id == draw.id, *_draw_scope(principal))
    ).first():
        query = query.where(InspectionResult.department_code == principal.department_code)
    return list(session.scalars(query.order_by(InspectionResult.id)))


@router.post("/{draw_id}/publish", response_model=PublicationQueued)
def publish_results(draw_id: DrawId, session: SessionDep, principal: Editor) -> PublicationQueued:
    """Queue the publication of every result the caller's department recorded in this draw
    (to the credit publicity channel, through the outbox); already queued ones are skipped."""
    _participating(session, principal, draw_id)
    queued = publication.request_draw_publications(session, draw_id, _actor(principal))
    session.commit()
    return PublicationQueued(queued=queued)
