"""Writing thousands of rows at once: COPY on PostgreSQL, one executemany on SQLite.

A bound INSERT of many rows costs more in the driver than in the server: psycopg rewrites
every placeholder of a multi-row ``VALUES`` in Python, and a pipelined executemany still sends
one statement per row. COPY streams the rows in one statement. It returns no ids, so a job
that needs them first reserves them (``reserve_ids``) and states them.

Rows come as dicts (``insert_rows``) or, from jobs writing hundreds of thousands, as the
values of a list of columns (``insert_values``: no dict per row). Values go through what the
column's type does to a bound value (``EncryptedText`` seals, the audit log's ``UTCDateTime``
normalises), JSON is serialised and each distinct datetime written out once per statement
(``_DatetimeTexts``), so a row written here reads back exactly as one written through the
ORM. On SQLite the executemany goes to the driver directly, each value bound by its column's
type, without the statement machinery's per-row cost.

Jobs that load thousands of rows also read by thousands of keys (``among``: one array
parameter on PostgreSQL), keep the planner's statistics as their tables grow
(``keep_statistics``) and hold Python's cyclic garbage collector back while they build a
chunk's rows (``collector_paused``).
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    ColumnElement,
    DateTime,
    Engine,
    Table,
    any_,
    func,
    literal,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql.type_api import TypeEngine
from sqlalchemy.types import TypeDecorator


def reserve_ids(session: Session, table: Table, count: int) -> list[int]:
    """``count`` new ids of ``table`` (its integer primary key ``id``), in ascending order.

    PostgreSQL: from the column's sequence, so concurrent writers never get the same id.
    SQLite: the caller's transaction first takes the database's single write lock (a write
    that matches no row), then counts on from the largest id, as SQLite itself would.
    """
    if count <= 0:
        return []
    if session.connection().dialect.name == "postgresql":
        return list(
            session.scalars(
                text(  # the sequence looked up once, not once per id (7 ms for 2,000 ids)
                    "WITH s AS MATERIALIZED "
                    "(SELECT pg_get_serial_sequence(:table, 'id')::regclass AS seq) "
                    "SELECT nextval(s.seq) FROM s, generate_series(1, :n) ORDER BY 1"
                ),
                {"table": table.name, "n": count},
            )
        )
    session.execute(text(f'UPDATE "{table.name}" SET id = id WHERE 1 = 0'))
    last = session.scalar(select(func.max(table.c.id))) or 0
    return list(range(last + 1, last + 1 + count))


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys, column defaults not applied) into ``table``
    in the caller's transaction, in one statement."""
    if rows:
        columns = list(rows[0])
        insert_values(session, table, columns, _values(columns, rows))


