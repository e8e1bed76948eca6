"""The ``hub`` commands an operator runs, end to end on each engine."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from hub.cli.main import app
from hub.store.base import Base
from hub.store.migrate import alembic_config
from hub.store.models.entities import RegulatedEntity
from hub.store.models.exchange import QuarantineEntry
from tests.conftest import clear_caches

HEADER = "内部序号,统一社会信用代码,企业名称,主体类型,住所所在行政区划,行业代码,法定代表人,住所,经营场所,登记状态,成立日期,注册资本,登记机关,更新时间"
ROWS = [
    "1,91350100M000100Y43,合肥甲有限公司,企业,340102,C13,张三,合肥,合肥,存续,2019-04-19,100,合肥局,2024-01-02",
    "2,91350200MA2YJ1XR9G,芜湖乙有限公司,外资企业,340202,F51,李四,芜湖,芜湖,存续,20190419,50,芜湖局,2024-01-02",
    "3,91350500798359476R,蚌埠丙有限公司,企业,340302,C14,王五,蚌埠,蚌埠,存续,2019年4月19日,5,蚌埠局,2024-01-02",
]
runner = CliRunner()


@pytest.fixture
def mappings(tmp_path: Path, repo_root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the market registry channel whose entity-type table lacks 外资企业."""
    root = tmp_path / "mappings"
    shutil.copytree(repo_root / "mappings" / "market_registry", root / "market_registry")
    mapping = root / "market_registry" / "entities.yaml"
    mapping.write_text(
        mapping.read_text(encoding="utf-8").replace("    table_default: other\n", "", 1),
        encoding="utf-8",
    )
    monkeypatch.setenv("HUB_MAPPINGS_DIR", str(root))
    clear_caches()
    return root


def _invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def test_ingest_list_quality_replay(engine: Engine, mappings: Path, tmp_path: Path) -> None:
    Base.metadata.drop_all(engine)
    data = tmp_path / "entities.csv"
    data.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")

    refused = runner.invoke(app, ["ingest", "-c", "market_registry", str(data)])
    assert refused.exit_code != 0
    assert "hub db upgrade" in str(refused.exception) + refused.output

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert f"revision {head}" in _invoke("db", "upgrade")
    output = _invoke("ingest", "-c", "market_registry", str(data))
    assert "received 3 = stored 2 + duplicates 0 + quarantined 1" in output
    assert "not in the code table" in output

    listing = _invoke("exchange", "list")
    assert "market_registry" in listing and "succeeded" in listing
    quality = _invoke("exchange", "quality")
    assert "entity" in quality and "33.3%" in quality  # 1 wrong of 3

    mapping = mappings / "market_registry" / "entities.yaml"
    text = mapping.read_text(encoding="utf-8")
    mapping.write_text(
        text.replace(
            "个体工商户: individual_business,",
            "个体工商户: individual_business, 外资企业: enterprise,",
        ),
        encoding="utf-8",
    )
    clear_caches()
    assert "resolved 1, still quarantined 0" in _invoke(
        "exchange", "replay", "--channel", "market_registry"
    )

    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(RegulatedEntity)) == 3
        assert session.scalars(select(QuarantineEntry.status)).all() == ["resolved"]

    again = _invoke("ingest", "-c", "market_registry", str(data))
    assert "received 3 = stored 0 + duplicates 3 + quarantined 0" in again
    assert "audit log intact: 3 entries" in _invoke("audit", "verify")


def test_unknown_channel_lists_the_known_ones(
    sqlite_engine: Engine, mappings: Path, tmp_path: Path
) -> None:
    data = tmp_path / "x.csv"
    data.write_text(HEADER + "\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", "-c", "no_such_channel", str(data)])
    assert result.exit_code != 0
    assert "known: market_registry" in str(result.exception)


def test_exchange_run_takes_the_inbox(
    sqlite_engine: Engine, mappings: Path, tmp_path: Path
) -> None:
    Base.metadata.drop_all(sqlite_engine)
    _invoke("db", "upgrade")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "entities.csv").write_text(
        "\n".join([HEADER, ROWS[0], ROWS[2]]) + "\n", encoding="utf-8"
    )
    channel = mappings / "market_registry" / "channel.yaml"
    channel.write_text(
        channel.read_text(encoding="utf-8").replace(
            "adapter: {type: file}", f"adapter: {{type: file, inbox: {inbox}}}"
        ),
        encoding="utf-8",
    )
    clear_caches()
    assert "received 2 = stored 2 + duplicates 0 + quarantined 0" in _invoke(
        "exchange", "run", "market_registry"
    )
    assert (inbox / "done" / "entities.csv").is_file()
