"""Mapping files: load, validate (every error at once, with file and line) and describe.

A mapping turns one source message into one canonical record. Example
(``mappings/market_registry/entities.yaml``)::

    source: {format: csv, encoding: auto, schema: sources/market_registry_entity.json}
    target: entity
    fields:
      uscc:     {from: 统一社会信用代码, transform: [halfwidth, upper], check: uscc}
      name:     {from: 企业名称}
      entity_type: {from: 主体类型, table: {企业: enterprise, 个体工商户: individual_business}}
      established_on: {from: 成立日期, type: date}
      registered_capital: {from: 注册资本, type: amount, unit: 万元}
      status:   {const: active}
      business_address: {concat: [经营场所省, 经营场所市, 经营场所详址], sep: ""}

``guards`` names store guards (``hub.exchange.guards``) the records must pass before they
are stored, e.g. ``guards: [catalog_conflicts]``.

Field keys: ``from`` (a CSV column or an Excel header; a dotted path or JSON pointer for
JSON; an XPath for XML), ``const``, ``concat`` + ``sep``, ``when`` + ``then`` / ``else``
(conditions ``equals``, ``in``, ``empty``), ``transform`` (strip, upper, lower, digits,
halfwidth), ``table`` + ``table_default`` (code translation), ``type`` (string, integer,
number, boolean, date, datetime, amount with ``unit``, list with ``separator``),
``default``, ``required`` and ``check`` (uscc, orgcode, citizen_id, region, industry).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.errors import ConfigurationError
from hub.exchange.schemas import document_errors, load_schema
from hub.store.records import record_type
from hub.yamlfile import LocatedYaml, load_located_yaml


@dataclass(frozen=True)
class SourceSpec:
    format: str
    encoding: str
    schema: str | None
    records: str | None
    delimiter: str


@dataclass(frozen=True)
class MappingSpec:
    """A validated mapping file, ready to compile."""

    path: Path
    source: SourceSpec
    target: str
    fields: dict[str, dict[str, Any]]
    document: LocatedYaml
    guards: tuple[str, ...] = ()


def load_mapping_spec(path: Path) -> MappingSpec:
    """Read and validate a mapping; errors name the file, line and field.

    Schema errors and errors against the target record are reported together, so that one
    round of fixes is enough.
    """
    document = load_located_yaml(path)
    problems = [
        *document_errors("config/mapping.json", document),
        *_target_problems(document),
    ]
    if problems:
        raise ConfigurationError(
            f"{path} has {len(problems)} error(s):\n  " + "\n  ".join(problems)
        )
    data = document.data
    source = data["source"]
    return MappingSpec(
        path=path,
        source=SourceSpec(
            format=source["format"],
            encoding=source.get("encoding", "auto"),
            schema=source.get("schema"),
            records=source.get("records"),
            delimiter=source.get("delimiter", ","),
        ),
        target=data["target"],
        fields=dict(data["fields"]),
        document=document,
        guards=tuple(data.get("guards", ())),
    )


def _target_problems(document: LocatedYaml) -> list[str]:
    """Every mapped field must exist in the canonical schema; required ones must be mapped.

    Reads the raw document, which may also have schema errors: what is not there to check
    is left to those.
    """
    data = _mapping(document.data)
    fields, source = _mapping(data.get("fields")), _mapping(data.get("source"))
    problems: list[str] = []
    if isinstance(data.get("target"), str):
        try:
            target = record_type(data["target"])
        except ConfigurationError as exc:
            problems.append(f"{document.where(['target'])}: {exc}")
        else:
            schema = load_schema(target.schema)
            properties = schema.get("properties", {})
            for name in fields:
                if name not in properties:
                    problems.append(
                        f"{document.where(['fields', name])}: {target.name} has no field {name!r}"
                    )
            for name in schema.get("required", []):
                if name not in fields:
                    problems.append(
                        f"{document.where(['fields'])}: required {target.name} field {name!r} "
                        "is not mapped"
                    )
    if isinstance(source.get("schema"), str):
        try:
            load_schema(source["schema"])
        except ConfigurationError as exc:
            problems.append(f"{document.where(['source', 'schema'])}: {exc}")
    if source.get("format") == "xml" and not source.get("records"):
        problems.append(f"{document.where(['source'])}: xml sources need 'records' (element tag)")
    guards = data.get("guards")
    if isinstance(guards, list) and guards:
        from hub.exchange.guards import known_guards

        known = known_guards()
        for index, name in enumerate(guards):
            if name not in known:
                problems.append(
                    f"{document.where(['guards', index])}: unknown store guard {name!r}; "
                    f"known: {', '.join(known)}"
                )
    return problems


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
