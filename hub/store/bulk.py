"""Writing thousands of rows at once: COPY on PostgreSQL, one executemany on SQLite.

A bound INSERT of many rows costs more in the driver than in the server: psycopg rewrites
every placeholder of a multi-row ``VALUES`` in Python, and a pipelined executemany still sends
one statement per row. COPY streams the rows in one statement. It returns no ids, so a job
that needs them first reserves them (``reserve_ids``) and states them.

Values go through what the column's type does to a bound value (``EncryptedText`` seals,
the audit log's ``UTCDateTime`` normalises) and JSON is serialised, so a row written here
reads back exactly as one written through the ORM.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import JSON, Table, bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session
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
                text(
                    "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
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
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(insert(table), list(rows))
        return
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    _copy(cursor, table.name, table, rows)


def update_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Set columns of rows of ``table`` by id: each of ``rows`` holds ``id`` and the new values
    (the same keys in every row). PostgreSQL: COPY into a temporary table, then one UPDATE
    joined on id; SQLite: one executemany."""
    if not rows:
        return
    columns = [name for name in rows[0] if name != "id"]
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values({name: bindparam(f"new_{name}") for name in columns}),
            [{"row_id": row["id"], **{f"new_{n}": row[n] for n in columns}} for row in rows],
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
    _copy(cursor, stage, table, rows)
    assignments = ", ".join(f'"{name}" = s."{name}"' for name in columns)
    cursor.execute(f'UPDATE "{table.name}" t SET {assignments} FROM "{stage}" s WHERE t.id = s.id')


def _copy(cursor: Any, target: str, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """COPY ``rows`` into ``target`` (``table`` or a stage of its columns)."""
    columns = list(rows[0])
    dumpers = [
        (index, dump) for index, name in enumerate(columns) if (dump := _dumper(table, name))
    ]
    column_list = ", ".join(f'"{name}"' for name in columns)
    with cursor.copy(f'COPY "{target}" ({column_list}) FROM STDIN') as copy:
        for row in rows:
            values = [row[name] for name in columns]
            for index, dump in dumpers:
                if values[index] is not None:
                    values[index] = dump(values[index])
            copy.write_row(values)


def _dumper(table: Table, name: str) -> Callable[[Any], Any] | None:
    column_type = table.c[name].type
    if isinstance(column_type, TypeDecorator):
        return lambda value: column_type.process_bind_param(value, None)  # type: ignore[arg-type]
    if isinstance(column_type, JSON):
        return lambda value: json.dumps(value, ensure_ascii=False)
    return None
