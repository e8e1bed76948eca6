"""The catalog in the national format: push batches of ``catalog_item`` records.

The format is the national exchange profile (``standards/national/batch.json`` around
``catalog_item.json``): batches of at most 1000 records, each ``op`` ``i`` with the item's
code as key, numbered ``YYYYMMDD`` + a five-digit sequence of that day. What is exported is
the province's share of the catalog: published and withdrawn items with a region in the
province, and national items a region there claimed (drafts and items under review stay
home; unclaimed national items are the national side's). Each record is checked against
the national schema first; one that does not conform is left out and reported, never sent.

``ROUND_TRIP_FIELDS`` are the item's elements the format carries: exporting, having the
national side accept, and importing what it holds through the ``national_catalog`` channel
gives back the same values (``tests/integration/catalog``). An item's level travels as its
only implementing level.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import select
from sqlalchemy.orm import Session

import standards
from hub.catalog.claims import implemented_in
from hub.catalog.versions import ELEMENT_FIELDS
from hub.store.models.catalog import CatalogItem

NATIONAL_PROFILE = Path(standards.__file__).resolve().parent / "national"
BATCH_LIMIT = 1000
EXPORTED_STATUSES = ("published", "withdrawn")
BEIJING = timezone(timedelta(hours=8))
ROUND_TRIP_FIELDS = ELEMENT_FIELDS


@dataclass
class CatalogExport:
    """The batches to send, and the items left out with the reason."""

    batches: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def records(self) -> int:
        return sum(len(batch["records"]) for batch in self.batches)


@cache
def _record_validator() -> jsonschema.Draft202012Validator:
    resources = []
    for path in sorted(NATIONAL_PROFILE.glob("*.json")):
        contents = json.loads(path.read_text("utf-8"))
        resources.append((contents["$id"], Resource.from_contents(contents, DRAFT202012)))
    registry: Registry[Any] = Registry().with_resources(resources)
    return jsonschema.Draft202012Validator(
        registry.contents("national/catalog_item.json"), registry=registry
    )


def _moment(value: datetime | None) -> str:
    moment = value or datetime.now(UTC)
    if moment.tzinfo is None:  # SQLite hands back UTC without its zone
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BEIJING).isoformat(timespec="seconds")


def national_record(item: CatalogItem) -> dict[str, Any]:
    """One item as ``standards/national/catalog_item.json`` writes it."""
    record: dict[str, Any] = {
        "code": item.code,
        "name": item.name,
        "item_type": "main" if item.is_main else "sub",
        "parent_code": item.parent_code,
        "department_code": item.department_code,
        "department_name": item.department_name,
        "supervision_type": item.supervision_type,
        "supervision_manner": item.supervision_manner,
        "measures": item.measures,
        "objects": item.objects,
        "legal_basis": item.legal_basis,
        "process": item.process,
        "result": item.result,
        "origin": item.origin,
        "region_code": item.region_code,
        "status": item.status,
        "version": item.version,
        "updated_at": _moment(item.updated_at),
    }
    if item.level:
        record["implementing_levels"] = [item.level]
    return record


def problems(record: dict[str, Any]) -> list[str]:
    """Why a record would not conform to the national schema (empty when it does)."""
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(record)'}: {error.message}"
        for error in _record_validator().iter_errors(record)
    ]


def exportable(session: Session, province: str) -> list[CatalogItem]:
    """Published and withdrawn items ``province`` (``34`` or ``340000``) implements: those
    with a region there and national ones a region there claimed, in code order."""
    return list(
        session.scalars(
            select(CatalogItem)
            .where(CatalogItem.status.in_(EXPORTED_STATUSES), implemented_in(province[:2]))
            .order_by(CatalogItem.code)
        )
    )


def export_catalog(
    session: Session,
    *,
    province: str = "340000",
    day: date | None = None,
    first_sequence: int = 1,
) -> CatalogExport:
    """The province's catalog as push batches dated ``day`` (default today, Beijing time)."""
    sent = datetime.now(BEIJING)
    day = day or sent.date()
    result = CatalogExport()
    records = []
    for item in exportable(session, province):
        record = national_record(item)
        found = problems(record)
        if found:
            result.skipped.append((item.code, "; ".join(found)))
            continue
        records.append({"op": "i", "key": item.code, "data": record})
    for index in range(0, len(records), BATCH_LIMIT):
        sequence = first_sequence + index // BATCH_LIMIT
        result.batches.append(
            {
                "batch_number": f"{day:%Y%m%d}{sequence:05d}",
                "data_type": "catalog_item",
                "region_code": province,
                "sent_at": sent.isoformat(timespec="seconds"),
                "records": records[index : index + BATCH_LIMIT],
            }
        )
    return result


def write_export(export: CatalogExport, path: Path) -> None:
    """Write the batches as one JSON document ``{"batches": [...]}``, UTF-8."""
    document = {"batches": export.batches}
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
