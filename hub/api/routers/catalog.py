"""Work endpoints of the supervision item catalog under ``/api/v1/catalog``.

Scoped like every work endpoint (``hub.api.deps.scope_clauses``): an item or an
implementation-list line outside the caller's department and region is answered like an
unknown one (404), and creating, moving or claiming an item, or adding a line, for another
department or area is refused (403). Officers, leaders and admins draft, edit, submit, claim,
link the legal basis to knowledge-base articles and add implementation-list lines; leaders
and admins review, publish, withdraw items and lines, and override responsibility or restore
its rule. Every step on an item needs a ``reason`` and is versioned and audited by
:mod:`hub.catalog`; refusals (missing elements, taken code, unknown department or region, a
step not allowed from the status) are HTTP 422 with the reason, an unknown law or article 404
naming it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from hub.api.deps import CurrentPrincipal, SessionDep, require_roles, scope_clauses
from hub.catalog import implementations, lifecycle, responsibility
from hub.catalog.bases import cited_articles, link_article, unlink_article
from hub.catalog.claims import Localisation, claim, claims_of
from hub.catalog.dictionaries import department
from hub.catalog.statistics import Coverage, catalog_statistics
from hub.catalog.versions import Actor, FieldChange, diff, history
from hub.errors import NotFoundError, PermissionDenied
from hub.security.tokens import Principal
from hub.store.models.catalog import CatalogItem, ImplementationListItem

router = APIRouter(prefix="/catalog", tags=["catalog"])

Editor = Annotated[Principal, Depends(require_roles("admin", "leader", "officer"))]
Reviewer = Annotated[Principal, Depends(require_roles("admin", "leader"))]
CodePath = Annotated[str, Path(pattern=r"^[0-9]{14}$", description="监管事项目录编码")]
LineCodePath = Annotated[
    str,
    Path(
        pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}[1-5][0-9A-Za-z]*$",
        max_length=64,
        description="检查实施清单编码",
    ),
]
Reason = Annotated[str, Field(min_length=1, max_length=2000, description="why (recorded)")]
MAX_PAGE_SIZE = 200


class CatalogItemFields(BaseModel):
    """The elements a person may set (see ``hub.catalog.lifecycle.EDITABLE``)."""

    department_name: str | None = None
    supervision_manner: str | None = None
    measures: str | None = None
    objects: str | None = None
    legal_basis: str | None = None
    process: str | None = None
    result: str | None = None
    level: str | None = None
    region_code: str | None = None
    source_kind: str | None = None
    licensing_item: str | None = None


class CatalogItemCreate(CatalogItemFields):
    """A new local item; ``code`` is allocated unless given, ``parent_code`` makes a sub-item."""

    name: str = Field(min_length=1, max_length=300)
    department_code: str
    supervision_type: str
    parent_code: str | None = None
    code: str | None = None
    reason: Reason


class CatalogItemUpdate(CatalogItemFields):
    """Changes to an item: only the fields sent are changed (null clears one)."""

    name: str | None = Field(default=None, min_length=1, max_length=300)
    department_code: str | None = None
    reason: Reason


class StepRequest(BaseModel):
    """Why a step is taken."""

    reason: Reason


class ReviewRequest(StepRequest):
    """``approved`` false returns the item to draft."""

    approved: bool = True


class ClaimRequest(BaseModel):
    """A region's claim of a national item and its localisation; name, basis and type, when
    stated, must be the national item's."""

    region_code: str
    department_code: str
    level: str | None = None
    supervision_manner: str | None = None
    measures: str | None = None
    objects: str | None = None
    process: str | None = None
    result: str | None = None
    name: str | None = None
    legal_basis: str | None = None
    supervision_type: str | None = None
    reason: Reason


class ResponsibilityRequest(StepRequest):
    """The department made responsible regardless of the rule."""

    department_code: str


class BasisLink(BaseModel):
    """A law of the knowledge base, and one of its articles (none: the law as a whole)."""

    law_code: str = Field(min_length=1, max_length=64)
    article_number: str | None = Field(default=None, max_length=50)
    reason: Reason


class CitedArticlePublic(BaseModel):
    """A link of the item's basis, with what the knowledge base holds of it."""

    model_config = ConfigDict(from_attributes=True)

    law_code: str
    title: str | None
    law_status: str | None
    article_number: str
    text: str | None


