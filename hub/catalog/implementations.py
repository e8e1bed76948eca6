"""Inspection implementation lists (检查实施清单): which agency implements an item, where.

Behaviour records (inspections, penalties, ...) name the line of the list they executed by
its code, so each line gets a code of the declared layout (:mod:`hub.catalog.coding`): the
agency's 统一社会信用代码, the level digit of the level it works at, and the next sequence of
its region and department.

A line is made from a published item that is implemented where the line is: a local item of
the line's region or of a region above it, or a national item claimed (认领) there or above.
It leaves the list by being withdrawn (who, when, why), never deleted, since records already
cite its code; a withdrawn line keeps its code, and the sequence never reuses it. Making and
withdrawing a line are audited (codes only, as every audit entry).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.audit import anchor_after_commit, append, default_anchor
from hub.catalog.areas import ancestors
from hub.catalog.coding import implementation_code, next_implementation_sequence
from hub.catalog.dictionaries import (
    check_region,
    department,
    dictionary,
    other_level_digit,
    region_level,
)
from hub.catalog.errors import (
    CatalogRefused,
    TransitionRefused,
    UnknownDepartment,
    UnknownRegion,
)
from hub.catalog.lifecycle import get_item
from hub.catalog.versions import Actor, digest, require_reason
from hub.errors import NotFoundError
from hub.store.base import utcnow
from hub.store.models.catalog import CatalogClaim, CatalogItem, ImplementationListItem

# An implementing agency outside the four levels (派出机构, 开发区管委会).
OTHER_LEVEL = "other"
ACTIVE, WITHDRAWN = "active", "withdrawn"


def _level_digit(level: str | None, region: str) -> str:
    if level == OTHER_LEVEL:
        return other_level_digit()
    return dictionary("levels").entry(level or region_level(region)).digit or ""


def _implemented_there(session: Session, item: CatalogItem, region: str) -> bool:
    """Whether ``item`` is implemented in ``region``: placed there or above it."""
    above = set(ancestors(region))
    if item.region_code is not None and item.region_code in above:
        return True
    claimed = session.scalars(
        select(CatalogClaim.region_code).where(CatalogClaim.catalog_code == item.code)
    )
    return any(claim in above for claim in claimed)


def add_implementation_item(
    session: Session,
    *,
    catalog_code: str,
    agency_uscc: str,
    agency_name: str | None,
    region_code: str,
    department_code: str,
    level: str | None = None,
    actor: Actor,
) -> ImplementationListItem:
    """A new line of the implementation list of ``department_code`` in ``region_code``;
    ``level`` is the agency's (province, city, county, township, or ``other``), by default
    the level of the region's own departments."""
    item = get_item(session, catalog_code)
    if item.status != "published":
        raise TransitionRefused(
            f"an implementation-list line implements a published item; {item.code} is {item.status}"
        )
    region = check_region(region_code)
    implementing = department(department_code)
    if implementing.is_national:
        raise UnknownDepartment(
            f"department {implementing.code} is a ministry; a line needs the implementing "
            f"department with its area (e.g. {implementing.code}-{region[:4]})"
        )
    if not implementing.covers(region):
        raise UnknownRegion(f"region {region} lies outside the area of {implementing.code}")
    if not _implemented_there(session, item, region):
        raise TransitionRefused(
            f"catalog item {item.code} is not implemented in region {region}: it is neither "
            "an item of that region or one above it, nor claimed there"
        )
    digit = _level_digit(level, region)
    sequence = next_implementation_sequence(session, region, implementing.code)
    code = implementation_code(agency_uscc, digit, sequence)
    line = ImplementationListItem(
        code=code,
        catalog_code=item.code,
        agency_uscc=code[:18],
        agency_name=(agency_name or "").strip() or None,
        level_digit=digit,
        region_code=region,
        department_code=implementing.code,
        status=ACTIVE,
        source_version="",
    )
    line.content_hash = digest({"code": code, "catalog_code": item.code, "agency": agency_name})
    try:
        with session.begin_nested():
            session.add(line)
            session.flush()
    except IntegrityError:
        raise CatalogRefused(
            f"implementation-list code {code} was taken meanwhile; send the request again"
        ) from None
    _audit(session, line, "add", actor)
    return line


def _audit(session: Session, line: ImplementationListItem, step: str, actor: Actor) -> None:
    """The step in the audit log: codes, not the reason (free text stays out of it; a
    withdrawal's reason is kept on the line)."""
    anchor_after_commit(session, default_anchor())
    append(
        session,
        actor=actor.name,
        action=f"catalog.implementation.{step}",
        object_type="implementation_item",
        object_id=line.code,
        department_code=actor.department_code,
        details={"catalog_code": line.catalog_code, "status": line.status},
    )


def get_line(session: Session, code: str, *scope: ColumnElement[bool]) -> ImplementationListItem:
    """The line with ``code`` (within ``scope``); ``NotFoundError`` otherwise."""
    line = session.scalars(
        select(ImplementationListItem).where(ImplementationListItem.code == code, *scope)
    ).one_or_none()
    if line is None:
        raise NotFoundError(f"no implementation-list line {code}")
    return line


def list_lines(
    session: Session,
    *scope: ColumnElement[bool],
    catalog_code: str | None = None,
    status: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[ImplementationListItem], int]:
    """One page of lines (within ``scope``), in code order, and how many match."""
    conditions = list(scope)
    if catalog_code is not None:
        conditions.append(ImplementationListItem.catalog_code == catalog_code)
    if status is not None:
        conditions.append(ImplementationListItem.status == status)
    total = session.scalar(
        select(func.count()).select_from(ImplementationListItem).where(*conditions)
    )
    lines = session.scalars(
        select(ImplementationListItem)
        .where(*conditions)
        .order_by(ImplementationListItem.code)
        .offset(offset)
        .limit(limit)
    )
    return list(lines), int(total or 0)


def withdraw_line(
    session: Session, line: ImplementationListItem, *, actor: Actor, reason: str
) -> ImplementationListItem:
    """Take a line out of the list, saying why; its code stays taken."""
    why = require_reason(reason, "withdrawing an implementation-list line")
    if line.status == WITHDRAWN:
        raise TransitionRefused(f"implementation-list line {line.code} is already withdrawn")
    line.status = WITHDRAWN
    line.withdrawn_at = utcnow()
    line.withdrawn_by = actor.name
    line.withdrawal_reason = why
    session.flush()
    _audit(session, line, "withdraw", actor)
    return line


def active_lines(session: Session, catalog_code: str) -> list[ImplementationListItem]:
    """The item's lines in force, by code (for the public page)."""
    return list(
        session.scalars(
            select(ImplementationListItem)
            .where(
                ImplementationListItem.catalog_code == catalog_code,
                ImplementationListItem.status == ACTIVE,
            )
            .order_by(ImplementationListItem.code)
        )
    )
