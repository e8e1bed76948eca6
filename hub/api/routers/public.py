"""The public interface (公众端) under ``/api/v1/public/``: open, no token.

Whatever is mounted on this router is reachable by anyone on the internet, so it may only
return what is published anyway; never mount a work endpoint here. It serves the published
supervision item catalog (监管事项目录): a search, and one item with its legal basis and the
implementation-list lines (检查实施清单) in force, which name agencies, not people. Drafts,
items under review and withdrawn items are answered like unknown codes (404), and nothing a
person wrote about an item (reasons, responsibility notes) is shown.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict

from hub.api.deps import SessionDep
from hub.catalog.search import published_item, search_published

router = APIRouter(tags=["public"])

MAX_PAGE_SIZE = 100


class PublicCatalogItem(BaseModel):
    """A published supervision item as anyone may see it."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    is_main: bool
    parent_code: str | None
    department_code: str
    department_name: str | None
    supervision_type: str | None
    supervision_manner: str | None
    objects: str | None
    level: str | None
    region_code: str | None
    origin: str
    version: int


class PublicBasis(BaseModel):
    """A law the item cites (设定依据), with the article's text when known."""

    model_config = ConfigDict(from_attributes=True)

    law_code: str
    title: str | None
    article_number: str
    text: str | None


class PublicClaim(BaseModel):
    """A region that implements a national item, and how."""

    model_config = ConfigDict(from_attributes=True)

    region_code: str
    department_code: str
    level: str | None
    supervision_manner: str | None


class PublicImplementation(BaseModel):
    """An implementation-list line in force: the agency implementing the item, where."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    agency_name: str | None
    region_code: str | None
    department_code: str | None
    level_digit: str


class PublicCatalogDetail(PublicCatalogItem):
    """One item with its legal basis (text and cited articles), sub-items, claims and
    implementation-list lines."""

    measures: str | None
    legal_basis: str | None
    process: str | None
    result: str | None
    bases: list[PublicBasis]
    sub_items: list[PublicCatalogItem]
    claims: list[PublicClaim]
    implementations: list[PublicImplementation]


class PublicCatalogPage(BaseModel):
    """One page of the published catalog; ``total`` counts every match."""

    items: list[PublicCatalogItem]
    total: int
    page: int
    page_size: int


@router.get("/catalog", response_model=PublicCatalogPage)
def list_catalog(
    session: SessionDep,
    keyword: Annotated[
        str | None, Query(max_length=100, description="part of the name, or a code prefix")
    ] = None,
    department: Annotated[
        str | None, Query(max_length=50, description="SCJG-3401, or SCJG for the whole line")
    ] = None,
    region: Annotated[
        str | None, Query(pattern=r"^[0-9]{2,12}$", description="GB/T 2260 code; 340100 is Hefei")
    ] = None,
    level: Literal["province", "city", "county", "township"] | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> PublicCatalogPage:
    """The published catalog, narrowed by keyword, department, region and level."""
    items, total = search_published(
        session,
        keyword=keyword,
        department=department,
        region=region,
        level=level,
        page=page,
        page_size=page_size,
    )
    return PublicCatalogPage(
        items=[PublicCatalogItem.model_validate(item) for item in items],
        total=total,
        page=page,
        page_size=page_size,
    )


@router.get("/catalog/{code}", response_model=PublicCatalogDetail)
def read_catalog_item(
    code: Annotated[str, Path(max_length=20, description="监管事项目录编码 (14 digits)")],
    session: SessionDep,
) -> PublicCatalogDetail:
    """One published item with its basis and implementation-list lines; 404 for a code that
    is unknown or not published."""
    found = published_item(session, code)
    return PublicCatalogDetail(
        **PublicCatalogItem.model_validate(found.item).model_dump(),
        measures=found.item.measures,
        legal_basis=found.item.legal_basis,
        process=found.item.process,
        result=found.item.result,
        bases=[PublicBasis.model_validate(basis) for basis in found.bases],
        sub_items=[PublicCatalogItem.model_validate(item) for item in found.sub_items],
        claims=[PublicClaim.model_validate(claim) for claim in found.claims],
        implementations=[
            PublicImplementation.model_validate(line) for line in found.implementations
        ],
    )