class ImplementationCreate(BaseModel):
    """A line of the implementation list of a department in a region; ``level`` is the
    agency's (province, city, county, township, or other), by default the region's."""

    region_code: str = Field(min_length=6, max_length=12)
    department_code: str = Field(min_length=1, max_length=50)
    agency_uscc: str = Field(min_length=18, max_length=18, description="统一社会信用代码")
    agency_name: str | None = Field(default=None, max_length=200)
    level: str | None = None


class ImplementationWork(BaseModel):
    """An implementation-list line as the work interface shows it."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    catalog_code: str
    agency_uscc: str
    agency_name: str | None
    level_digit: str
    region_code: str | None
    department_code: str | None
    status: str
    created_at: datetime
    withdrawn_at: datetime | None
    withdrawn_by: str | None
    withdrawal_reason: str | None


class ImplementationPage(BaseModel):
    items: list[ImplementationWork]
    total: int
    page: int
    page_size: int


class ClaimPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    region_code: str
    department_code: str
    level: str | None
    supervision_manner: str | None
    measures: str | None
    objects: str | None
    process: str | None
    result: str | None
    claimed_by: str
    claimed_at: datetime


class CatalogItemWork(BaseModel):
    """An item as the work interface shows it."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    parent_code: str | None
    is_main: bool
    name: str
    department_code: str
    department_name: str | None
    supervision_type: str | None
    supervision_manner: str | None
    measures: str | None
    objects: str | None
    legal_basis: str | None
    process: str | None
    result: str | None
    level: str | None
    region_code: str | None
    status: str
    version: int
    origin: str
    source_kind: str | None
    licensing_item: str | None
    responsible_department: str | None
    responsibility_rule: str | None
    responsibility_reason: str | None


class CatalogPage(BaseModel):
    items: list[CatalogItemWork]
    total: int
    page: int
    page_size: int


class VersionPublic(BaseModel):
    """One revision: the step, who, when, why, what changed and the item as it then stood."""

    revision: int
    action: str
    status: str
    actor: str
    actor_department: str | None
    reason: str
    recorded_at: datetime
    changed: list[str]
    snapshot: dict[str, Any]


class ChangePublic(BaseModel):
    before: Any
    after: Any


class DiffPublic(BaseModel):
    code: str
    from_revision: int
    to_revision: int
    changes: dict[str, ChangePublic]


class CoveragePublic(BaseModel):
    """Coverage of one group: a department, a region (with its ``level``: province, city,
    county) or ``all``."""

    group: str
    level: str | None
    main_items: int
    main_covered: int
    main_ratio: float | None
    sub_items: int
    sub_covered: int
    sub_ratio: float | None


class StatisticsPublic(BaseModel):
    since: datetime
    as_of: datetime
    by_department: dict[str, int]
    by_level: dict[str, int]
    by_manner: dict[str, int]
    total: CoveragePublic
    coverage_by_department: list[CoveragePublic]
    coverage_by_region: list[CoveragePublic]
    never_used: list[str]


def _actor(principal: Principal) -> Actor:
    return Actor(principal.name, principal.department_code)


def _scoped(session: Session, principal: Principal, code: str) -> CatalogItem:
    """The item if the caller may see it; 404 otherwise (whether or not it exists)."""
    item = session.scalars(
        select(CatalogItem).where(
            CatalogItem.code == code,
            *scope_clauses(
                principal, department=CatalogItem.department_code, region=CatalogItem.region_code
            ),
        )
    ).one_or_none()
    if item is None:
        raise NotFoundError(f"no catalog item {code}")
    return item


def _require_scope(principal: Principal, department_code: str, region_code: str | None) -> None:
    """Refuse acting for another department or outside the caller's area (403)."""
    area = region_code or department(department_code).region_code
    if not principal.sees_all_departments and department_code != principal.department_code:
        raise PermissionDenied(f"you act for {principal.department_code}, not {department_code}")
    if not principal.in_region(area):
        raise PermissionDenied(f"region {area} is outside your area {principal.region_code}")


def _work(item: CatalogItem) -> CatalogItemWork:
    return CatalogItemWork.model_validate(item)


