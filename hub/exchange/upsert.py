"""Idempotent bulk upsert on natural keys, one strategy per engine.

The statement is the same idea on both engines::

    INSERT ... ON CONFLICT (natural key) DO UPDATE SET <mapped columns>
    WHERE stored.content_hash <> new.content_hash AND stored.source_version <= new.source_version
    RETURNING id, <natural key>

so a replay (same hash) and a late older version (lower source_version) change nothing and
return nothing, and only the rows returned count as stored. Only the columns a mapping sets
are written: another channel's fields on the same record are left alone. A duplicate under a
newer version then moves the stored ``source_version`` forward, so that the version check
keeps comparing against the newest version seen.

PostgreSQL loads each chunk with COPY into a temporary table first (far faster than bound
parameters); SQLite uses SQLAlchemy's multi-row VALUES.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Numeric,
    Table,
    and_,
    bindparam,
    insert,
    update,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from hub.store.base import utcnow
from hub.store.models.exchange import Provenance
from hub.store.records import RecordType

Row = dict[str, Any]
KeyTuple = tuple[Any, ...]


def _date(value: Any) -> Any:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _datetime(value: Any) -> Any:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _decimal(value: Any) -> Any:
    return Decimal(str(value)) if isinstance(value, float | int) else value


def _python_converter(column: Column[Any]) -> Callable[[Any], Any] | None:
    """Turn the mapping's JSON-shaped values into what the column type binds."""
    column_type = column.type
    if isinstance(column_type, DateTime):
        return _datetime
    if isinstance(column_type, Date):
        return _date
    if isinstance(column_type, Numeric) and column_type.asdecimal:
        return _decimal
    return None


@dataclass(frozen=True)
class Origin:
    """Where a chunk came from, for its provenance rows."""

    record_type: str
    envelope_id: int
    run_id: int


