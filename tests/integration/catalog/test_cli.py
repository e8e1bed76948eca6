"""``hub catalog stats`` and ``hub catalog export`` on a migrated store."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from hub.cli.main import app
from hub.store.base import Base
from hub.store.migrate import upgrade
from hub.store.models.actions import Inspection
from tests.catalog_support import action, publish_new

runner = CliRunner()


@pytest.fixture
def migrated(engine: Engine) -> Engine:
    Base.metadata.drop_all(engine)
    upgrade(engine)
    with Session(engine) as session, session.begin():
        main = publish_new(session)
        publish_new(session, name="子项", parent_code=main.code)
        publish_new(session, name="未使用的事项")
        acted = datetime(2026, 5, 1, 10, tzinfo=timezone(timedelta(hours=8)))
        action(session, Inspection, "JC-1", main.code, "340102", acted)
    return engine


def test_stats_print_counts_coverage_and_unused_items(migrated: Engine) -> None:
    result = runner.invoke(app, ["catalog", "stats", "--as-of", "2026-06-30T23:59:00"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    output = result.output
    assert "catalog coverage, 2025-06-30 to 2026-06-30" in output
    assert "published main items covered: 1/2 (50.0%); sub-items 0/1 (0.0%)" in output
    assert "items never used: 2: 34010100010001, 34010100020000" in output
    assert "SCJG-3401" in output and "340100" in output


def test_export_writes_the_national_batches(migrated: Engine, tmp_path: Path) -> None:
    out = tmp_path / "catalog.json"
    result = runner.invoke(app, ["catalog", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert f"3 item(s) in 1 batch(es) written to {out}" in " ".join(result.output.split())
    batches = json.loads(out.read_text("utf-8"))["batches"]
    assert [r["key"] for r in batches[0]["records"]] == [
        "34010100010000",
        "34010100010001",
        "34010100020000",
    ]
    assert batches[0]["data_type"] == "catalog_item" and batches[0]["region_code"] == "340000"
