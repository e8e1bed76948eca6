"""The national message profile (``standards/national``) as the sending side applies it.

The hub checks every message against its data type's schema before it is sent (a record
that fails is held back with the reasons, never sent), names records by the schema's
``x-key`` and computes the reconciliation checksum the README defines. Written apart from
the simulator's ``formats`` on purpose: the two sides meet only in the standard.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

import standards

PROFILE_ROOT = Path(standards.__file__).resolve().parent / "national"
DATA_TYPES = (
    "catalog_item",
    "licensing",
    "inspection",
    "penalty",
    "coercive_measure",
    "inspection_plan",
    "inspection_result",
    "complaint_handling",
    "credit_record",
)
KEY_SEPARATOR = "|"


@cache
def _registry() -> Registry[Any]:
    resources = []
    for path in sorted(PROFILE_ROOT.glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((contents["$id"], Resource.from_contents(contents, DRAFT202012)))
    return Registry().with_resources(resources)


def schema(name: str) -> dict[str, Any]:
    """``standards/national/<name>.json``."""
    return dict(_registry().contents(f"national/{name}.json"))


@cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        schema(name), registry=_registry(), format_checker=jsonschema.FormatChecker()
    )


def problems(data_type: str, data: Mapping[str, Any]) -> list[str]:
    """Every way ``data`` fails its type's schema, as ``data/<where>: <what>``."""
    errors = sorted(_validator(data_type).iter_errors(data), key=lambda e: list(map(str, e.path)))
    return [
        f"{'/'.join(['data', *map(str, error.absolute_path)])}: {error.message}" for error in errors
    ]


def record_key(data_type: str, data: Mapping[str, Any]) -> str:
    """The record's key: its ``x-key`` values joined by ``|``."""
    return KEY_SEPARATOR.join(str(data.get(name, "")) for name in schema(data_type)["x-key"])


def checksum(keys: Iterable[str]) -> str:
    """Hex SHA-256 of the keys sorted by code point, joined by ``\\n`` (README: reconciliation)."""
    return hashlib.sha256("\n".join(sorted(keys)).encode("utf-8")).hexdigest()


def content_hash(data: Mapping[str, Any]) -> str:
    """A digest of a message's content, the same for the same content whatever its order."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