def insert_values(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """``insert_rows`` for rows given as the values of ``columns``, in that order: what a job
    writing hundreds of thousands of rows builds, without a dict per row."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        names = ", ".join(f'"{name}"' for name in columns)
        marks = ", ".join("?" for _ in columns)
        connection.exec_driver_sql(
            f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})',
            _bound(connection.dialect, table, columns, rows),
        )
        return
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    _copy(cursor, table.name, table, columns, rows)


def _values(columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> list[list[Any]]:
    return [[row[name] for name in columns] for row in rows]


def _bound(
    dialect: Dialect, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[tuple[Any, ...]]:
    """Each row's values (those of ``columns``), bound as the columns' types bind them."""
    binders: list[tuple[int, Callable[[Any], Any]]] = []
    for index, name in enumerate(columns):
        column_type = table.c[name].type
        processor = column_type.bind_processor(dialect)
        if isinstance(column_type, JSON):
            binders.append((index, _json_binder(processor)))
        elif processor is not None:
            binders.append((index, processor))
    if not binders:
        return [tuple(row) for row in rows]
    bound = []
    for row in rows:
        value = list(row)
        for index, binder in binders:
            value[index] = binder(value[index])
        bound.append(tuple(value))
    return bound


def _json_binder(bind: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    """A JSON column's value as SQLAlchemy binds it for None (its ``null``), else as text."""

    def json_bind(value: Any) -> Any:
        if value is None:
            return bind(value) if bind is not None else None
        return _json_text(value)

    return json_bind


def insert_new_rows(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]], unique: Sequence[str]
) -> None:
    """``insert_rows``, leaving out each row whose ``unique`` columns match a stored row's
    (``ON CONFLICT DO NOTHING``). PostgreSQL: COPY into a temporary table, then one INSERT
    from it; SQLite: one executemany."""
    if not rows:
        return
    columns = list(rows[0])
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(
            sqlite_insert(table).on_conflict_do_nothing(index_elements=list(unique)), list(rows)
        )
        return
    stage = f"stage_new_{table.name}"[:63]
    column_list = ", ".join(f'"{name}"' for name in columns)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(
        f'CREATE TEMP TABLE IF NOT EXISTS "{stage}" ON COMMIT DELETE ROWS AS '
        f'SELECT {column_list} FROM "{table.name}" WITH NO DATA'
    )
    cursor.execute(f'TRUNCATE "{stage}"')
    _copy(cursor, stage, table, columns, _values(columns, rows))
    conflict = ", ".join(f'"{name}"' for name in unique)
    cursor.execute(
        f'INSERT INTO "{table.name}" ({column_list}) SELECT {column_list} FROM "{stage}" '
        f"ON CONFLICT ({conflict}) DO NOTHING"
    )


