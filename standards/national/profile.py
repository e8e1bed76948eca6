"""The national message profile's schemas, loaded once for whichever side applies them.

The hub (``hub.national.profile``: what it sends) and the national simulator
(``simulators.national.formats``: what it accepts) meet only in this folder: both take the
schemas, the formats they check, the record keys and the reconciliation checksum from here,
and each keeps its own judgement of a message.

Validators compiled by fastjsonschema decide (microseconds a message, where jsonschema takes
milliseconds: a push checks every record); only a message they refuse needs ``validator``'s
jsonschema, which names every error. Both check formats with ``FORMAT_CHECKER``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parent
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
COMPILED_BASE = "https://standards.invalid/"
"""fastjsonschema resolves relative ``$id``s wrongly: its compiled copies get absolute ones."""

_RFC3339 = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)

FORMAT_CHECKER = jsonschema.FormatChecker()


@FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    """RFC 3339 with an offset (jsonschema checks date-time only with an optional package)."""
    if not isinstance(value, str):
        return True
    return bool(_RFC3339.match(value)) and bool(datetime.fromisoformat(value.upper()))


def _documents() -> list[dict[str, Any]]:
    """The folder's schemas, read afresh for each caller: not cached, because fastjsonschema
    changes the nested parts of the documents it compiles, which the registry shares."""
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(ROOT.glob("*.json"))]


@cache
def _registry() -> Registry[Any]:
    return Registry().with_resources(
        (contents["$id"], Resource.from_contents(contents, DRAFT202012))
        for contents in _documents()
    )


def schema(name: str) -> dict[str, Any]:
    """The schema ``standards/national/<name>.json`` (``batch``, ``penalty``, ...)."""
    return dict(_registry().contents(f"national/{name}.json"))


@cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    """jsonschema's validator of ``<name>.json``, resolving ``common.json``, checking formats:
    it lists every error."""
    return jsonschema.Draft202012Validator(
        schema(name), registry=_registry(), format_checker=FORMAT_CHECKER
    )


@cache
def compiled(name: str) -> Callable[[Any], Any]:
    """fastjsonschema's validator of ``<name>.json``: raises on the first error, and never
    fills in defaults (the message judged is the message sent)."""
    documents = {}
    for contents in _documents():
        absolute = COMPILED_BASE + contents["$id"]
        documents[absolute] = contents | {"$id": absolute}
    formats = {
        format_name: lambda value, format_name=format_name: FORMAT_CHECKER.conforms(
            value, format_name
        )
        for format_name in FORMAT_CHECKER.checkers
    }
    return fastjsonschema.compile(
        documents[f"{COMPILED_BASE}national/{name}.json"],
        handlers={"https": documents.__getitem__},
        formats=formats,
        use_default=False,
    )


def conforms(name: str, document: Any) -> bool:
    """Whether ``document`` passes ``<name>.json`` (the compiled validator's verdict)."""
    try:
        compiled(name)(document)
    except fastjsonschema.JsonSchemaValueException:
        return False
    return True


@cache
def key_fields(data_type: str) -> tuple[str, ...]:
    """The fields whose values, joined by ``|``, make a record's key (the schema's ``x-key``)."""
    return tuple(schema(data_type)["x-key"])


def checksum(keys: Iterable[str]) -> str:
    """Hex SHA-256 of the keys sorted by code point and joined by ``\\n`` (no trailing one):
    the reconciliation checksum of the README."""
    return hashlib.sha256("\n".join(sorted(keys)).encode("utf-8")).hexdigest()
