"""Valid records of every data type the national push sends, written in bulk into a store.

``seed_every_type(engine, count)`` writes ``count`` records of each of the nine data types
(``hub.national.profile.DATA_TYPES``) whose national messages pass the national schema and
rules: inspections, penalties and credit records from ``tests.integration.national.support``;
licensing cases, coercive measures, published catalog items, frozen 双随机 plans (draws),
their published results (one per inspection) and the handling of complaints the national
system assigned, built here. Rows are numbered ``0 .. count - 1``, so keys are distinct.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Engine, Table, insert, select
from sqlalchemy.orm import Session

from hub.store.models.actions import CoerciveMeasure, Inspection, Licensing, Penalty
from hub.store.models.catalog import CatalogItem, ImplementationListItem
from hub.store.models.complaints import Complaint
from hub.store.models.credit import CreditRecord
from hub.store.models.draws import Draw
from hub.store.models.inspection_results import InspectionResult
from tests.integration.national.support import (
    ACTED,
    AGENCY_USCC,
    OFFICERS,
    credit_row,
    inspection_row,
    penalty_row,
    seed_officers,
)

CHUNK = 2_000
FROZEN = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
CATALOG_CODE = "34010100010000"
DEPARTMENT = "SCJG-34"
CANONICAL = {"content_hash": "0" * 32, "source_version": "1"}


def _action(number: int, action_number: str, name: str) -> dict[str, object]:
    """An inspection row without the inspection's own fields: the common action elements."""
    row = inspection_row(number, action_number=action_number, action_name=name)
    del row["result_code"], row["result"]
    return row


def licensing_row(number: int) -> dict[str, object]:
    return {
        **_action(number, f"XK-{number:06d}", "食品经营许可"),
        "licence_kind": "notification_commitment",
        "licence_number": f"JY134{number:011d}",
        "decision": "granted",
        "valid_from": date(2026, 5, 1),
        "valid_until": date(2031, 4, 30),
    }


def coercive_measure_row(number: int) -> dict[str, object]:
    return {
        **_action(number, f"QZ-{number:06d}", "查封涉嫌违法的食品"),
        "measure_kind": "查封",
        "legal_basis": "《中华人民共和国食品安全法》第一百一十条",
        "decision_number": f"皖市监强〔2026〕{number}号",
        "started_on": date(2026, 5, 1),
        "ended_on": date(2026, 5, 30),
    }


def catalog_item_row(number: int) -> dict[str, object]:
    return {
        "code": f"3402{number:010d}",
        "name": f"食品经营者监督检查{number}",
        "is_main": True,
        "department_code": "SCJG",
        "department_name": "安徽省市场监督管理局",
        "supervision_type": "行政检查",
        "legal_basis": "《中华人民共和国食品安全法》",
        "level": "province",
        "region_code": "340000",
        "status": "published",
        "origin": "local",
        **CANONICAL,
    }


def draw_row(number: int) -> dict[str, object]:
    return {
        "name": f"2026 年度食品经营者抽查 {number}",
        "department_code": DEPARTMENT,
        "region_code": "340000",
        "year": 2026,
        "status": "assigned",
        "plan": {"items": [{"code": CATALOG_CODE, "department": DEPARTMENT, "kind": "key"}]},
        "created_by": "planner",
        "frozen_at": FROZEN,
    }


def inspection_result_row(number: int, draw_id: int, inspection_id: int) -> dict[str, object]:
    return {
        "draw_id": draw_id,
        "entity_uscc": "91340100MA2N000000",
        "stratum": "B",
        "catalog_code": CATALOG_CODE,
        "department_code": DEPARTMENT,
        "result_number": f"JG-{number:06d}",
        "inspection_id": inspection_id,
        "result_code": "1",
        "problem_found": False,
        "officers": list(OFFICERS),
        "inspection_ended_at": ACTED,
        "recorded_by": "inspector",
        "publication_due_at": ACTED + timedelta(days=28),
        "publication_provisional": False,
        "published_at": ACTED + timedelta(days=3),
    }


def complaint_row(number: int) -> dict[str, object]:
    return {
        "source": "national",
        "source_number": f"GJ-2026-{number:06d}",
        "received_at": ACTED,
        "status": "closed",
        "handling_department_code": "SCJG-3401",
        "answer": "已核实处理",
        "closed_at": ACTED + timedelta(days=5),
        **CANONICAL,
    }


ROWS: dict[Table, Callable[[int], dict[str, object]]] = {
    cast(Table, model.__table__): build
    for model, build in (
        (Inspection, inspection_row),
        (Penalty, penalty_row),
        (CreditRecord, credit_row),
        (Licensing, licensing_row),
        (CoerciveMeasure, coercive_measure_row),
        (CatalogItem, catalog_item_row),
        (Complaint, complaint_row),
        (Draw, draw_row),
    )
}


def _insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(table), rows[start : start + CHUNK])


def seed_every_type(engine: Engine, count: int) -> None:
    """``count`` valid records of each national data type, with the officers and the
    implementing agency the messages name."""
    with Session(engine) as session, session.begin():
        seed_officers(session)
        session.execute(
            insert(ImplementationListItem),
            [
                {
                    "code": f"{AGENCY_USCC}3001",
                    "catalog_code": CATALOG_CODE,
                    "agency_uscc": AGENCY_USCC,
                    "agency_name": "安徽省市场监督管理局",
                    "level_digit": "3",
                    "department_code": DEPARTMENT,
                    **CANONICAL,
                }
            ],
        )
        for table, build in ROWS.items():
            _insert(session, table, [build(number) for number in range(count)])
        draws = session.scalars(select(Draw.id).order_by(Draw.id)).all()
        inspections = session.scalars(select(Inspection.id).order_by(Inspection.id)).all()
        _insert(
            session,
            cast(Table, InspectionResult.__table__),
            [
                inspection_result_row(number, draw_id, inspection_id)
                for number, (draw_id, inspection_id) in enumerate(
                    zip(draws, inspections, strict=True)
                )
            ],
        )