def _coverage(row: Coverage) -> CoveragePublic:
    return CoveragePublic(
        group=row.group,
        level=row.level,
        main_items=row.main_items,
        main_covered=row.main_covered,
        main_ratio=row.main_ratio,
        sub_items=row.sub_items,
        sub_covered=row.sub_covered,
        sub_ratio=row.sub_ratio,
    )


@router.get("/statistics", response_model=StatisticsPublic)
def read_statistics(
    session: SessionDep, principal: CurrentPrincipal, as_of: datetime | None = None
) -> StatisticsPublic:
    """Counts, coverage by department and by region at every level (main and sub-items),
    items never used; over the published items implemented in your scope (a claimed national
    item under the claiming department)."""
    stats = catalog_statistics(
        session,
        as_of=as_of,
        department_code=None if principal.sees_all_departments else principal.department_code,
        region_prefix=None if principal.sees_all_regions else principal.region_prefix,
    )
    return StatisticsPublic(
        since=stats.since,
        as_of=stats.as_of,
        by_department=stats.by_department,
        by_level=stats.by_level,
        by_manner=stats.by_manner,
        total=_coverage(stats.total),
        coverage_by_department=[_coverage(row) for row in stats.coverage_by_department],
        coverage_by_region=[_coverage(row) for row in stats.coverage_by_region],
        never_used=stats.never_used,
    )


def _line_scope(principal: Principal) -> list[ColumnElement[bool]]:
    return scope_clauses(
        principal,
        department=ImplementationListItem.department_code,
        region=ImplementationListItem.region_code,
    )


