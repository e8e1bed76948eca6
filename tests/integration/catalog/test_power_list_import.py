"""Power lists from CSV and Excel through the pipeline into the catalog, and a file with
conflicts: nothing of its conflicting rows is stored, and each conflict is reported."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from hub.cli.main import app
from hub.exchange.channels import ChannelConfig, default_registry
from hub.exchange.envelopes import Arrival
from hub.exchange.pipeline import ingest
from hub.exchange.report import RunReport
from hub.store.base import Base
from hub.store.migrate import upgrade
from hub.store.models.catalog import CatalogItem
from hub.store.models.exchange import QuarantineEntry
from tests.catalog_support import publish_new

HEADER = ["事项编码", "主项编码", "事项名称", "事项类型", "实施部门编码", "监管类别", "监管方式",
          "监管对象", "设定依据", "层级", "行政区划代码", "来源", "更新时间"]  # fmt: skip


def _row(code: str, name: str, **cells: str) -> dict[str, str]:
    row = {
        "事项编码": code,
        "主项编码": "",
        "事项名称": name,
        "事项类型": "主项",
        "实施部门编码": "SCJG-3401",
        "监管类别": "行政检查",
        "监管方式": "双随机抽查",
        "监管对象": "经营者",
        "设定依据": "《安徽省价格条例》第二十四条",
        "层级": "市级",
        "行政区划代码": "340100",
        "来源": "地方性法规",
        "更新时间": "2026-06-20 10:00:00",
    }
    row.update(cells)
    return row


CSV_ROWS = [
    _row("34010105010000", "对停车收费行为的监督检查"),
    _row("34010105010001", "对停车场明码标价的检查", 主项编码="34010105010000", 事项类型="子项"),
    _row("34010100090000", "对校外培训机构收费行为的监督检查"),  # the published item's name
    _row("34020105010000", "对餐饮油烟的检查", 实施部门编码="SThJ-3401", 来源="权力清单"),
]
XLSX_ROWS = [
    _row("34010105020000", "对农贸市场的检查", 行政区划代码="340104", 层级="县级"),
    _row("34010100010000", "对培训机构的检查"),  # the published item's code, another name
    _row("34010105030000", "同名两码"),
    _row("34010105040000", "同名两码"),
    _row("34030105010000", "对有限空间作业的检查", 实施部门编码="YJGL-3401", 来源=""),
]


def _csv(path: Path, rows: list[dict[str, str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER)
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("gbk"))
    return path


def _xlsx(path: Path, rows: list[dict[str, str]]) -> Path:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("权力清单")
    sheet.append(HEADER)
    for row in rows:
        sheet.append([int(row[c]) if c == "事项编码" else row[c] for c in HEADER])
    workbook.save(path)
    return path


@pytest.fixture
def channel() -> ChannelConfig:
    return default_registry().get("power_lists")


def _ingest(engine: Engine, channel: ChannelConfig, *paths: Path) -> RunReport:
    arrivals = [
        Arrival(channel.name, channel.message_for_file(p.name).name, p, file_name=p.name)
        for p in paths
    ]
    return ingest(engine, channel, arrivals)


def test_csv_and_excel_power_lists_become_drafts_and_conflicts_store_nothing(
    engine: Engine, channel: ChannelConfig, tmp_path: Path
) -> None:
    with Session(engine, expire_on_commit=False) as session, session.begin():
        published = publish_new(session)  # 34010100010000 对校外培训机构收费行为的监督检查
    files = (
        _csv(tmp_path / "合肥市权力清单.csv", CSV_ROWS),
        _xlsx(tmp_path / "清单.xlsx", XLSX_ROWS),
    )

    report = _ingest(engine, channel, *files)

    assert (report.received, report.stored, report.duplicates, report.quarantined) == (9, 5, 0, 4)
    with Session(engine) as session:
        stored = {item.code: item for item in session.scalars(select(CatalogItem))}
        entries = session.execute(
            select(QuarantineEntry.message_type, QuarantineEntry.position, QuarantineEntry.step,
                   QuarantineEntry.reason).order_by(QuarantineEntry.id)
        ).all()  # fmt: skip
    assert sorted(stored) == [
        "34010100010000",
        "34010105010000",
        "34010105010001",
        "34010105020000",
        "34020105010000",
        "34030105010000",
    ]
    assert stored[published.code].name == published.name  # untouched by the same-code row
    assert stored[published.code].status == "published"
    sub = stored["34010105010001"]
    assert (sub.is_main, sub.parent_code, sub.status, sub.origin) == (
        False,
        "34010105010000",
        "draft",
        "local",
    )
    assert (sub.source_kind, sub.level) == ("local_regulation", "city")
    assert stored["34010105020000"].region_code == "340104"
    assert stored["34030105010000"].source_kind == "power_list"
    assert [(m, p, s) for m, p, s, _ in entries] == [
        ("power_items_csv", 3, "conflict"),
        ("power_items_xlsx", 2, "conflict"),
        ("power_items_xlsx", 3, "conflict"),
        ("power_items_xlsx", 4, "conflict"),
    ]
    reasons = [reason for *_, reason in entries]
    assert reasons[0] == (
        "catalog_conflicts: same name: '对校外培训机构收费行为的监督检查' is already item "
        "34010100010000 of SCJG"
    )
    assert reasons[1].startswith("catalog_conflicts: same code: 34010100010000 is stored as")
    assert "comes with code 34010105040000 in this import too" in reasons[2]
    assert sum(report.reasons.values()) == 4

    again = _ingest(engine, channel, *files)
    assert (again.stored, again.duplicates, again.quarantined) == (0, 5, 4)


@pytest.fixture
def migrated(engine: Engine) -> Engine:
    """The store as ``hub db upgrade`` makes it, which the CLI requires."""
    Base.metadata.drop_all(engine)
    upgrade(engine)
    return engine


def test_hub_catalog_conflicts_lists_the_store_and_the_refused_rows(
    migrated: Engine, channel: ChannelConfig, tmp_path: Path
) -> None:
    _ingest(migrated, channel, _xlsx(tmp_path / "清单.xlsx", XLSX_ROWS[2:4]))
    with Session(migrated) as session, session.begin():
        session.add(
            CatalogItem(
                code="34010105090000",
                name="对停车收费行为的监督检查",
                department_code="SCJG-34",
                status="published",
                origin="local",
                content_hash="0" * 32,
            )
        )
        session.add(
            CatalogItem(
                code="34010105080000",
                name="对停车收费行为的监督检查",
                department_code="SCJG-3401",
                status="draft",
                origin="local",
                content_hash="1" * 32,
            )
        )
    result = CliRunner().invoke(app, ["catalog", "conflicts"])
    assert result.exit_code == 0, result.output
    assert "3 catalog conflict(s)" in result.output
    assert "34010105080000, 34010105090000" in result.output
    assert "power_lists:清单.xlsx#1" in result.output and "power_lists:清单.xlsx#2" in result.output


def test_rows_with_an_unknown_department_or_region_are_refused_with_the_reason(
    engine: Engine, channel: ChannelConfig, tmp_path: Path
) -> None:
    rows = [
        _row("34010105010000", "对停车收费行为的监督检查"),
        _row("34010105020000", "对农贸市场的检查", 实施部门编码="HBJ-3401"),
        _row("34010105030000", "对加油站的检查", 实施部门编码="SCJG-9901"),
        _row("34010105040000", "对商场的检查", 实施部门编码="SCJG"),
        _row("34010105050000", "对车站的检查", 行政区划代码="340202"),
        _row("34010105060000", "对码头的检查", 行政区划代码="349999"),
        _row("34010105010000", "对停车场的检查"),  # a conflict besides: same code, other name
    ]

    report = _ingest(engine, channel, _csv(tmp_path / "清单.csv", rows))

    assert (report.received, report.stored, report.duplicates, report.quarantined) == (7, 1, 0, 6)
    assert report.received == report.stored + report.duplicates + report.quarantined
    with Session(engine) as session:
        stored = list(session.scalars(select(CatalogItem.code)))
        entries = session.execute(
            select(QuarantineEntry.position, QuarantineEntry.step, QuarantineEntry.reason).order_by(
                QuarantineEntry.position
            )
        ).all()
    assert stored == ["34010105010000"]
    assert [(position, step) for position, step, _ in entries] == [
        (2, "reference"),
        (3, "reference"),
        (4, "reference"),
        (5, "reference"),
        (6, "check_codes"),  # the mapping's own region check comes first
        (7, "conflict"),
    ]
    reasons = [reason for *_, reason in entries]
    assert reasons[0].startswith("catalog_references: department 'HBJ-3401': unknown line 'HBJ'")
    assert reasons[1] == (
        "catalog_references: department 'SCJG-9901': '9901' is not the GB/T 2260 prefix of a "
        "known area"
    )
    assert reasons[2].startswith("catalog_references: department SCJG is a ministry")
    assert reasons[3] == (
        "catalog_references: region 340202 lies outside the area of department SCJG-3401"
    )
    assert "349999" in reasons[4]
