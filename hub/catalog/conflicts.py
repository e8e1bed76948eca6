"""Conflicts in the catalog, found in the store and refused at import.

One item has one name, code, legal basis and type wherever it is claimed (DOMAIN.md). Two
kinds of conflict break that:

- **same name, different codes**: two live (not withdrawn) main items of one department
  line share a name, or two sub-items of one main item do. Within one line, since different
  ministries legitimately issue items of the same name; within one main item for sub-items,
  since 扣押财物 is a sub-item of many coercion items. A province re-coding a national item
  is caught.
- **same code, different name or basis**: an import gives a stored code another name or
  another (non-empty) legal basis.

:func:`find_conflicts` lists what the store holds (the first kind) and the import rows
refused for either kind that are still in quarantine. The store guard ``catalog_conflicts``
(a mapping opts in with ``guards: [catalog_conflicts]``) refuses, before anything is
stored, every row of a chunk that conflicts with the store or with another row of the
chunk, and a row that would change an item past draft (such items change through
:mod:`hub.catalog.lifecycle`, with a reason); each refused row is quarantined at step
``conflict`` with the reason, so the run reports every conflict. A code repeated later in
the same file with another name is compared with the row stored first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.exchange.guards import StoreGuard, register_guard
from hub.exchange.upsert import KeyTuple, Row
from hub.store.models.catalog import CatalogItem
from hub.store.models.exchange import Envelope, QuarantineEntry

CONFLICT_STEP = "conflict"
SAME_NAME, REFUSED_IMPORT = "same_name", "refused_import"


@dataclass(frozen=True)
class Conflict:
    """One conflict: its kind (``same_name`` in the store, or ``refused_import``), the codes
    and name involved, and where it was seen (``store``, or channel:file#record)."""

    kind: str
    codes: tuple[str, ...]
    name: str
    detail: str
    seen_in: str = "store"


def department_line(department_code: str | None) -> str:
    """``SCJG`` of ``SCJG-3401`` (and of a bare ``SCJG``)."""
    return (department_code or "").partition("-")[0]


def same_text(first: str | None, second: str | None) -> bool:
    """Equal once runs of whitespace are made one space."""
    return " ".join((first or "").split()) == " ".join((second or "").split())


# Where a name must be unique: (name, department line, main item code or "" for main items).
NameScope = tuple[str, str, str]
_NAMED = (
    CatalogItem.code,
    CatalogItem.name,
    CatalogItem.department_code,
    CatalogItem.parent_code,
)


def name_scope(name: str, department_code: str | None, parent_code: str | None) -> NameScope:
    return (" ".join(name.split()), department_line(department_code), parent_code or "")


def _describe(scope: NameScope) -> str:
    _, line, parent = scope
    return f"under main item {parent}" if parent else f"of {line}"


def _name_groups(
    items: Iterable[tuple[str, str, str | None, str | None]],
) -> dict[NameScope, set[str]]:
    """Name scope → codes, over (code, name, department_code, parent_code) rows."""
    groups: dict[NameScope, set[str]] = defaultdict(set)
    for code, name, department_code, parent_code in items:
        groups[name_scope(name, department_code, parent_code)].add(code)
    return groups


def name_conflicts(session: Session) -> list[Conflict]:
    """Live main items of one line, or sub-items of one main item, sharing a name."""
    rows = session.execute(select(*_NAMED).where(CatalogItem.status != "withdrawn"))
    return [
        Conflict(
            SAME_NAME,
            tuple(sorted(codes)),
            scope[0],
            f"{len(codes)} codes for one name {_describe(scope)}",
        )
        for scope, codes in sorted(_name_groups(rows).items())
        if len(codes) > 1
    ]


def refused_imports(session: Session) -> list[Conflict]:
    """Import records refused as conflicts and still open in quarantine."""
    rows = session.execute(
        select(
            QuarantineEntry.channel,
            QuarantineEntry.position,
            QuarantineEntry.reason,
            Envelope.file_name,
        )
        .join(Envelope, Envelope.id == QuarantineEntry.envelope_id)
        .where(QuarantineEntry.step == CONFLICT_STEP, QuarantineEntry.status == "open")
        .order_by(QuarantineEntry.id)
    )
    return [
        Conflict(REFUSED_IMPORT, (), "", reason, seen_in=f"{channel}:{file_name or '-'}#{position}")
        for channel, position, reason, file_name in rows
    ]


def find_conflicts(session: Session) -> list[Conflict]:
    """Every conflict the store holds and every conflicting import row still refused."""
    return [*name_conflicts(session), *refused_imports(session)]


def import_conflicts(session: Session, rows: Mapping[KeyTuple, Row]) -> dict[KeyTuple, str]:
    """The store guard: why each conflicting row of a chunk is refused."""
    codes = sorted({row["code"] for row in rows.values()})
    names = sorted({row["name"] for row in rows.values()})
    stored = {
        item.code: item
        for item in session.execute(
            select(
                CatalogItem.code,
                CatalogItem.name,
                CatalogItem.legal_basis,
                CatalogItem.status,
                CatalogItem.content_hash,
            ).where(CatalogItem.code.in_(codes))
        )
    }
    stored_names = _name_groups(
        session.execute(
            select(*_NAMED).where(CatalogItem.name.in_(names), CatalogItem.status != "withdrawn")
        )
    )
    incoming_names = _name_groups(
        (row["code"], row["name"], row.get("department_code"), row.get("parent_code"))
        for row in rows.values()
    )
    refused: dict[KeyTuple, str] = {}
    for key, row in rows.items():
        reasons = [
            *_code_reasons(row, stored.get(row["code"])),
            *_name_reasons(row, stored_names, incoming_names),
        ]
        if reasons:
            refused[key] = "; ".join(reasons)
    return refused


def _code_reasons(row: Row, stored: Any) -> list[str]:
    if stored is None:
        return []
    code = row["code"]
    if not same_text(stored.name, row["name"]):
        return [
            f"same code: {code} is stored as {stored.name!r}, this row names it {row['name']!r}"
        ]
    basis = row.get("legal_basis")
    if basis and stored.legal_basis and not same_text(stored.legal_basis, basis):
        return [
            f"same code: {code} is stored with basis {stored.legal_basis!r}, this row has {basis!r}"
        ]
    if stored.status != "draft" and stored.content_hash != row["content_hash"]:
        return [
            f"past draft: {code} is {stored.status}, so it changes through the catalog's edit and "
            "review, not an import"
        ]
    return []


def _name_reasons(
    row: Row,
    stored_names: Mapping[NameScope, set[str]],
    incoming_names: Mapping[NameScope, set[str]],
) -> list[str]:
    scope = name_scope(row["name"], row.get("department_code"), row.get("parent_code"))
    reasons = []
    others = sorted(stored_names.get(scope, set()) - {row["code"]})
    if others:
        reasons.append(
            f"same name: {scope[0]!r} is already item {', '.join(others)} {_describe(scope)}"
        )
    repeated = sorted(incoming_names.get(scope, set()) - {row["code"]})
    if repeated:
        reasons.append(
            f"same name: {scope[0]!r} comes with code {', '.join(repeated)} in this import too"
        )
    return reasons


register_guard(StoreGuard("catalog_conflicts", CONFLICT_STEP, import_conflicts))
