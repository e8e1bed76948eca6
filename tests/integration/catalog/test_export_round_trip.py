"""Export in the national format, accepted by the national simulator over real HTTP, and
imported back through the national_catalog channel into an emptied store: the same items."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.catalog import lifecycle
from hub.catalog.claims import Localisation, claim
from hub.catalog.export import ROUND_TRIP_FIELDS, export_catalog, exportable, write_export
from hub.exchange.channels import default_registry
from hub.exchange.envelopes import Arrival
from hub.exchange.pipeline import ingest
from hub.store.base import Base
from hub.store.models.catalog import CatalogItem
from simulators.national import NationalSimulator
from simulators.registry import SimulatorOptions, start_simulator
from tests.catalog_support import LEADER, OFFICER, draft, national_item, publish_new

KEY = "national-key-of-the-catalog-tests"
DAY = date(2026, 6, 30)


def _elements(items: list[CatalogItem]) -> dict[str, dict[str, Any]]:
    return {item.code: {name: getattr(item, name) for name in ROUND_TRIP_FIELDS} for item in items}


@pytest.fixture
def national(monkeypatch: pytest.MonkeyPatch) -> Iterator[NationalSimulator]:
    monkeypatch.setenv("HUB_NATIONAL_KEY", KEY)
    simulator = start_simulator("national", SimulatorOptions(seed=11))
    assert isinstance(simulator, NationalSimulator)
    yield simulator
    simulator.stop()


def test_the_exported_catalog_is_accepted_and_comes_back_identical(
    engine: Engine, national: NationalSimulator, tmp_path: Path
) -> None:
    with Session(engine) as session, session.begin():
        main = publish_new(session)
        publish_new(session, name="对预收费资金的检查", parent_code=main.code, process="抽查流程")
        publish_new(
            session,
            name="对排污单位的监督检查",
            department_code="SThJ-34",
            objects="排污单位",
            supervision_manner="非现场监管",
        )
        gone = publish_new(session, name="对旧事项的检查", department_code="SCJG-340104")
        lifecycle.withdraw(session, gone, actor=LEADER, reason="上位法废止")
        lifecycle.create_item(session, draft(name="仍在起草"), actor=OFFICER, reason="草稿")
        claimed = national_item(session, level="province", measures="现场检查", result="公示")
        claim(session, claimed, Localisation("340100", "SCJG-3401"), actor=OFFICER, reason="认领")
        national_item(session, "00020100010000", name="未认领的国家事项", department_code="SThJ")
        export = export_catalog(session, province="340000", day=DAY)
        expected = _elements(exportable(session, "340000"))
    assert export.skipped == []
    assert export.records == len(expected) == 5
    assert [b["batch_number"] for b in export.batches] == ["2026063000001"]
    write_export(export, tmp_path / "catalog.json")
    written = json.loads((tmp_path / "catalog.json").read_text("utf-8"))
    assert written["batches"] == export.batches

    headers = {"X-API-Key": KEY}
    with httpx.Client(base_url=national.url, headers=headers, timeout=10) as client:
        for batch in export.batches:
            answer = client.post(
                "/api/v1/batches", json=batch, headers={"Idempotency-Key": batch["batch_number"]}
            )
            assert answer.status_code == 200, answer.text
            receipt = answer.json()
            assert receipt["status"] == "accepted", receipt["results"]
        accepted = client.get(
            "/api/v1/accepted", params={"data_type": "catalog_item", "date": DAY.isoformat()}
        ).json()["data"]
    assert accepted["count"] == 5 and accepted["keys"] == sorted(expected)
    rows = [data for (kind, _), data in national.store.current.items() if kind == "catalog_item"]

    with Session(engine) as session, session.begin():  # an empty store
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(table.delete())
    channel = default_registry().get("national_catalog")
    payload = json.dumps({"data": {"rows": rows}}, ensure_ascii=False).encode("utf-8")
    arrival = Arrival(channel.name, "catalog_items", payload, file_name="accepted.json")
    report = ingest(engine, channel, [arrival])
    assert (report.received, report.stored, report.quarantined) == (5, 5, 0)
    with Session(engine) as session:
        assert _elements(list(session.scalars(select(CatalogItem)))) == expected
