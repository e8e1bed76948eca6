"""Rendering an outbox row into the message its destination channel expects.

The outbox holds no personal data: a ``<record_type>.stored`` row only names the record
(type, id, key). The record is read from the store when the message is sent, so what goes
out is the record as it is then (decrypted from the sealed columns in memory only), and an
outbox table copied for a support case leaks nothing. How a record becomes a message is the
destination channel's ``outbound`` section, per event type::

    outbound:
      complaint.stored:
        message_type: feedback
        content_type: application/json      # the default
        fields:                              # target field (dotted names nest) → column
          工单编号: source_number
          status: {column: status, table: {answered: 已回复, closed: 已办结}}  # their words
          诉求人.联系电话: complainant_phone

A row whose payload carries a ``body`` object (a case status reply, say) is sent as it is;
the event's ``outbound`` entry, when there is one, names its message type.

A row that cannot be rendered because of the row itself (its record was deleted) raises
``DataError``, as does a value its field's ``table`` lacks; one that cannot be rendered because the channel file is wrong (no
``outbound`` entry, an unknown column) raises ``ConfigurationError``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from adapters.base import OutboundMessage
from hub.errors import ConfigurationError, DataError
from hub.exchange.channels import ChannelConfig
from hub.store.models.exchange import OutboxMessage
from hub.store.records import record_type

JSON = "application/json"


@dataclass(frozen=True)
class OutboundSpec:
    """One event type's entry in a channel's ``outbound`` section."""

    message_type: str
    fields: Mapping[str, str | Mapping[str, Any]]  # column, or {column, table}
    content_type: str = JSON


def outbound_spec(channel: ChannelConfig, event_type: str) -> OutboundSpec | None:
    """The channel's rendering of ``event_type``, or None when its file has none."""
    entry = channel.raw.get("outbound", {}).get(event_type)
    if entry is None:
        return None
    return OutboundSpec(
        message_type=str(entry["message_type"]),
        fields=dict(entry.get("fields", {})),
        content_type=str(entry.get("content_type", JSON)),
    )


def render(session: Session, channel: ChannelConfig, row: OutboxMessage) -> OutboundMessage:
    """The message ``row`` stands for, in ``channel``'s terms, keyed by the row's key."""
    spec = outbound_spec(channel, row.event_type)
    body = row.payload.get("body")
    if isinstance(body, dict):
        document = body
    elif row.event_type.endswith(".stored"):
        if spec is None or not spec.fields:
            raise ConfigurationError(
                f"{channel.path}: outbound.{row.event_type}.fields is missing: channel "
                f"{channel.name!r} has messages of that event to send but no rendering"
            )
        document = _render_record(session, channel, row, spec)
    else:
        raise DataError(
            f"outbox message {row.id} ({row.event_type}) carries no body and names no record"
        )
    return OutboundMessage(
        message_type=spec.message_type if spec else row.event_type,
        payload=json.dumps(document, ensure_ascii=False).encode("utf-8"),
        idempotency_key=row.idempotency_key,
        content_type=spec.content_type if spec else JSON,
    )


def _render_record(
    session: Session, channel: ChannelConfig, row: OutboxMessage, spec: OutboundSpec
) -> dict[str, Any]:
    """The record named by ``row``, read now, with ``spec``'s fields nested by their dots."""
    if row.record_type is None or row.record_id is None:
        raise DataError(f"outbox message {row.id} ({row.event_type}) names no record")
    kind = record_type(row.record_type)
    record = session.get(kind.model, row.record_id)
    if record is None:
        raise DataError(
            f"{kind.name} {row.record_id} is no longer in the store (deleted after the "
            "event); nothing to send"
        )
    columns = set(inspect(kind.model).column_attrs.keys())
    document: dict[str, Any] = {}
    for target, source in spec.fields.items():
        where = f"{channel.path}: outbound.{row.event_type}.fields.{target}"
        column, table = (
            (source, None) if isinstance(source, str) else (source["column"], source["table"])
        )
        if column not in columns:
            raise ConfigurationError(
                f"{where}: {kind.name} has no column {column!r}; known: {', '.join(sorted(columns))}"
            )
        value = _json_value(getattr(record, column))
        if table is not None and value is not None:
            if value not in table:
                raise DataError(
                    f"{where}: {kind.name} {row.record_id} has {column} {value!r}, which the "
                    f"remote's table lacks (known: {', '.join(map(str, table))})"
                )
            value = table[value]
        _place(document, target.split("."), value, where)
    return document


def _place(document: dict[str, Any], path: list[str], value: Any, where: str) -> None:
    """Set ``value`` at ``path`` in ``document``, creating the objects in between."""
    *parents, last = path
    node = document
    for name in parents:
        child = node.setdefault(name, {})
        if not isinstance(child, dict):
            raise ConfigurationError(f"{where}: {name!r} is both a value and an object")
        node = child
    if isinstance(node.get(last), dict):
        raise ConfigurationError(f"{where}: {last!r} is both a value and an object")
    node[last] = value


def _json_value(value: Any) -> Any:
    """A column value as JSON: times in UTC ISO 8601, dates ISO, decimals as exact text."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite keeps UTC naive
        return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
