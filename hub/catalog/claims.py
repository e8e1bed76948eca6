"""Claiming (认领) national items into the province, and localising them per region.

The national catalog is issued top-down (DOMAIN.md); each region claims the items it
implements and says how: its implementing department, level, manner, measures, objects,
process and result. The name, code, legal basis and supervision type stay the national
item's in every region, so one item is the same item everywhere: a claim that states another
is refused, naming the elements. Claiming again from the same region replaces that region's
localisation. Each claim is a new revision of the item (its snapshot lists the claims).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from hub.catalog.dictionaries import check_region, department, dictionary, region_level
from hub.catalog.errors import CatalogRefused, TransitionRefused, UnknownRegion
from hub.catalog.versions import Actor, ensure_baseline, record_change, require_reason
from hub.store.base import utcnow
from hub.store.models.catalog import CatalogClaim, CatalogItem

# Elements every region keeps as the national item has them, with their Chinese names.
SHARED = {
    "name": "监管事项名称",
    "legal_basis": "设定依据",
    "supervision_type": "监管类别",
}


@dataclass(frozen=True)
class Localisation:
    """How one region implements a national item.

    ``name``, ``legal_basis`` and ``supervision_type`` may be stated to confirm them; they
    must equal the national item's.
    """

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


def claim(
    session: Session, item: CatalogItem, local: Localisation, *, actor: Actor, reason: str
) -> CatalogClaim:
    """Claim ``item`` for ``local.region_code``, or replace that region's localisation."""
    why = require_reason(reason, "claiming an item")
    if item.origin != "national" or item.status != "published":
        raise TransitionRefused(
            f"only a published national item can be claimed; {item.code} is "
            f"{item.origin} and {item.status}"
        )
    _check_shared(item, local)
    region = check_region(local.region_code)
    implementing = department(local.department_code)
    if implementing.is_national or not implementing.covers(region):
        raise UnknownRegion(
            f"department {implementing.code} does not implement items in region {region}"
        )
    ensure_baseline(session, item)
    found = session.scalars(
        select(CatalogClaim).where(
            CatalogClaim.catalog_code == item.code, CatalogClaim.region_code == region
        )
    ).one_or_none()
    claimed = found or CatalogClaim(catalog_code=item.code, region_code=region)
    claimed.department_code = implementing.code
    claimed.level = (
        dictionary("levels").code_of(local.level) if local.level else region_level(region)
    )
    claimed.supervision_manner = (
        dictionary("manners").label_of(local.supervision_manner)
        if local.supervision_manner
        else item.supervision_manner
    )
    claimed.measures = local.measures or item.measures
    claimed.objects = local.objects or item.objects
    claimed.process = local.process or item.process
    claimed.result = local.result or item.result
    claimed.claimed_by = actor.name
    claimed.claimed_at = utcnow()
    claimed.reason = why
    session.add(claimed)
    record_change(session, item, action="claim", actor=actor, reason=f"{region}: {why}")
    return claimed


def _check_shared(item: CatalogItem, local: Localisation) -> None:
    differing = [
        f"{name} ({label})"
        for name, label in SHARED.items()
        if getattr(local, name) is not None
        and getattr(local, name).strip() != (getattr(item, name) or "").strip()
    ]
    if differing:
        raise CatalogRefused(
            f"a claimed item keeps the national {', '.join(differing)} in every region; "
            f"{item.code} cannot be localised there"
        )


def claims_of(session: Session, code: str) -> list[CatalogClaim]:
    """The regions that claimed the item, by region code."""
    return list(
        session.scalars(
            select(CatalogClaim)
            .where(CatalogClaim.catalog_code == code)
            .order_by(CatalogClaim.region_code)
        )
    )


def implemented_in(region_prefix: str = "") -> ColumnElement[bool]:
    """SQL: the item is implemented in the area of ``region_prefix`` (``""`` anywhere): it has
    a region there, or a region there claimed it. A national item nobody claimed is the
    national catalog's, not the province's."""
    claimed = select(CatalogClaim.catalog_code).where(
        CatalogClaim.region_code.startswith(region_prefix, autoescape=True)
    )
    return or_(
        CatalogItem.region_code.startswith(region_prefix, autoescape=True),
        CatalogItem.code.in_(claimed),
    )
