"""The outbox: outbound work written in the same transaction as the change that caused it.

A dispatcher (the adapters issue) reads pending rows, maps them to the target's format,
sends them with the row's idempotency key, and marks them sent only on the remote's receipt.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from hub.store.base import utcnow
from hub.store.bulk import insert_new_rows, insert_rows
from hub.store.models.exchange import OutboxMessage

_OUTBOX = cast(Table, OutboxMessage.__table__)
_MANY = 100
"""From this many messages on, COPY (``insert_new_rows``) beats the ORM's executemany."""


def enqueue(session: Session, messages: list[dict[str, Any]], *, fresh: bool = False) -> None:
    """Insert outbox rows (pending, no attempt yet, due now); a row whose idempotency key
    exists already is left as it is. Many rows go through the bulk writer.

    ``fresh``: every key names something the caller's transaction creates (a case opened, a
    complaint taken in), so none can be stored yet and many rows are copied in without
    looking; should one be, the insert fails (unique key) and the transaction with it, rather
    than anything being skipped silently."""
    if not messages:
        return
    now = utcnow()
    rows = [
        {"status": "pending", "attempts": 0, "created_at": now, "next_attempt_at": now, **m}
        for m in messages
    ]
    if len(rows) >= _MANY and fresh:
        insert_rows(session, _OUTBOX, rows)
        return
    if len(rows) >= _MANY:
        insert_new_rows(session, _OUTBOX, rows, unique=("idempotency_key",))
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(OutboxMessage).on_conflict_do_nothing(index_elements=["idempotency_key"]), rows
    )


def enqueue_record_events(
    session: Session,
    destinations: list[str],
    record_type: str,
    stored: Mapping[tuple[Any, ...], int],
    rows: Mapping[tuple[Any, ...], tuple[dict[str, Any], int]],
) -> None:
    """One ``<record_type>.stored`` event per stored record and subscribed destination.

    The payload names the record (type, id, key); the dispatcher reads the record itself at
    send time, so no personal data is copied into the outbox.
    """
    if not destinations or not stored:
        return
    event = f"{record_type}.stored"
    messages = []
    for key, record_id in stored.items():
        version = rows[key][0]["content_hash"]
        for destination in destinations:
            messages.append(
                {
                    "destination": destination,
                    "event_type": event,
                    "record_type": record_type,
                    "record_id": record_id,
                    "payload": {
                        "record_type": record_type,
                        "id": record_id,
                        "key": list(map(str, key)),
                    },
                    "idempotency_key": f"{destination}:{record_type}:{record_id}:{version}",
                }
            )
    enqueue(session, messages)
