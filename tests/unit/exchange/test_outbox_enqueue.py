"""``enqueue`` leaves a stored idempotency key as it is; with ``fresh`` (keys the caller's
transaction creates) many rows are copied in without looking, and a stored key fails the
insert instead of being skipped."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.exchange.outbox import enqueue
from hub.store.models.exchange import OutboxMessage

MANY = 150  # above the size from which the bulk writer is used


def _messages(first: int, count: int, tag: str) -> list[dict[str, object]]:
    return [
        {
            "destination": "hotline_12345",
            "event_type": "case.status",
            "record_type": "complaint",
            "record_id": number,
            "payload": {"tag": tag},
            "idempotency_key": f"hotline_12345:case:1:{number}:1",
        }
        for number in range(first, first + count)
    ]


def _stored(engine: Engine) -> dict[int, str]:
    with Session(engine) as session:
        return {m.record_id: m.payload["tag"] for m in session.scalars(select(OutboxMessage))}


def test_fresh_messages_are_all_stored_and_a_known_key_is_left_as_it_was(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        enqueue(session, _messages(0, MANY, "first"), fresh=True)
    with Session(engine) as session, session.begin():
        enqueue(session, _messages(MANY - 1, MANY, "second"))  # one key is stored already
    stored = _stored(engine)
    assert len(stored) == 2 * MANY - 1
    assert stored[MANY - 1] == "first" and stored[MANY] == "second"


def test_a_fresh_message_whose_key_is_stored_fails_the_whole_insert(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        enqueue(session, _messages(0, 1, "first"))
    refused = (IntegrityError, psycopg.IntegrityError)  # COPY's error comes from the driver
    with pytest.raises(refused), Session(engine) as session, session.begin():
        enqueue(session, _messages(0, MANY, "second"), fresh=True)
    assert _stored(engine) == {0: "first"}