class Upserter:
    """Upserts chunks of mapped records of one record type, writing the given columns."""

    def __init__(self, record: RecordType, columns: Sequence[str]) -> None:
        self.record = record
        self.table: Table = record.model.__table__  # type: ignore[assignment]
        self.key = record.key
        self.columns = tuple(
            dict.fromkeys([*record.key, *columns, "content_hash", "source_version"])
        )
        unknown = [name for name in self.columns if name not in self.table.c]
        if unknown:
            raise ValueError(f"{record.name} has no column(s) {unknown}")
        digest = hashlib.blake2b(",".join(self.columns).encode(), digest_size=4).hexdigest()
        self._stage_name = f"stage_{self.table.name}_{digest}"
        self._converters = [
            (name, converter)
            for name in self.columns
            if (converter := _python_converter(self.table.c[name])) is not None
        ]
        # Columns left out whose default SQLAlchemy fills in Python (SQLite's insert gets it):
        # the server knows no such default, so the COPY path states them, on insert only.
        self._insert_defaults = _python_defaults(self.table, leave_out=self.columns)
        # (column index, to-COPY-text) of the columns COPY cannot take as they are.
        self._copy_dumpers = [
            (index, dump)
            for index, name in enumerate(self.columns)
            if (dump := _copy_dumper(self.table.c[name])) is not None
        ]

    def key_of(self, row: Row) -> KeyTuple:
        return tuple(row.get(name) for name in self.key)

    def upsert(
        self, session: Session, rows: list[tuple[Row, int]], origin: Origin
    ) -> dict[KeyTuple, int]:
        """Write ``rows`` (each with its position in the envelope; keys unique) and the
        provenance of those stored; return {key: id} of the rows actually stored.

        A row whose content is already stored under an older version is a duplicate, but
        its version is recorded: otherwise a change dated between the two, arriving last,
        would pass the version check and overwrite the newer (unchanged) data.
        """
        if not rows:
            return {}
        if session.get_bind().dialect.name == "postgresql":
            stored = self._upsert_postgres(session, rows, origin)
            if len(stored) < len(rows):  # some were duplicates (or older versions)
                session.connection().exec_driver_sql(self._postgres_advance_sql(self._stage_name))
            return stored
        prepared = [self._prepare(row) for row, _ in rows]
        stored = self._upsert_generic(session, prepared)
        position_of = {self.key_of(row): position for row, position in rows}
        write_provenance(
            session,
            [
                (origin.record_type, record_id, origin.envelope_id, position_of[key], origin.run_id)
                for key, record_id in stored.items()
            ],
        )
        self._advance_versions(session, [r for r in prepared if self.key_of(r) not in stored])
        return stored

    def _advance_versions(self, session: Session, rows: list[Row]) -> None:
        """Move the stored version forward where the content is unchanged (not a store:
        the content, ``updated_at`` and the counts stay as they are)."""
        if not rows:
            return
        table = self.table
        statement = (
            update(table)
            .where(
                *(table.c[name] == bindparam(f"key_{name}") for name in self.key),
                table.c.content_hash == bindparam("new_hash"),
                table.c.source_version < bindparam("new_version"),
            )
            .values(source_version=bindparam("new_version"))
        )
        session.execute(
            statement,
            [
                {
                    **{f"key_{name}": row[name] for name in self.key},
                    "new_hash": row["content_hash"],
                    "new_version": row["source_version"],
                }
                for row in rows
            ],
        )

    def _prepare(self, row: Row) -> Row:
        prepared = {name: row.get(name) for name in self.columns}
        for name, converter in self._converters:
            if prepared[name] is not None:
                prepared[name] = converter(prepared[name])
        return prepared

    def _conflict_update(self, statement: Any) -> Any:
        excluded = statement.excluded
        table = self.table
        updates = {name: excluded[name] for name in self.columns if name not in self.key}
        updates["updated_at"] = excluded["updated_at"]
        condition = and_(
            table.c.content_hash != excluded.content_hash,
            table.c.source_version <= excluded.source_version,
        )
        return statement.on_conflict_do_update(
            index_elements=list(self.key), set_=updates, where=condition
        )

    def _returning(self, statement: Any) -> Any:
        return statement.returning(self.table.c.id, *(self.table.c[name] for name in self.key))

    def _upsert_generic(self, session: Session, rows: list[Row]) -> dict[KeyTuple, int]:
        now = utcnow()
        for row in rows:
            row["created_at"] = now
            row["updated_at"] = now
        statement = self._returning(self._conflict_update(sqlite_insert(self.table)))
        result = session.execute(statement, rows)
        return {tuple(found[1:]): found[0] for found in result}

    def _upsert_postgres(
        self, session: Session, rows: list[tuple[Row, int]], origin: Origin
    ) -> dict[KeyTuple, int]:
        """COPY the chunk into a staging table, then upsert and write provenance in one
        statement, so the server joins stored ids to positions and no id comes back to be
        sent again. COPY parses ISO dates and numbers itself: only the column order and the
        few values it cannot take as they are (sealed, JSON) need Python's work."""
        stage = self._stage_name
        connection = session.connection()
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        column_list = ", ".join(f'"{name}"' for name in self.columns)
        # Same column types, none of the constraints, plus the position; emptied at commit.
        cursor.execute(
            f'CREATE TEMP TABLE IF NOT EXISTS "{stage}" ON COMMIT DELETE ROWS AS '
            f'SELECT {column_list}, 0 AS _position FROM "{self.table.name}" WITH NO DATA'
        )
        cursor.execute(f'TRUNCATE "{stage}"')
        columns = self.columns
        dumping = self._copy_dumpers
        with cursor.copy(f'COPY "{stage}" ({column_list}, _position) FROM STDIN') as copy:
            write_row = copy.write_row
            for row, position in rows:
                values = [row.get(name) for name in columns]
                for index, dump in dumping:
                    if values[index] is not None:
                        values[index] = dump(values[index])
                values.append(position)
                write_row(values)
        cursor.execute(
            self._postgres_merge_sql(stage),
            {
                "record_type": origin.record_type,
                "envelope_id": origin.envelope_id,
                "run_id": origin.run_id,
                **{f"default_{name}": value for name, (_, value) in self._insert_defaults.items()},
            },
        )
        key_at = {position: self.key_of(row) for row, position in rows}
        return {key_at[position]: record_id for record_id, position in cursor.fetchall()}

    def _postgres_merge_sql(self, stage: str) -> str:
        table = f'"{self.table.name}"'
        columns = ", ".join(f'"{name}"' for name in self.columns)
        key = ", ".join(f'"{name}"' for name in self.key)
        updates = ", ".join(
            f'"{name}" = EXCLUDED."{name}"' for name in self.columns if name not in self.key
        )
        join = " AND ".join(f's."{name}" = stored."{name}"' for name in self.key)
        defaulted = "".join(f', "{name}"' for name in self._insert_defaults)
        defaults = "".join(
            f", CAST(%(default_{name})s AS {sql_type})"
            for name, (sql_type, _) in self._insert_defaults.items()
        )
        return (
            f"WITH stored AS ("
            f"INSERT INTO {table} ({columns}{defaulted}, created_at, updated_at) "
            f'SELECT {columns}{defaults}, now(), now() FROM "{stage}" '
            f"ON CONFLICT ({key}) DO UPDATE SET {updates}, updated_at = EXCLUDED.updated_at "
            f"WHERE {table}.content_hash <> EXCLUDED.content_hash "
            f"AND {table}.source_version <= EXCLUDED.source_version "
            f"RETURNING {table}.id, {key}) "
            "INSERT INTO provenance (record_type, record_id, envelope_id, position, run_id, recorded_at) "
            "SELECT %(record_type)s, stored.id, %(envelope_id)s, s._position, %(run_id)s, now() "
            f'FROM stored JOIN "{stage}" AS s ON {join} '
            "RETURNING record_id, position"
        )

    def _postgres_advance_sql(self, stage: str) -> str:
        """``_advance_versions`` from the staged chunk; rows just stored already match."""
        table = f'"{self.table.name}"'
        key = " AND ".join(f'{table}."{name}" = s."{name}"' for name in self.key)
        return (
            f'UPDATE {table} SET source_version = s.source_version FROM "{stage}" AS s '
            f"WHERE {key} AND {table}.content_hash = s.content_hash "
            f"AND {table}.source_version < s.source_version"
        )