def update_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Set columns of rows of ``table`` by id: each of ``rows`` holds ``id`` and the new values
    (the same keys in every row). PostgreSQL: COPY into a temporary table, then one UPDATE
    joined on id; SQLite: one executemany."""
    if not rows:
        return
    columns = [name for name in rows[0] if name != "id"]
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        assignments = ", ".join(f'"{name}" = ?' for name in columns)
        connection.exec_driver_sql(
            f'UPDATE "{table.name}" SET {assignments} WHERE id = ?',
            _bound(connection.dialect, table, [*columns, "id"], _values([*columns, "id"], rows)),
        )
        return
    stage = f"stage_{table.name}_{'_'.join(columns)}"[:63]
    column_list = ", ".join(f'"{name}"' for name in ["id", *columns])
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(
        f'CREATE TEMP TABLE IF NOT EXISTS "{stage}" ON COMMIT DELETE ROWS AS '
        f'SELECT {column_list} FROM "{table.name}" WITH NO DATA'
    )
    cursor.execute(f'TRUNCATE "{stage}"')
    _copy(cursor, stage, table, ["id", *columns], _values(["id", *columns], rows))
    assignments = ", ".join(f'"{name}" = s."{name}"' for name in columns)
    cursor.execute(f'UPDATE "{table.name}" t SET {assignments} FROM "{stage}" s WHERE t.id = s.id')


def _copy(
    cursor: Any, target: str, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """COPY ``rows`` (values of ``columns``) into ``target`` (``table`` or a stage of its
    columns)."""
    datetimes = _DatetimeTexts()
    dumpers = [
        (index, dump)
        for index, name in enumerate(columns)
        if (dump := _dumper(table, name, datetimes))
    ]
    column_list = ", ".join(f'"{name}"' for name in columns)
    with cursor.copy(f'COPY "{target}" ({column_list}) FROM STDIN') as copy:
        for row in rows:
            if dumpers:
                row = list(row)
                for index, dump in dumpers:
                    if row[index] is not None:
                        row[index] = dump(row[index])
            copy.write_row(row)


def _dumper(table: Table, name: str, datetimes: _DatetimeTexts) -> Callable[[Any], Any] | None:
    column_type = table.c[name].type
    if isinstance(column_type, TypeDecorator):
        bind = column_type.process_bind_param
        if isinstance(column_type.impl_instance, DateTime):
            return lambda value: datetimes(bind(value, None))  # type: ignore[arg-type]
        return lambda value: bind(value, None)  # type: ignore[arg-type]
    if isinstance(column_type, JSON):
        return _json_text
    if isinstance(column_type, DateTime):
        return datetimes
    return None


class _DatetimeTexts:
    """The COPY text of datetimes, each distinct object written out once per statement.

    The driver takes about 1.5 µs to write out a datetime, a dozen times what a string
    costs, and the rows of a bulk job mostly share a few moments (the chunk's ``now``, a
    deadline): taking in a complaint writes about thirteen. ISO 8601 with a space, as the
    driver writes it; keyed by the object's id (the object is kept here, so its id cannot
    be reused by a later one).
    """

    def __init__(self) -> None:
        self._written: dict[int, tuple[datetime, str]] = {}

    def __call__(self, value: Any) -> Any:
        if not isinstance(value, datetime):
            return value
        written = self._written.get(id(value))
        if written is None:  # the object is held below, so its id stays its own
            written = self._written[id(value)] = (value, value.isoformat(sep=" "))
        return written[1]


_ORJSON_OPTIONS = (
    orjson.OPT_NON_STR_KEYS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


def _json_text(value: Any) -> str:
    """A JSON column's value as text: orjson for the plain values it writes as ``json`` does
    (several times faster), ``json`` for the rest (and its errors)."""
    try:
        return orjson.dumps(value, option=_ORJSON_OPTIONS).decode("utf-8")
    except orjson.JSONEncodeError:
        return json.dumps(value, ensure_ascii=False)


def among(
    session: Session, column: ColumnElement[Any] | QueryableAttribute[Any], values: Sequence[Any]
) -> ColumnElement[bool]:
    """``column IN values`` for thousands of values: on PostgreSQL ``column = ANY(:array)``,
    one parameter instead of one per value (the driver rewrites every placeholder)."""
    if session.connection().dialect.name != "postgresql":
        return column.in_(list(values))
    expression = column.expression if isinstance(column, QueryableAttribute) else column
    element_type: TypeEngine[Any] = expression.type
    return expression == any_(literal(list(values), ARRAY(element_type)))


GROWTH_STATISTICS_TARGET = 10


def keep_statistics(engine: Engine, tables: Sequence[Table]) -> None:
    """PostgreSQL: ANALYZE each of ``tables`` changed by more rows since its last analysis
    than it held then (so about every time it doubles), as a bulk load should: the planner
    would otherwise plan a table of a million rows by the size it had when empty, and where
    autovacuum is off nothing else analyses it. Nothing on SQLite, whose planner needs none.

    These analyses sample 3,000 rows (``GROWTH_STATISTICS_TARGET``), not the default 30,000:
    a rough picture is all it takes to keep the index plans, and the full analysis of the
    complaints and cases (their wide texts) took half a second each time, about a twentieth
    of the time of taking in 100,000 complaints. Autovacuum's analyses, where it runs, and
    an operator's keep the default.
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        grown = connection.execute(
            text(
                "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid "
                "WHERE s.schemaname = current_schema() AND s.relname = ANY(:names) "
                "AND s.n_mod_since_analyze > greatest(c.reltuples, 0) + 1000"
            ),
            {"names": [table.name for table in tables]},
        ).scalars()
        names = list(grown)
        if names:
            connection.execute(
                text(f"SET LOCAL default_statistics_target = {GROWTH_STATISTICS_TARGET}")
            )
        for name in names:
            connection.execute(text(f'ANALYZE "{name}"'))


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold the cyclic garbage collector back for one chunk of a bulk job, then collect the
    young generations once.

    A chunk builds tens of thousands of containers (rows, drafts, audit details) that all
    live until it is written; the collector, run every 700 new ones, walks them again and
    again for nothing: it cost the complaint intake about a quarter of its CPU. They are
    freed by their reference counts when the chunk ends; the few cycles among them wait for
    the one collection here. Nested uses and a collector the caller disabled are left as
    found.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(1)
