"""Store guards: checks against what the store already holds, run before a chunk is stored.

The schemas judge a record alone; some rules need the store (a catalog import must not
give a stored code another name). A mapping names the guards its records must pass::

    target: catalog_item
    guards: [catalog_conflicts]

Each guard sees the chunk's rows (after key checks, before the upsert) in the chunk's
transaction, and answers which keys it refuses and why; those records go to quarantine at
the guard's ``step`` and nothing of them is stored, while the rest of the chunk goes on.
Guards run in the order the mapping lists them, each over the rows the earlier ones kept. A
guard may also record what a row it keeps is about to do (the catalog versions a national
update): it writes in the chunk's transaction, so that commits with the row or not at all, and
such a guard is listed last.
Guards are registered by name in one registry; a module that defines guards is listed in
``GUARD_MODULES`` so that asking for a name loads it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import import_module

from sqlalchemy.orm import Session

from hub.errors import UnknownNameError
from hub.exchange.upsert import KeyTuple, Row

GUARD_MODULES = ("hub.catalog.conflicts", "hub.catalog.import_guards")

GuardCheck = Callable[[Session, Mapping[KeyTuple, Row]], dict[KeyTuple, str]]


@dataclass(frozen=True)
class StoreGuard:
    """A named check; ``step`` is what quarantine entries of refused records say."""

    name: str
    step: str
    check: GuardCheck


_GUARDS: dict[str, StoreGuard] = {}


def register_guard(guard: StoreGuard) -> StoreGuard:
    existing = _GUARDS.get(guard.name)
    if existing is not None and existing.check is not guard.check:
        raise ValueError(f"store guard {guard.name!r} registered twice")
    _GUARDS[guard.name] = guard
    return guard


def _load() -> None:
    for module in GUARD_MODULES:
        import_module(module)


def store_guard(name: str) -> StoreGuard:
    """The guard registered as ``name``; an unknown name lists the known ones."""
    _load()
    try:
        return _GUARDS[name]
    except KeyError:
        raise UnknownNameError("store guard", name, list(_GUARDS)) from None


def known_guards() -> list[str]:
    _load()
    return sorted(_GUARDS)
