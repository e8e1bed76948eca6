"""The registry of canonical record types the pipeline can store.

Each model module registers its record types at import time; ``record_type(name)`` imports
them all first, so callers never depend on import order. An unknown name fails with the list
of known ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hub.errors import UnknownNameError
from hub.store.base import Base


@dataclass(frozen=True)
class RecordType:
    """How the pipeline stores one kind of canonical record.

    ``key`` is the natural key of the idempotent upsert; ``schema`` the canonical JSON
    Schema under ``standards/schemas/``; ``department_field`` the column that scopes work
    endpoints to a caller's department; ``binding`` the (system, id) columns that bind a
    source's own identifier to the natural key, so a record that tries to change the key of
    an existing record is refused instead of creating a second one. ``derived`` computes
    columns from the mapped row (a keyed digest, say) after its content hash, so that they
    are stored with it but never make a replay look changed.
    """

    name: str
    model: type[Base]
    key: tuple[str, ...]
    schema: str
    department_field: str | None = None
    region_field: str | None = "region_code"
    binding: tuple[str, str] | None = None
    derived: Mapping[str, Callable[[Mapping[str, Any]], Any]] = field(default_factory=dict)

    @property
    def table_name(self) -> str:
        return str(self.model.__tablename__)


_REGISTRY: dict[str, RecordType] = {}


def register_record_type(record: RecordType) -> RecordType:
    existing = _REGISTRY.get(record.name)
    if existing is not None and existing.model is not record.model:
        raise ValueError(f"record type {record.name!r} registered twice")
    _REGISTRY[record.name] = record
    return record


def _load_all() -> None:
    import hub.store.models  # noqa: F401  (registers every record type)


def record_type(name: str) -> RecordType:
    _load_all()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownNameError("record type", name, list(_REGISTRY)) from None


def all_record_types() -> dict[str, RecordType]:
    _load_all()
    return dict(_REGISTRY)