@router.get("/implementations", response_model=ImplementationPage)
def list_implementations(
    session: SessionDep,
    principal: CurrentPrincipal,
    catalog_code: Annotated[str | None, Query(pattern=r"^[0-9]{14}$")] = None,
    status_filter: Annotated[
        str | None, Query(alias="status", pattern=r"^(active|withdrawn)$")
    ] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> ImplementationPage:
    """Implementation-list lines (检查实施清单) in your scope, of one item or all."""
    lines, total = implementations.list_lines(
        session,
        *_line_scope(principal),
        catalog_code=catalog_code,
        status=status_filter,
        offset=(page - 1) * page_size,
        limit=page_size,
    )
    return ImplementationPage(
        items=[ImplementationWork.model_validate(line) for line in lines],
        total=total,
        page=page,
        page_size=page_size,
    )


@router.get("/implementations/{line_code}", response_model=ImplementationWork)
def read_implementation(
    line_code: LineCodePath, session: SessionDep, principal: CurrentPrincipal
) -> ImplementationWork:
    """One line in your scope."""
    line = implementations.get_line(session, line_code, *_line_scope(principal))
    return ImplementationWork.model_validate(line)


@router.post("/implementations/{line_code}/withdraw", response_model=ImplementationWork)
def withdraw_implementation(
    line_code: LineCodePath, body: StepRequest, session: SessionDep, principal: Reviewer
) -> ImplementationWork:
    """Take a line out of the list; its code stays taken (records cite it)."""
    line = implementations.get_line(session, line_code, *_line_scope(principal))
    implementations.withdraw_line(session, line, actor=_actor(principal), reason=body.reason)
    session.commit()
    return ImplementationWork.model_validate(line)


@router.get("", response_model=CatalogPage)
def list_items(
    session: SessionDep,
    principal: CurrentPrincipal,
    status_filter: Annotated[
        str | None, Query(alias="status", pattern=r"^[a-z]+$", description="e.g. draft")
    ] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> CatalogPage:
    """Items in your scope, whatever their status (or of one status)."""
    conditions = scope_clauses(
        principal, department=CatalogItem.department_code, region=CatalogItem.region_code
    )
    if status_filter:
        conditions.append(CatalogItem.status == status_filter)
    total = session.scalar(select(func.count()).select_from(CatalogItem).where(*conditions))
    items = session.scalars(
        select(CatalogItem)
        .where(*conditions)
        .order_by(CatalogItem.code)
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return CatalogPage(
        items=[_work(item) for item in items], total=total or 0, page=page, page_size=page_size
    )


@router.post("", response_model=CatalogItemWork, status_code=status.HTTP_201_CREATED)
def create_item(body: CatalogItemCreate, session: SessionDep, principal: Editor) -> CatalogItemWork:
    """A new local item, in draft, for your department."""
    _require_scope(principal, body.department_code.strip(), body.region_code)
    draft = lifecycle.ItemDraft(**body.model_dump(exclude={"reason"}))
    item = lifecycle.create_item(session, draft, actor=_actor(principal), reason=body.reason)
    session.commit()
    return _work(item)


@router.get("/{code}", response_model=CatalogItemWork)
def read_item(code: CodePath, session: SessionDep, principal: CurrentPrincipal) -> CatalogItemWork:
    """One item in your scope."""
    return _work(_scoped(session, principal, code))


@router.patch("/{code}", response_model=CatalogItemWork)
def edit_item(
    code: CodePath, body: CatalogItemUpdate, session: SessionDep, principal: Editor
) -> CatalogItemWork:
    """Change elements; the item returns to draft for a new review."""
    item = _scoped(session, principal, code)
    changes = body.model_dump(exclude_unset=True, exclude={"reason"})
    if "department_code" in changes or "region_code" in changes:
        _require_scope(
            principal,
            changes.get("department_code") or item.department_code,
            changes.get("region_code") or item.region_code,
        )
    lifecycle.edit_item(session, item, changes, actor=_actor(principal), reason=body.reason)
    session.commit()
    return _work(item)


@router.post("/{code}/submit", response_model=CatalogItemWork)
def submit_item(
    code: CodePath, body: StepRequest, session: SessionDep, principal: Editor
) -> CatalogItemWork:
    """Hand a draft in for review."""
    item = _scoped(session, principal, code)
    lifecycle.submit(session, item, actor=_actor(principal), reason=body.reason)
    session.commit()
    return _work(item)


@router.post("/{code}/review", response_model=CatalogItemWork)
def review_item(
    code: CodePath, body: ReviewRequest, session: SessionDep, principal: Reviewer
) -> CatalogItemWork:
    """Approve a submitted item, or return it to draft (``approved: false``)."""
    item = _scoped(session, principal, code)
    lifecycle.review(
        session, item, approved=body.approved, actor=_actor(principal), reason=body.reason
    )
    session.commit()
    return _work(item)


@router.post("/{code}/publish", response_model=CatalogItemWork)
def publish_item(
    code: CodePath, body: StepRequest, session: SessionDep, principal: Reviewer
) -> CatalogItemWork:
    """Publish a reviewed item (refused, naming them, without basis, manner or objects)."""
    item = _scoped(session, principal, code)
    lifecycle.publish(session, item, actor=_actor(principal), reason=body.reason)
    session.commit()
    return _work(item)


@router.post("/{code}/withdraw", response_model=CatalogItemWork)
def withdraw_item(
    code: CodePath, body: StepRequest, session: SessionDep, principal: Reviewer
) -> CatalogItemWork:
    """Take a published item out of the catalog."""
    item = _scoped(session, principal, code)
    lifecycle.withdraw(session, item, actor=_actor(principal), reason=body.reason)
    session.commit()
    return _work(item)


@router.put("/{code}/responsibility", response_model=CatalogItemWork)
def override_responsibility(
    code: CodePath, body: ResponsibilityRequest, session: SessionDep, principal: Reviewer
) -> CatalogItemWork:
    """Make a department responsible regardless of 谁审批、谁监管 / 谁主管、谁监管."""
    item = _scoped(session, principal, code)
    responsibility.override(
        session, item, body.department_code, actor=_actor(principal), reason=body.reason
    )
    session.commit()
    return _work(item)


@router.post("/{code}/responsibility/restore", response_model=CatalogItemWork)
def restore_responsibility(
    code: CodePath, body: StepRequest, session: SessionDep, principal: Reviewer
) -> CatalogItemWork:
    """Drop an override: the rule decides the responsible department again."""
    item = _scoped(session, principal, code)
    responsibility.restore_rule(session, item, actor=_actor(principal), reason=body.reason)
    session.commit()
    return _work(item)


@router.get("/{code}/versions", response_model=list[VersionPublic])
def read_versions(
    code: CodePath, session: SessionDep, principal: CurrentPrincipal
) -> list[VersionPublic]:
    """The item's full history, oldest first."""
    item = _scoped(session, principal, code)
    return [
        VersionPublic(
            revision=entry.revision,
            action=entry.action,
            status=entry.status,
            actor=entry.actor,
            actor_department=entry.actor_department,
            reason=entry.reason,
            recorded_at=entry.recorded_at,
            changed=list(entry.changed),
            snapshot=entry.snapshot,
        )
        for entry in history(session, item.code)
    ]


@router.get("/{code}/diff", response_model=DiffPublic)
def read_diff(
    code: CodePath,
    session: SessionDep,
    principal: CurrentPrincipal,
    from_revision: Annotated[int, Query(alias="from", ge=1)],
    to_revision: Annotated[int, Query(alias="to", ge=1)],
) -> DiffPublic:
    """What changed between two revisions (``?from=1&to=4``)."""
    item = _scoped(session, principal, code)
    changes: dict[str, FieldChange] = diff(session, item.code, from_revision, to_revision)
    return DiffPublic(
        code=item.code,
        from_revision=from_revision,
        to_revision=to_revision,
        changes={
            name: ChangePublic(before=change.before, after=change.after)
            for name, change in changes.items()
        },
    )


@router.post("/{code}/claim", response_model=list[ClaimPublic])
def claim_item(
    code: CodePath, body: ClaimRequest, session: SessionDep, principal: Editor
) -> list[ClaimPublic]:
    """Claim (认领) a published national item for your region, localising it; answers every
    region's claim of the item."""
    _require_scope(principal, body.department_code.strip(), body.region_code)
    item = lifecycle.get_item(session, code)
    local = Localisation(**body.model_dump(exclude={"reason"}))
    claim(session, item, local, actor=_actor(principal), reason=body.reason)
    session.commit()
    return [ClaimPublic.model_validate(row) for row in claims_of(session, code)]


@router.post(
    "/{code}/implementations",
    response_model=ImplementationWork,
    status_code=status.HTTP_201_CREATED,
)
def add_implementation(
    code: CodePath, body: ImplementationCreate, session: SessionDep, principal: Editor
) -> ImplementationWork:
    """A line of your department's implementation list for a published item implemented in
    the region, with its generated code (agency USCC + level digit + sequence)."""
    _require_scope(principal, body.department_code.strip(), body.region_code.strip())
    line = implementations.add_implementation_item(
        session,
        catalog_code=code,
        agency_uscc=body.agency_uscc,
        agency_name=body.agency_name,
        region_code=body.region_code,
        department_code=body.department_code,
        level=body.level,
        actor=_actor(principal),
    )
    session.commit()
    return ImplementationWork.model_validate(line)


@router.get("/{code}/bases", response_model=list[CitedArticlePublic])
def read_bases(
    code: CodePath, session: SessionDep, principal: CurrentPrincipal
) -> list[CitedArticlePublic]:
    """The knowledge-base articles the item's legal basis cites."""
    item = _scoped(session, principal, code)
    return [CitedArticlePublic.model_validate(row) for row in cited_articles(session, item.code)]


@router.post(
    "/{code}/bases", response_model=list[CitedArticlePublic], status_code=status.HTTP_201_CREATED
)
def link_basis(
    code: CodePath, body: BasisLink, session: SessionDep, principal: Editor
) -> list[CitedArticlePublic]:
    """Link the item's legal basis to a law (or one of its articles) of the knowledge base;
    404 naming an unknown law or article. Answers every link of the item."""
    item = _scoped(session, principal, code)
    link_article(
        session,
        item,
        body.law_code,
        body.article_number,
        actor=_actor(principal),
        reason=body.reason,
    )
    session.commit()
    return [CitedArticlePublic.model_validate(row) for row in cited_articles(session, item.code)]


@router.delete("/{code}/bases", response_model=list[CitedArticlePublic])
def unlink_basis(
    code: CodePath,
    session: SessionDep,
    principal: Editor,
    law_code: Annotated[str, Query(min_length=1, max_length=64)],
    reason: Annotated[str, Query(min_length=1, max_length=2000, description="why (recorded)")],
    article_number: Annotated[str | None, Query(max_length=50)] = None,
) -> list[CitedArticlePublic]:
    """Remove a link (``?law_code=FL0001&article_number=106&reason=...``); answers the rest."""
    item = _scoped(session, principal, code)
    unlink_article(session, item, law_code, article_number, actor=_actor(principal), reason=reason)
    session.commit()
    return [CitedArticlePublic.model_validate(row) for row in cited_articles(session, item.code)]
