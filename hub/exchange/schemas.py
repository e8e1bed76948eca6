"""JSON Schemas from ``standards/schemas``: a compiled validator decides, jsonschema explains.

On the hot path a validator compiled once by fastjsonschema accepts or rejects a record in
microseconds; only a rejected record is run through jsonschema, whose ``best_match`` names
the failing field and rule for the quarantine entry.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
from jsonschema.exceptions import best_match

import standards
from hub.errors import ConfigurationError, SchemaError
from hub.yamlfile import LocatedYaml

SCHEMA_ROOT = Path(standards.__file__).resolve().parent / "schemas"


@cache
def load_schema(relative: str) -> dict[str, Any]:
    """Load a schema by its path under ``standards/schemas`` (e.g. ``canonical/entity.json``)."""
    path = SCHEMA_ROOT / relative
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(f"schema {relative!r} not found under {SCHEMA_ROOT}") from None
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"schema {relative!r} is not valid JSON: {exc}") from exc
    jsonschema.Draft202012Validator.check_schema(schema)
    return dict(schema)


def _describe(error: jsonschema.ValidationError) -> str:
    where = "/".join(str(part) for part in error.absolute_path) or "(record)"
    return f"{where}: {error.message}"


class RecordValidator:
    """Validates records against one schema; ``check`` raises SchemaError with the reason."""

    def __init__(self, relative: str, step: str) -> None:
        schema = load_schema(relative)
        self.relative = relative
        self.step = step
        self._fast: Callable[[Any], Any] = fastjsonschema.compile(schema)
        self._explainer = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )

    def check(self, record: Mapping[str, Any]) -> None:
        try:
            self._fast(record)
        except fastjsonschema.JsonSchemaValueException as fast_error:
            error = best_match(self._explainer.iter_errors(record))
            reason = _describe(error) if error is not None else str(fast_error.message)
            raise SchemaError(f"{self.relative}: {reason}", step=self.step) from None


@cache
def record_validator(relative: str, step: str) -> RecordValidator:
    return RecordValidator(relative, step)


def document_errors(relative: str, document: LocatedYaml) -> list[str]:
    """Every error of a configuration file against its schema, each as 'file:line: path: why'."""
    validator = jsonschema.Draft202012Validator(load_schema(relative))
    errors = sorted(validator.iter_errors(document.data), key=lambda e: list(map(str, e.path)))
    return [f"{document.where(list(error.absolute_path))}: {error.message}" for error in errors]


def validate_document(relative: str, document: LocatedYaml) -> None:
    """Validate a configuration file, reporting every error at once with file and line."""
    lines = document_errors(relative, document)
    if lines:
        raise ConfigurationError(
            f"{document.path} has {len(lines)} error(s):\n  " + "\n  ".join(lines)
        )
