"""``hub catalog stats``, ``export`` and ``link``/``unlink``/``bases`` on a migrated store."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from hub.catalog.versions import history
from hub.cli.main import app
from hub.store.base import Base
from hub.store.migrate import upgrade
from hub.store.models.actions import Inspection
from hub.store.models.knowledge import Law, LawArticle
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


def test_stats_print_coverage_at_every_level(migrated: Engine) -> None:
    result = runner.invoke(app, ["catalog", "stats", "--as-of", "2026-06-30T23:59:00"])
    assert result.exit_code == 0, result.output
    for title in ("by province", "by city", "by county"):
        assert f"catalog coverage {title}, 2025-06-30 to 2026-06-30" in result.output


def test_link_and_unlink_the_basis_from_the_command_line(migrated: Engine) -> None:
    with Session(migrated) as session, session.begin():
        cited = {"law_code": "DF0001", "content_hash": "0" * 32}
        session.add_all(
            [
                Law(**cited, title="安徽省价格条例", kind="local_regulation"),
                LawArticle(**cited, article_number="24", text="第二十四条 ……"),
            ]
        )
    code = "34010100010000"
    link = ["catalog", "link", code, "--law", "DF0001", "--article", "24"]
    who = ["--reason", "依据第二十四条", "--actor", "li.lei", "--department", "SCJG-3401"]

    linked = runner.invoke(app, [*link, *who])
    assert linked.exit_code == 0, linked.output
    assert "安徽省价格条例" in linked.output and "第二十四条 ……" in linked.output
    refused = runner.invoke(
        app, ["catalog", "link", code, "--law", "DF0001", "--article", "9", *who]
    )
    assert refused.exit_code == 1
    assert "refused: law DF0001 has no article 9 in the knowledge base" in refused.output
    unlinked = runner.invoke(app, ["catalog", "unlink", code, "--law", "DF0001", "--article", "24",
                                   "--reason", "引用有误", "--actor", "li.lei"])  # fmt: skip
    assert unlinked.exit_code == 0, unlinked.output
    assert f"catalog item {code} cites no knowledge-base article" in unlinked.output
    with Session(migrated) as session:
        entries = history(session, code)
    assert [(e.action, e.actor) for e in entries][-2:] == [
        ("link_basis", "li.lei"),
        ("unlink_basis", "li.lei"),
    ]
    unknown = runner.invoke(app, ["catalog", "bases", "34990100010000"])
    assert unknown.exit_code == 1 and "no catalog item 34990100010000" in unknown.output
