"""Store guards of the catalog's channels (besides ``catalog_conflicts`` in :mod:`conflicts`).

``catalog_references`` (the ``power_lists`` channel, step ``reference``): a local item needs a
department the hub knows, with its area (``SCJG-3401``, not the ministry ``SCJG``), and a
region of the GB/T 2260 table inside that area, as the work API requires of a new item. A row
that fails is quarantined with the reason; the rest of the file is stored.

``catalog_lifecycle`` (``supervision_catalog``) and ``national_catalog_lifecycle``
(``national_catalog``), step ``lifecycle``: once the hub has changed an item (it has a
revision in ``catalog_item_versions``: created, edited, reviewed, published, claimed, linked
here), its life is the hub's, and an import does not overwrite it silently:

- a row that would change such a local item is refused: ``published_item_changed`` when the
  item is published, ``managed_item_changed`` in any other status (a draft being edited, an
  item under review, a withdrawn item). The change is made with the work API's edit and
  review; once the hub holds the same elements, replaying the row stores nothing new;
- a national item changes with the national catalog only: through ``national_catalog`` the
  update is stored and recorded as the item's next revision (action ``national_update``), and
  the regions' claims keep their localisation (they are rows of their own); through
  ``supervision_catalog`` (the province's copy) a change to it is refused like a local one.

Rows for items the hub never changed, identical rows, and rows older than what is stored
(which the upsert ignores) pass. The revision of a national update is written in the chunk's
transaction, so it commits with the stored row or not at all; the national mapping lists this
guard last, after which nothing else can refuse the row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.catalog.dictionaries import check_region, department
from hub.catalog.errors import CatalogRefused
from hub.catalog.versions import ITEM_FIELDS, Actor, record_snapshot, snapshot
from hub.exchange.guards import StoreGuard, register_guard
from hub.exchange.upsert import KeyTuple, Row
from hub.store.models.catalog import CatalogItem, CatalogItemVersion

REFERENCE_STEP = "reference"
LIFECYCLE_STEP = "lifecycle"
PUBLISHED_CHANGED, MANAGED_CHANGED = "published_item_changed", "managed_item_changed"
NATIONAL_UPDATE = "national_update"
NATIONAL_CHANNEL = Actor("system:exchange:national_catalog")


def reference_problem(row: Row) -> str | None:
    """Why a local item's department or region is refused, or ``None``."""
    try:
        home = department(str(row.get("department_code") or ""))
        if home.is_national:
            return (
                f"department {home.code} is a ministry; a local item needs its department "
                f"with its area (e.g. {home.code}-34)"
            )
        region = check_region(str(row.get("region_code") or ""))
    except CatalogRefused as refused:
        return str(refused)
    if not home.covers(region):
        return f"region {region} lies outside the area of department {home.code}"
    return None


def unknown_references(session: Session, rows: Mapping[KeyTuple, Row]) -> dict[KeyTuple, str]:
    """The guard ``catalog_references``: rows naming an unknown department or region."""
    return {
        key: problem for key, row in rows.items() if (problem := reference_problem(row)) is not None
    }


def _stored(session: Session, codes: list[str]) -> dict[str, CatalogItem]:
    """The items of ``codes`` the hub has changed (with at least one revision)."""
    managed = select(CatalogItemVersion.catalog_code).where(
        CatalogItemVersion.catalog_code.in_(codes)
    )
    items = session.scalars(
        select(CatalogItem).where(CatalogItem.code.in_(codes), CatalogItem.code.in_(managed))
    )
    return {item.code: item for item in items}


def changed_elements(item: CatalogItem, row: Row) -> list[str]:
    """The item's elements the row would change (the upsert writes only the mapped ones)."""
    return [
        name for name in ITEM_FIELDS if name in row and not _same(getattr(item, name), row[name])
    ]


def _same(stored: Any, incoming: Any) -> bool:
    """Equal, an empty text counting as no value."""
    return bool(stored == incoming or (stored in (None, "") and incoming in (None, "")))


def _would_store(item: CatalogItem, row: Row) -> bool:
    """Whether the upsert would write the row: it changes something and is not older."""
    newer = (item.source_version or "") <= str(row.get("source_version") or "")
    return newer and bool(changed_elements(item, row))


def _refusal(item: CatalogItem, row: Row) -> str:
    changed = ", ".join(changed_elements(item, row))
    if item.status == "published":
        return (
            f"{PUBLISHED_CHANGED}: {item.code} is published in the hub's catalog (version "
            f"{item.version}); this row changes {changed}: change it with the catalog's edit "
            "and review, not an import"
        )
    return (
        f"{MANAGED_CHANGED}: {item.code} is {item.status} in the hub's catalog; this row "
        f"changes {changed}: change it with the catalog's edit and review, not an import"
    )


def _lifecycle(
    session: Session, rows: Mapping[KeyTuple, Row], *, national_channel: bool
) -> dict[KeyTuple, str]:
    stored = _stored(session, sorted({row["code"] for row in rows.values()}))
    refused: dict[KeyTuple, str] = {}
    for key, row in rows.items():
        item = stored.get(row["code"])
        if item is None or not _would_store(item, row):
            continue
        if national_channel and item.origin == "national" and row.get("origin") == "national":
            _record_national_update(session, item, row)
            continue
        refused[key] = _refusal(item, row)
    return refused


def _record_national_update(session: Session, item: CatalogItem, row: Row) -> None:
    """The item as the row will leave it (claims and links unchanged), as its next revision."""
    state = snapshot(session, item)
    state.update({name: row[name] for name in ITEM_FIELDS if name in row})
    record_snapshot(
        session,
        item.code,
        state,
        action=NATIONAL_UPDATE,
        actor=NATIONAL_CHANNEL,
        reason=f"the national catalog changed {', '.join(changed_elements(item, row))}",
    )


def hub_items_changed(session: Session, rows: Mapping[KeyTuple, Row]) -> dict[KeyTuple, str]:
    """The guard ``catalog_lifecycle``: rows that would overwrite an item the hub changed."""
    return _lifecycle(session, rows, national_channel=False)


def national_items_changed(session: Session, rows: Mapping[KeyTuple, Row]) -> dict[KeyTuple, str]:
    """The guard ``national_catalog_lifecycle``: as ``catalog_lifecycle``, except that the
    national catalog's own items are updated, each update recorded as a revision."""
    return _lifecycle(session, rows, national_channel=True)


register_guard(StoreGuard("catalog_references", REFERENCE_STEP, unknown_references))
register_guard(StoreGuard("catalog_lifecycle", LIFECYCLE_STEP, hub_items_changed))
register_guard(StoreGuard("national_catalog_lifecycle", LIFECYCLE_STEP, national_items_changed))
