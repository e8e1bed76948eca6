"""The national message profile (``standards/national``) as the sending side applies it.

The hub checks every message against its data type's schema before it is sent (a record
that fails is held back with the reasons, never sent), names records by the schema's
``x-key`` and computes the reconciliation checksum the README defines. The schemas, formats,
keys and checksum come from ``standards.national.profile``, where the simulator takes them
too: the two sides meet only in the standard. The compiled validator decides; only a message
it refuses goes through jsonschema, which names every error.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import fastjsonschema

from standards.national.profile import (
    DATA_TYPES,
    KEY_SEPARATOR,
    checksum,
    compiled,
    key_fields,
    schema,
    validator,
)

__all__ = ["DATA_TYPES", "checksum", "content_hash", "problems", "record_key", "schema"]


def problems(data_type: str, data: Mapping[str, Any]) -> list[str]:
    """Every way ``data`` fails its type's schema, as ``data/<where>: <what>``."""
    try:
        compiled(data_type)(data)
    except fastjsonschema.JsonSchemaValueException as refusal:
        return _explained(data_type, data) or [f"data: {refusal.message}"]
    return []


def _explained(data_type: str, data: Mapping[str, Any]) -> list[str]:
    errors = sorted(validator(data_type).iter_errors(data), key=lambda e: list(map(str, e.path)))
    return [
        f"{'/'.join(['data', *map(str, error.absolute_path)])}: {error.message}" for error in errors
    ]


def record_key(data_type: str, data: Mapping[str, Any]) -> str:
    """The record's key: its ``x-key`` values joined by ``|``."""
    return KEY_SEPARATOR.join(str(data.get(name, "")) for name in key_fields(data_type))


def content_hash(data: Mapping[str, Any]) -> str:
    """A digest of a message's content, the same for the same content whatever its order."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
