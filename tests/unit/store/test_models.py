"""The canonical store's models: tables create, schemas match columns, personal data is sealed."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import Column, String, inspect, select
from sqlalchemy.orm import Session

from hub.security.crypto import get_key_ring
from hub.settings import get_settings
from hub.store.base import Base, CanonicalMixin
from hub.store.engine import make_engine
from hub.store.models.complaints import Complaint
from hub.store.records import RecordType, all_record_types

SCHEMAS_DIR = Path(__file__).resolve().parents[3] / "standards" / "schemas"
MIXIN_COLUMNS = {"id", "created_at", "updated_at", "content_hash", "source_version"}
# Columns the hub fills itself, never a mapping: they stay out of the canonical schema.
# Columns the hub fills itself, never a channel: no canonical schema property for them.
HUB_FILLED = {
    ("complaint", "complainant_phone_digest"),
    ("catalog_item", "responsible_department"),  # 谁审批、谁监管 rules (hub.catalog.responsibility)
    ("catalog_item", "responsibility_rule"),
    ("catalog_item", "responsibility_reason"),
    ("implementation_item", "status"),  # withdrawn through the work API (hub.catalog)
    ("implementation_item", "withdrawn_at"),
    ("implementation_item", "withdrawn_by"),
    ("implementation_item", "withdrawal_reason"),
}

RECORD_TYPES = all_record_types()
# Record types added here must keep a schema; the list guards against silent unregistering.
EXPECTED = {
    "entity",
    "catalog_item",
    "implementation_item",
    "officer",
    "inspection",
    "penalty",
    "coercive_measure",
    "licensing",
    "evidence_file",
    "complaint",
    "credit_record",
    "third_party_record",
    "key_enterprise",
    "law",
    "law_article",
    "catalog_basis",
    "organisation",
    "region",
    "key_event",
    "risk_warning",
}


def load_schema(record: RecordType) -> dict[str, Any]:
    path = SCHEMAS_DIR / record.schema
    assert path.is_file(), f"{record.name}: no schema file {path}"
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def columns(record: RecordType) -> dict[str, Column[Any]]:
    return {column.key: column for column in record.model.__table__.columns}


def test_every_expected_record_type_is_registered() -> None:
    assert set(RECORD_TYPES) >= EXPECTED


def test_all_tables_create_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    try:
        Base.metadata.create_all(engine)
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {record.table_name for record in RECORD_TYPES.values()} <= tables


@pytest.mark.parametrize("name", sorted(RECORD_TYPES))
def test_record_type_is_canonical_with_a_unique_natural_key(name: str) -> None:
    record = RECORD_TYPES[name]
    assert issubclass(record.model, CanonicalMixin)
    cols = columns(record)
    for field in (*record.key, record.department_field, record.region_field):
        assert field is None or field in cols, f"{name}: {field} is not a column"
    unique_sets = {
        tuple(column.name for column in constraint.columns)
        for constraint in record.model.__table__.constraints
        if constraint.__class__.__name__ == "UniqueConstraint"
    }
    assert tuple(record.key) in unique_sets


@pytest.mark.parametrize("name", sorted(RECORD_TYPES))
def test_schema_is_valid_and_matches_the_model(name: str) -> None:
    record = RECORD_TYPES[name]
    schema = load_schema(record)
    Draft202012Validator.check_schema(schema)
    assert schema["$id"] == record.schema
    assert schema["additionalProperties"] is False

    cols = columns(record)
    properties: dict[str, Any] = schema["properties"]
    required = set(schema.get("required", []))
    assert set(properties) <= set(cols), f"{name}: not columns: {set(properties) - set(cols)}"
    assert set(record.key) <= required, f"{name}: key not required: {set(record.key) - required}"
    assert required <= set(properties)

    settable = set(cols) - MIXIN_COLUMNS - {col for rec, col in HUB_FILLED if rec == name}
    assert settable | {"source_version"} == set(properties), name

    for column_name, column in cols.items():
        if column_name in MIXIN_COLUMNS or (name, column_name) in HUB_FILLED:
            continue
        if not column.nullable and column.default is None:
            assert column_name in required, f"{name}.{column_name} is NOT NULL without default"
        limit = properties[column_name].get("maxLength")
        if isinstance(column.type, String) and column.type.length and limit is not None:
            assert limit <= column.type.length, f"{name}.{column_name}: {limit} > column"


@pytest.fixture
def test_key_ring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    key = base64.b64encode(os.urandom(32)).decode()
    monkeypatch.setenv("HUB_ENV", "development")
    monkeypatch.setenv("HUB_DATA_KEYS", f"test:{key}")
    get_settings.cache_clear()
    get_key_ring.cache_clear()
    yield
    get_settings.cache_clear()
    get_key_ring.cache_clear()


@pytest.mark.usefixtures("test_key_ring")
def test_complainant_data_is_sealed_in_the_database_file(tmp_path: Path) -> None:
    db_file = tmp_path / "hub.db"
    engine = make_engine(f"sqlite:///{db_file}")
    phone, id_number, name = "13912345678", "11010519491231002X", "张三丰"
    title = "Shop sells expired milk unencrypted-title-marker"
    try:
        Base.metadata.create_all(engine)
        with Session(engine) as session:
            session.add(
                Complaint(
                    source="hotline_12345",
                    source_number="2024051300017",
                    received_at=datetime(2024, 5, 13, 9, 30, tzinfo=UTC),
                    title=title,
                    complainant_name=name,
                    complainant_phone=phone,
                    complainant_id_number=id_number,
                    content_hash="0" * 32,
                )
            )
            session.commit()
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        with Session(engine) as session:
            stored = session.scalars(select(Complaint)).one()
            assert stored.complainant_phone == phone
            assert stored.complainant_id_number == id_number
            assert stored.complainant_name == name
            assert stored.complaint_number == "hotline_12345:2024051300017"
    finally:
        engine.dispose()

    raw = b"".join(
        path.read_bytes() for path in tmp_path.iterdir() if path.name.startswith("hub.db")
    )
    assert title.encode() in raw  # the read sees plain columns, so absence below means sealed
    for secret in (phone, id_number, name):
        assert secret.encode("utf-8") not in raw
