"""Following a path (dotted, or a JSON pointer split into parts) through JSON-shaped data."""

from __future__ import annotations

from typing import Any


def follow(value: Any, parts: tuple[str, ...]) -> Any:
    """The value at ``parts`` (object keys, or list indexes written as digits); None when any
    step is missing. Used by compiled mappings on every record, so it stays a plain loop."""
    for part in parts:
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
        if value is None:
            return None
    return value


def pointer_parts(pointer: str) -> tuple[str, ...]:
    """The parts of a JSON pointer (RFC 6901: ``~1`` is ``/``, ``~0`` is ``~``)."""
    return tuple(
        part.replace("~1", "/").replace("~0", "~") for part in pointer.strip("/").split("/") if part
    )
