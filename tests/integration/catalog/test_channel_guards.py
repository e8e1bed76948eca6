"""The catalog's channels against items the hub changed: the province's catalog system cannot
overwrite them, the national catalog updates its own items (versioned, claims kept) but not
the hub's local ones; every refusal is quarantined with its reason and the counts balance."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.catalog import lifecycle
from hub.catalog.claims import Localisation, claim, claims_of
from hub.catalog.export import national_record
from hub.catalog.versions import history
from hub.exchange.channels import default_registry
from hub.exchange.envelopes import Arrival
from hub.exchange.pipeline import ingest
from hub.exchange.report import RunReport
from hub.store.models.catalog import CatalogItem
from hub.store.models.exchange import QuarantineEntry
from tests.catalog_support import OFFICER, draft, national_item, publish_new

PUBLISHED, DRAFTED, CLAIMED, UNCLAIMED = (
    "34010100010000",
    "34010100020000",
    "00010100010000",
    "00020100010000",
)


def _province_row(code: str, name: str, **cells: Any) -> dict[str, Any]:
    row = {
        "监管事项目录编码": code,
        "监管事项名称": name,
        "事项类型": "主项",
        "监管部门编码": "SCJG-3401",
        "监管部门名称": "合肥市市场监督管理局",
        "监管类别": "行政检查",
        "监管方式": "双随机抽查",
        "监管措施": "现场检查；查阅、复制有关资料",
        "监管对象": "校外培训机构",
        "设定依据": "《安徽省价格条例》第二十四条",
        "事项层级": "市级",
        "行政区划代码": "340100",
        "事项状态": "已发布",
        "版本号": 1,
        "事项来源": "地方",
        "更新时间": "2026-06-20 10:00:00",
    }
    row.update(cells)
    return row


def _run(engine: Engine, channel_name: str, document: dict[str, Any], file: str) -> RunReport:
    channel = default_registry().get(channel_name)
    payload = json.dumps(document, ensure_ascii=False).encode("utf-8")
    arrival = Arrival(channel.name, "catalog_items", payload, file_name=file)
    return ingest(engine, channel, [arrival])


def _quarantined(engine: Engine, channel: str) -> list[tuple[int, str, str]]:
    with Session(engine) as session:
        rows = session.execute(
            select(QuarantineEntry.position, QuarantineEntry.step, QuarantineEntry.reason)
            .where(QuarantineEntry.channel == channel)
            .order_by(QuarantineEntry.position)
        )
        return [tuple(row) for row in rows]


def _hub_catalog(engine: Engine) -> None:
    """A local item published here, a local draft being edited here, a national item claimed
    by Hefei, and a national item the hub never changed."""
    with Session(engine) as session, session.begin():
        publish_new(session)
        lifecycle.create_item(session, draft(name="仍在起草"), actor=OFFICER, reason="起草")
        claimed = national_item(session, measures="现场检查")
        local = Localisation("340100", "SCJG-3401", measures="合肥：双随机抽查")
        claim(session, claimed, local, actor=OFFICER, reason="认领")
        national_item(session, UNCLAIMED, name="对排污单位的检查", department_code="SThJ")


def test_the_province_catalog_cannot_overwrite_what_the_hub_changed(engine: Engine) -> None:
    _hub_catalog(engine)
    rows = [
        _province_row(PUBLISHED, "对校外培训机构收费行为的监督检查", 监管措施="书面检查"),
        _province_row(DRAFTED, "仍在起草", 事项状态="已发布"),
        _province_row("34010100090000", "对停车收费行为的监督检查"),
        _province_row(CLAIMED, "对食品生产经营者的监督检查", 监管部门编码="SCJG", 事项来源="国家"),
    ]
    document = {"result": {"records": rows}}

    report = _run(engine, "supervision_catalog", document, "supervision_catalog_0620.json")

    assert (report.received, report.stored, report.duplicates, report.quarantined) == (4, 1, 0, 3)
    entries = _quarantined(engine, "supervision_catalog")
    assert [(position, step) for position, step, _ in entries] == [
        (1, "lifecycle"),
        (2, "lifecycle"),
        (4, "lifecycle"),
    ]
    assert entries[0][2].startswith(
        f"catalog_lifecycle: published_item_changed: {PUBLISHED} is published in the hub's catalog"
    )
    assert "this row changes measures: change it with the catalog's edit" in entries[0][2]
    assert entries[1][2].startswith(
        f"catalog_lifecycle: managed_item_changed: {DRAFTED} is draft in the hub's catalog"
    )
    assert "published_item_changed" in entries[2][2]
    with Session(engine) as session:
        items = {item.code: item for item in session.scalars(select(CatalogItem))}
        revisions = len(history(session, PUBLISHED))
    assert items[PUBLISHED].measures == "现场检查；查阅、复制有关资料"
    assert (items[DRAFTED].status, items[CLAIMED].measures) == ("draft", "现场检查")
    assert items["34010100090000"].status == "published"  # the system's own item

    again = _run(engine, "supervision_catalog", document, "supervision_catalog_0620.json")
    assert (again.received, again.stored, again.duplicates, again.quarantined) == (4, 0, 1, 3)
    with Session(engine) as session:
        assert len(history(session, PUBLISHED)) == revisions


def test_the_national_catalog_updates_its_items_versioned_and_keeps_claims(
    engine: Engine,
) -> None:
    _hub_catalog(engine)
    with Session(engine) as session:
        items = {item.code: item for item in session.scalars(select(CatalogItem))}
        claimed = national_record(items[CLAIMED]) | {"measures": "现场检查；抽样检验"}
        unclaimed = national_record(items[UNCLAIMED]) | {"objects": "重点排污单位"}
        ours = national_record(items[PUBLISHED]) | {"name": "对培训机构的检查"}
        before = history(session, CLAIMED)
    document = {"data": {"rows": [claimed, unclaimed, ours]}}

    report = _run(engine, "national_catalog", document, "national_catalog_0620.json")

    assert (report.received, report.stored, report.duplicates, report.quarantined) == (3, 2, 0, 1)
    [(position, step, reason)] = _quarantined(engine, "national_catalog")
    assert (position, step) == (3, "lifecycle")
    assert reason.startswith(
        f"national_catalog_lifecycle: published_item_changed: {PUBLISHED} is published"
    )
    with Session(engine) as session:
        stored = {item.code: item for item in session.scalars(select(CatalogItem))}
        after = history(session, CLAIMED)
        [hefei] = claims_of(session, CLAIMED)
        unclaimed_history = history(session, UNCLAIMED)
        assert stored[PUBLISHED].name == "对校外培训机构收费行为的监督检查"
        assert stored[CLAIMED].measures == "现场检查；抽样检验"
        assert stored[UNCLAIMED].objects == "重点排污单位"
    assert len(after) == len(before) + 1
    update = after[-1]
    assert (update.action, update.actor, update.changed) == (
        "national_update",
        "system:exchange:national_catalog",
        ("measures",),
    )
    assert update.reason == "the national catalog changed measures"
    assert update.snapshot["claims"] == before[-1].snapshot["claims"]
    assert hefei.measures == "合肥：双随机抽查"  # the region's localisation is its own
    assert unclaimed_history == []  # never changed here: no revision to keep up

    again = _run(engine, "national_catalog", document, "national_catalog_0620.json")
    assert (again.stored, again.duplicates, again.quarantined) == (0, 2, 1)
    with Session(engine) as session:
        assert len(history(session, CLAIMED)) == len(after)
