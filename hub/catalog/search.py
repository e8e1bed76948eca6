"""The published catalog as the public sees it: search with filters, one item with its basis
and the implementation-list lines (检查实施清单) in force.

Only published items of the province's catalog are ever returned (a draft, a withdrawn item
or a national item no region claimed is answered like an unknown code). A region filter
finds the items of that area and the national items claimed there; a department filter
given as a bare line (``SCJG``) finds every department of the line.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from hub.catalog.bases import CitedArticle, cited_articles
from hub.catalog.claims import implemented_in
from hub.catalog.implementations import active_lines
from hub.errors import NotFoundError
from hub.security.tokens import region_prefix
from hub.store.models.catalog import CatalogClaim, CatalogItem, ImplementationListItem


@dataclass(frozen=True)
class PublishedItem:
    """An item with what the public page shows beside it."""

    item: CatalogItem
    bases: list[CitedArticle]
    sub_items: list[CatalogItem]
    claims: list[CatalogClaim]
    implementations: list[ImplementationListItem]


def _filters(
    keyword: str | None, department: str | None, region: str | None, level: str | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [CatalogItem.status == "published", implemented_in()]
    if keyword:
        conditions.append(
            or_(
                CatalogItem.name.icontains(keyword, autoescape=True),
                CatalogItem.code.startswith(keyword, autoescape=True),
            )
        )
    if department:
        conditions.append(
            CatalogItem.department_code == department
            if "-" in department
            else or_(
                CatalogItem.department_code == department,
                CatalogItem.department_code.startswith(f"{department}-", autoescape=True),
            )
        )
    if region and (prefix := region_prefix(region)):
        claimed_here = select(CatalogClaim.catalog_code).where(
            CatalogClaim.region_code.startswith(prefix, autoescape=True)
        )
        conditions.append(
            or_(
                CatalogItem.region_code.startswith(prefix, autoescape=True),
                CatalogItem.code.in_(claimed_here),
            )
        )
    if level:
        conditions.append(CatalogItem.level == level)
    return conditions


def search_published(
    session: Session,
    *,
    keyword: str | None = None,
    department: str | None = None,
    region: str | None = None,
    level: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> tuple[list[CatalogItem], int]:
    """One page of published items matching every filter given, in code order, and the total."""
    conditions = _filters(keyword, department, region, level)
    total = session.scalar(select(func.count()).select_from(CatalogItem).where(*conditions))
    items = session.scalars(
        select(CatalogItem)
        .where(*conditions)
        .order_by(CatalogItem.code)
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return list(items), total or 0


def published_item(session: Session, code: str) -> PublishedItem:
    """The published item ``code`` with its cited laws, sub-items, claims and lines in force;
    404 otherwise."""
    item = session.scalars(
        select(CatalogItem).where(
            CatalogItem.code == code, CatalogItem.status == "published", implemented_in()
        )
    ).one_or_none()
    if item is None:
        raise NotFoundError(f"no published catalog item {code}")
    sub_items = session.scalars(
        select(CatalogItem)
        .where(CatalogItem.parent_code == code, CatalogItem.status == "published")
        .order_by(CatalogItem.code)
    )
    claims = session.scalars(
        select(CatalogClaim)
        .where(CatalogClaim.catalog_code == code)
        .order_by(CatalogClaim.region_code)
    )
    return PublishedItem(
        item=item,
        bases=cited_articles(session, code),
        sub_items=list(sub_items),
        claims=list(claims),
        implementations=active_lines(session, code),
    )
