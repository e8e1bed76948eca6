"""The national message profile (``standards/national``) as the national side judges it.

The schemas there are the contract; this module loads them into one ``referencing`` registry
(they share ``common.json``), judges a push batch - the envelope first, refused whole when it
does not conform, then every record on its own with *every* reason it fails, so a sender can
fix a batch in one round - and computes the reconciliation checksum. A record's data must
match its type's schema, its ``key`` must be the values of the schema's ``x-key`` fields
joined by ``|``, and the time order the push rules ask for must hold (a report after the
action, a case closed after it was filed, ...).

The schemas, their formats, record keys and the checksum come from
``standards.national.profile``, which the hub uses too; the judgement here is the national
side's own. The compiled validators decide; only a batch or record they refuse goes through
jsonschema, which lists every reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import jsonschema

from standards.national.profile import (
    DATA_TYPES,
    FORMAT_CHECKER,
    KEY_SEPARATOR,
    checksum,
    compiled,
    conforms,
    key_fields,
    schema,
    validator,
)

__all__ = [
    "DATA_TYPES",
    "FORMAT_CHECKER",
    "checksum",
    "compiled",
    "conforms",
    "key_fields",
    "schema",
    "validator",
]

# Which of a record's times may not come before which: (data types, earlier, later, and
# whether the later must be strictly later: a report after the action it reports).
_TIME_ORDER: tuple[tuple[frozenset[str], str, str, bool], ...] = (
    (
        frozenset({"licensing", "inspection", "penalty", "coercive_measure"}),
        "acted_at",
        "reported_at",
        True,
    ),
    (frozenset({"penalty"}), "filed_on", "decided_on", False),
    (frozenset({"penalty"}), "filed_on", "closed_on", False),
    (frozenset({"licensing"}), "valid_from", "valid_until", False),
    (frozenset({"coercive_measure"}), "started_on", "ended_on", False),
    (frozenset({"inspection_plan"}), "planned_from", "planned_until", False),
)


def record_key(data_type: str, data: Mapping[str, Any]) -> str | None:
    """The key the record's data stand for; None when a key field is missing or empty."""
    values = [data.get(field) for field in key_fields(data_type)]
    if any(value is None or value == "" for value in values):
        return None
    return KEY_SEPARATOR.join(str(value) for value in values)


def batch_day(batch_number: str) -> date:
    """The batch's date: the first eight digits of its number (``ValueError`` if not a date)."""
    return datetime.strptime(batch_number[:8], "%Y%m%d").date()


@dataclass(frozen=True)
class RecordVerdict:
    """One record of a batch as judged: accepted when ``reasons`` is empty."""

    index: int
    op: str | None
    key: str | None
    data: dict[str, Any] | None
    reasons: tuple[str, ...]


def _where(prefix: str, path: Iterable[Any]) -> str:
    return "/".join([prefix, *map(str, path)]) if prefix else "/".join(map(str, path))


def _describe(error: jsonschema.ValidationError, prefix: str) -> str:
    return f"{_where(prefix, error.absolute_path) or '(batch)'}: {error.message}"


def judge_batch(document: Any, province: str) -> tuple[list[str], list[RecordVerdict]]:
    """Why the envelope is refused whole (empty when it conforms), and else every record
    with the reasons it fails, each judged alone.

    The batch schema is applied once; its errors inside ``records[i]`` are that record's,
    reported in its result, not the envelope's.
    """
    envelope: list[str] = []
    structural: dict[int, list[str]] = {}
    for error in [] if conforms("batch", document) else validator("batch").iter_errors(document):
        path = list(error.absolute_path)
        if len(path) >= 2 and path[0] == "records":
            where = _where("", path[2:]) or "(record)"
            structural.setdefault(int(path[1]), []).append(f"{where}: {error.message}")
        else:
            envelope.append(_describe(error, ""))
    if not envelope:
        envelope = _source_problems(document, province)
    if envelope:
        return sorted(envelope), []
    data_type = document["data_type"]
    return [], [
        _verdict(data_type, index, record, structural.get(index, []))
        for index, record in enumerate(document["records"])
    ]


def _source_problems(document: dict[str, Any], province: str) -> list[str]:
    """A batch number that is no date, or a batch from another province."""
    problems = []
    try:
        batch_day(document["batch_number"])
    except ValueError:
        problems.append(f"batch_number: {document['batch_number'][:8]} is not a date")
    if document["region_code"][:2] != province[:2]:
        problems.append(f"region_code: {document['region_code']} is not in province {province}")
    return problems


def _verdict(data_type: str, index: int, record: Any, structural: list[str]) -> RecordVerdict:
    if structural:  # a record that is no object has a structural error too
        key = record.get("key") if isinstance(record, dict) else None
        return RecordVerdict(
            index, None, key if isinstance(key, str) else None, None, tuple(sorted(structural))
        )
    op, key = record["op"], record["key"]
    reasons = [] if op == "d" else _data_problems(data_type, key, record["data"])
    return RecordVerdict(index, op, key, record.get("data"), tuple(reasons))


def _data_problems(data_type: str, key: str, data: dict[str, Any]) -> list[str]:
    errors = (
        []
        if conforms(data_type, data)
        else sorted(validator(data_type).iter_errors(data), key=lambda e: str(list(e.path)))
    )
    reasons = [_describe(error, "data") for error in errors]
    expected = record_key(data_type, data)
    if expected is not None and expected != key:
        fields = KEY_SEPARATOR.join(key_fields(data_type))
        reasons.append(f"key: {key!r} is not the record's {fields} {expected!r}")
    if not errors:
        reasons.extend(_rule_problems(data_type, data))
    return reasons


def _rule_problems(data_type: str, data: dict[str, Any]) -> list[str]:
    """The push rules beyond the schema: time order, and a sub-item names its main item."""
    reasons = []
    for types, earlier, later, strict in _TIME_ORDER:
        first, second = data.get(earlier), data.get(later)
        if data_type not in types or not first or not second:
            continue
        if _moment(second) < _moment(first) or (strict and _moment(second) == _moment(first)):
            relation = "not after" if strict else "before"
            reasons.append(f"data/{later}: {second} is {relation} {earlier} {first}")
    if data_type == "catalog_item" and (data["item_type"] == "sub") != bool(
        data.get("parent_code")
    ):
        reasons.append("data/parent_code: a sub-item needs its main item's code, a main item none")
    return reasons


def _moment(value: str) -> datetime:
    """A date or date-time as a comparable UTC moment (a date is its midnight, UTC)."""
    if len(value) == 10:
        return datetime.fromisoformat(value + "T00:00:00+00:00")
    return datetime.fromisoformat(value.upper())
