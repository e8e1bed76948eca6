"""Shared pieces of the pipeline tests: fixture channels, valid register rows, store counts."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hub.demo.sample import MARKET_REGISTRY_COLUMNS
from hub.exchange.channels import ChannelConfig, load_channel
from hub.exchange.envelopes import Arrival
from hub.exchange.pipeline import ingest
from hub.exchange.report import RunReport
from hub.store.models.entities import RegulatedEntity
from hub.store.models.exchange import (
    Envelope,
    EnvelopeChunk,
    ExchangeRun,
    Provenance,
    QuarantineEntry,
)
from standards.codes import uscc_check_character

FIXTURES = Path(__file__).resolve().parent / "fixtures"

HEADER = list(MARKET_REGISTRY_COLUMNS)

# Allow-listed in standards/data/uscc_allow_list.txt: its check character is wrong.
ALLOW_LISTED_USCC = "91350203M0001QAY9B"


def make_uscc(number: int, prefix: str = "91350203") -> str:
    """A well-formed 统一社会信用代码 with a correct check character."""
    first17 = f"{prefix}{number:09d}"
    return first17 + uscc_check_character(first17)


def channel(name: str, file: str = "channel.yaml") -> ChannelConfig:
    """A fixture channel, loaded fresh (its compiled mappings are cached per object)."""
    return load_channel(FIXTURES / name / file)


def entity_row(number: int, **overrides: str) -> dict[str, str]:
    """One valid register row (as the CSV export writes it); ``overrides`` by column."""
    row = {
        "内部序号": f"R{number:06d}",
        "统一社会信用代码": make_uscc(number),
        "企业名称": f"厦门测试{number}有限公司",
        "主体类型": "企业",
        "住所所在行政区划": "350203",
        "行业代码": "C13",
        "法定代表人": "张三",
        "住所": "福建省厦门市思明区湖滨南路1号",
        "经营场所": "厦门市思明区",
        "登记状态": "存续",
        "成立日期": "2019-04-19",
        "注册资本": "100",
        "登记机关": "厦门市思明区市场监督管理局",
        "更新时间": "2024-01-01 10:00:00",
    }
    row.update(overrides)
    return row


def csv_text(rows: list[dict[str, str]], header: list[str] | None = None) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header or HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def csv_bytes(rows: list[dict[str, str]], encoding: str = "utf-8") -> bytes:
    return csv_text(rows).encode(encoding)


def json_record(number: int, **overrides: Any) -> dict[str, Any]:
    """One valid record of the JSON, JSON Lines and XML fixture messages."""
    record: dict[str, Any] = {
        "id": f"R{number:06d}",
        "uscc": make_uscc(number),
        "name": f"厦门测试{number}有限公司",
        "type": "企业",
        "address": {"region": "350203", "detail": "福建省厦门市思明区湖滨南路1号"},
        "status": "存续",
        "established": "2019年4月19日",
        "capital": "100",
        "updated": "2024-01-01 10:00:00",
    }
    record.update(overrides)
    return record


def jsonl_bytes(records: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def xml_text(
    records: list[dict[str, Any]], prolog: str = '<?xml version="1.0" encoding="UTF-8"?>'
) -> str:
    """The XML fixture message as text (encode it as the test needs)."""
    parts = [prolog, "<entities>"]
    for r in records:
        parts.append(
            f'<entity id="{r["id"]}"><uscc>{r["uscc"]}</uscc><name>{r["name"]}</name>'
            f"<type>{r['type']}</type><region>{r['address']['region']}</region>"
            f"<address>{r['address']['detail']}</address><status>{r['status']}</status>"
            f"<established>{r['established']}</established><updated>{r['updated']}</updated></entity>"
        )
    parts.append("</entities>")
    return "\n".join(parts)


def run(
    engine: Engine,
    config: ChannelConfig,
    message: str,
    payload: bytes | Path,
    file_name: str = "export.dat",
    **kwargs: Any,
) -> RunReport:
    """Ingest one file and check the run's counts balance, in the report and in the store."""
    report = ingest(
        engine, config, [Arrival(config.name, message, payload, file_name=file_name)], **kwargs
    )
    assert report.received == report.stored + report.duplicates + report.quarantined, report
    with Session(engine) as session:
        row = session.get_one(ExchangeRun, report.run_id)
        assert (row.status, row.received, row.stored, row.duplicates, row.quarantined) == (
            "succeeded",
            *counts(report),
        )
    return report


def counts(report: RunReport) -> tuple[int, int, int, int]:
    """(received, stored, duplicates, quarantined) of a run."""
    return report.received, report.stored, report.duplicates, report.quarantined


def count(engine: Engine, model: Any) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(model)).scalar_one())


def store_counts(engine: Engine) -> dict[str, int]:
    """Rows of every table a run writes to, to show that a replay adds none."""
    return {
        "entities": count(engine, RegulatedEntity),
        "envelopes": count(engine, Envelope),
        "envelope_chunks": count(engine, EnvelopeChunk),
        "provenance": count(engine, Provenance),
        "quarantine": count(engine, QuarantineEntry),
    }


def quarantine(engine: Engine) -> list[QuarantineEntry]:
    """Every quarantine entry, by envelope and position."""
    with Session(engine) as session:
        return list(
            session.scalars(
                select(QuarantineEntry).order_by(
                    QuarantineEntry.envelope_id, QuarantineEntry.position
                )
            )
        )


def entities(engine: Engine) -> dict[str, RegulatedEntity]:
    """Stored entities by USCC."""
    with Session(engine) as session:
        return {e.uscc: e for e in session.scalars(select(RegulatedEntity))}


def _pg_dump_binary() -> str:
    for candidate in ("/usr/lib/postgresql/15/bin/pg_dump", shutil.which("pg_dump")):
        if candidate and Path(candidate).is_file():
            return candidate
    raise AssertionError("pg_dump not found")


def store_bytes(engine: Engine) -> bytes:
    """Everything the store holds on disk: the SQLite file and its WAL after a checkpoint,
    or a plain ``pg_dump`` of the test's PostgreSQL schema."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        database = Path(str(engine.url.database))
        wal = database.with_name(database.name + "-wal")
        return database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    url = engine.url
    options = str(url.query.get("options", ""))
    schema = options.removeprefix("-csearch_path=")
    assert schema.startswith("t_"), options
    result = subprocess.run(
        [
            _pg_dump_binary(),
            "--host",
            url.host or "127.0.0.1",
            "--port",
            str(url.port or 5432),
            "--username",
            url.username or "postgres",
            "--dbname",
            url.database or "test",
            "--schema",
            schema,
            "--no-owner",
        ],
        capture_output=True,
        check=True,
        env={**os.environ, "PGPASSWORD": url.password or ""},
        timeout=120,
    )
    assert b"COPY " in result.stdout  # the dump holds data, not just the schema
    return result.stdout