def _python_defaults(table: Table, *, leave_out: Sequence[str]) -> dict[str, tuple[str, str]]:
    """{column: (PostgreSQL type, default as text)} of the NOT NULL columns not in
    ``leave_out`` that have a Python-side default and no server default."""
    from sqlalchemy.dialects import postgresql

    dialect = postgresql.dialect()
    defaults: dict[str, tuple[str, str]] = {}
    for column in table.columns:
        default = column.default
        if (
            column.name in leave_out
            or column.name in ("id", "created_at", "updated_at")
            or column.nullable
            or column.server_default is not None
            or default is None
            or not hasattr(default, "arg")
        ):
            continue
        value = default.arg(None) if default.is_callable else default.arg
        if isinstance(column.type, JSON):
            text = json.dumps(value, ensure_ascii=False)
        elif isinstance(value, bool):
            text = "true" if value else "false"
        else:
            text = str(value)
        defaults[column.name] = (column.type.compile(dialect=dialect), text)
    return defaults


def _copy_dumper(column: Column[Any]) -> Callable[[Any], Any] | None:
    """COPY takes text: seal encrypted columns, serialise JSON; other values as they are."""
    column_type = column.type
    if isinstance(column_type, TypeDecorator):
        return lambda value: column_type.process_bind_param(value, None)  # type: ignore[arg-type]
    if isinstance(column_type, JSON):
        return lambda value: json.dumps(value, ensure_ascii=False)
    return None


def write_provenance(session: Session, rows: list[tuple[str, int, int, int, int]]) -> None:
    """Insert (record_type, record_id, envelope_id, position, run_id) rows in bulk (SQLite;
    PostgreSQL writes them in the upsert statement itself)."""
    if not rows:
        return
    now = utcnow()
    session.execute(
        insert(Provenance),
        [
            {
                "record_type": r[0],
                "record_id": r[1],
                "envelope_id": r[2],
                "position": r[3],
                "run_id": r[4],
                "recorded_at": now,
            }
            for r in rows
        ],
    )
