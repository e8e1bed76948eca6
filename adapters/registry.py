"""One explicit registry of adapters; third-party adapters come through entry points.

    @register_adapter
    class RestAdapter(Adapter): ...

A name that is not registered fails with the list of names that are. Adapters of other
packages declare themselves in the ``hub.adapters`` entry-point group and are loaded the
first time a name is not found among the built-in ones.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import entry_points

from adapters.base import Adapter
from adapters.builtin import BUILTIN_ADAPTERS
from hub.errors import UnknownNameError

ENTRY_POINT_GROUP = "hub.adapters"
_ADAPTERS: dict[str, type[Adapter]] = {}
_entry_points_loaded = False


def register_adapter(adapter: type[Adapter]) -> type[Adapter]:
    """Class decorator: make ``adapter`` available under its ``name``."""
    existing = _ADAPTERS.get(adapter.name)
    if existing is not None and existing is not adapter:
        raise ValueError(f"adapter name {adapter.name!r} is taken by {existing.__qualname__}")
    _ADAPTERS[adapter.name] = adapter
    return adapter


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        register_adapter(entry_point.load())


def adapter_class(name: str) -> type[Adapter]:
    """The adapter registered as ``name``; unknown names list the known ones."""
    if name not in _ADAPTERS and name in BUILTIN_ADAPTERS:
        import_module(BUILTIN_ADAPTERS[name])  # registers it
    if name not in _ADAPTERS:
        _load_entry_points()
    try:
        return _ADAPTERS[name]
    except KeyError:
        raise UnknownNameError("adapter", name, known_adapters()) from None


def known_adapters() -> list[str]:
    _load_entry_points()
    return sorted({*BUILTIN_ADAPTERS, *_ADAPTERS})
