"""The bulk writers store what the ORM stores, on both engines."""

from __future__ import annotations

import gc
import weakref
from datetime import UTC, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import Column, DateTime, Engine, Integer, MetaData, Table, select, text
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from hub.store.bulk import (
    GROWTH_STATISTICS_TARGET,
    among,
    collector_paused,
    insert_new_rows,
    insert_rows,
    insert_values,
    keep_statistics,
)
from hub.store.models.complaints import Complaint
from hub.store.models.exchange import OutboxMessage

OUTBOX = cast(Table, OutboxMessage.__table__)
COMPLAINTS = cast(Table, Complaint.__table__)
NOW = datetime(2026, 3, 2, 8, 30, 15, 123456, tzinfo=UTC)


def _message(key: str, payload: object) -> dict[str, object]:
    return {
        "destination": "hotline_12345",
        "event_type": "case.status",
        "record_type": "complaint",
        "record_id": 1,
        "payload": payload,
        "idempotency_key": key,
        "status": "pending",
        "attempts": 0,
        "created_at": NOW,
        "next_attempt_at": NOW,
    }


def test_rows_read_back_as_written_and_known_keys_are_left_out(engine: Engine) -> None:
    payload = {"body": {"状态": "已受理", "说明": 'a "quoted"\nline'}, "n": [1, 2.5, None]}
    with Session(engine) as session, session.begin():
        insert_rows(session, OUTBOX, [_message("k1", payload), _message("k2", {})])
        insert_new_rows(
            session,
            OUTBOX,
            [_message("k2", {"second": True}), _message("k3", {"third": True})],
            unique=("idempotency_key",),
        )
    with Session(engine) as session:
        stored = session.scalars(select(OutboxMessage).order_by(OutboxMessage.idempotency_key))
        rows = [(m.idempotency_key, m.payload, m.created_at.replace(tzinfo=UTC)) for m in stored]
    assert rows == [("k1", payload, NOW), ("k2", {}, NOW), ("k3", {"third": True}, NOW)]


def test_values_in_column_order_store_what_rows_store(engine: Engine) -> None:
    columns = ["idempotency_key", "payload", "created_at", "next_attempt_at"]
    shared = {key: value for key, value in _message("", None).items() if key not in columns}
    with Session(engine) as session, session.begin():
        insert_rows(session, OUTBOX, [_message("by-row", {"n": [1, "二"]})])
        insert_values(
            session,
            OUTBOX,
            [*columns, *shared],
            [("by-value", {"n": [1, "二"]}, NOW, NOW, *shared.values())],
        )
    with Session(engine) as session:
        stored = session.scalars(select(OutboxMessage).order_by(OutboxMessage.idempotency_key))
        rows = [
            (m.destination, m.payload, m.attempts, m.created_at.replace(tzinfo=UTC)) for m in stored
        ]
    assert rows == [("hotline_12345", {"n": [1, "二"]}, 0, NOW)] * 2


class _FreshInstant(TypeDecorator[datetime]):
    """A timestamp bound as a new datetime object each time: freed once its row is written,
    so a later value may come at the same address."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.astimezone(UTC) + timedelta(0)


_MOMENTS = Table(
    "bulk_moments",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True)),
    Column("fresh", _FreshInstant()),
)


def test_datetimes_read_back_as_written_whether_shared_or_not(engine: Engine) -> None:
    shared = NOW
    beijing = ZoneInfo("Asia/Shanghai")
    moments = [
        NOW + timedelta(seconds=index, microseconds=-NOW.microsecond if index % 3 else 0)
        for index in range(300)
    ]
    rows = [
        {
            "id": index,
            "at": shared if index % 2 else moments[index].astimezone(beijing),
            "fresh": None if index == 7 else moments[index],
        }
        for index in range(300)
    ]
    _MOMENTS.create(engine)
    with Session(engine) as session, session.begin():
        insert_rows(session, _MOMENTS, rows)
    with engine.connect() as connection:
        stored = connection.execute(select(_MOMENTS).order_by(_MOMENTS.c.id)).all()
    assert [(row.id, _utc(row.at), _utc(row.fresh)) for row in stored] == [
        (row["id"], _utc(row["at"]), _utc(row["fresh"])) for row in rows
    ]


def _utc(value: datetime | None) -> datetime | None:
    """The instant ``value`` is (SQLite gives it back naive, in UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def test_among_finds_what_in_finds(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        insert_rows(session, OUTBOX, [_message(f"k{i}", {}) for i in range(5)])
        keys = ["k1", "k3", "missing"]
        found = session.scalars(
            select(OutboxMessage.idempotency_key)
            .where(among(session, OutboxMessage.idempotency_key, keys))
            .order_by(OutboxMessage.idempotency_key)
        ).all()
    assert found == ["k1", "k3"]


def test_a_grown_table_is_analysed_on_postgresql(engine: Engine) -> None:
    postgres = engine.dialect.name == "postgresql"
    with Session(engine) as session, session.begin():
        insert_rows(session, OUTBOX, [_message(f"k{i}", {}) for i in range(1500)])
        if postgres:  # the counts reach the statistics when the transaction ends
            session.execute(text("SELECT pg_stat_force_next_flush()"))
    if not postgres:
        keep_statistics(engine, [OUTBOX])  # nothing to do, nothing done
        return
    keep_statistics(engine, [OUTBOX, COMPLAINTS])
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables "
                "WHERE schemaname = current_schema() AND relname IN ('outbox', 'complaints')"
            )
        ).all()
        bounds = connection.scalar(
            text(
                "SELECT cardinality(histogram_bounds::text::text[]) FROM pg_stats "
                "WHERE schemaname = current_schema() AND tablename = 'outbox' "
                "AND attname = 'id'"
            )
        )
    analysed = {str(name): bool(done) for name, done in rows}
    assert analysed == {"outbox": True, "complaints": False}
    assert bounds == GROWTH_STATISTICS_TARGET + 1  # a rough sample, not the default 101 bounds


class _Node:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_the_collector_waits_for_the_chunk_and_frees_its_cycles_after_it() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: the outer one decides
            pass
        assert not gc.isenabled()
        cycle = weakref.ref(_Node())  # garbage at once, but only a collection frees it
        assert cycle() is not None
    assert gc.isenabled() and cycle() is None
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # the caller's choice is left as found
    finally:
        gc.enable()
