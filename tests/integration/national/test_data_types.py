"""Every data type of the national profile, from the hub's tables to an accepted record:
the messages ``hub.national.messages`` builds pass the national side's schema and rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from hub.national.profile import DATA_TYPES
from hub.national.push import push
from hub.national.rejections import rejections
from hub.store.models.actions import CoerciveMeasure, Inspection, Licensing, Penalty
from hub.store.models.catalog import CatalogItem, ImplementationListItem
from hub.store.models.complaints import Complaint
from hub.store.models.credit import CreditRecord
from hub.store.models.draws import Draw
from hub.store.models.inspection_results import InspectionResult
from tests.integration.national.support import (
    ACTED,
    AGENCY_USCC,
    credit_row,
    inspection_row,
    national,
    penalty_row,
    seed_officers,
)

FROZEN = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


def _one_of_each(session: Session) -> None:
    seed_officers(session)
    canonical = {"content_hash": "0" * 32, "source_version": "1"}
    session.add(
        CatalogItem(
            code="34010100010000",
            name="食品经营者监督检查",
            is_main=True,
            department_code="SCJG",
            department_name="安徽省市场监督管理局",
            supervision_type="行政检查",
            legal_basis="《中华人民共和国食品安全法》",
            level="province",
            region_code="340000",
            status="published",
            origin="local",
            **canonical,
        )
    )
    session.add(
        ImplementationListItem(
            code=f"{AGENCY_USCC}3001",
            catalog_code="34010100010000",
            agency_uscc=AGENCY_USCC,
            agency_name="安徽省市场监督管理局",
            level_digit="3",
            department_code="SCJG-34",
            **canonical,
        )
    )
    inspection = inspection_row(1)
    session.execute(insert(Inspection), [inspection])
    session.execute(insert(Penalty), [penalty_row(1)])
    session.execute(insert(CreditRecord), [credit_row(1)])
    action = {k: v for k, v in inspection.items() if k not in ("result_code", "result")}
    session.execute(
        insert(Licensing),
        [
            {
                **action,
                "action_number": "XK-000001",
                "licence_kind": "notification_commitment",
                "licence_number": "JY13401000000001",
                "decision": "granted",
                "valid_from": date(2026, 5, 1),
                "valid_until": date(2031, 4, 30),
            }
        ],
    )
    session.execute(
        insert(CoerciveMeasure),
        [
            {
                **action,
                "action_number": "QZ-000001",
                "measure_kind": "查封",
                "legal_basis": "《中华人民共和国食品安全法》第一百一十条",
                "decision_number": "皖市监强〔2026〕1号",
                "started_on": date(2026, 5, 1),
                "ended_on": date(2026, 5, 30),
            }
        ],
    )
    draw = Draw(
        name="2026 年度食品经营者抽查",
        department_code="SCJG-34",
        region_code="340000",
        year=2026,
        status="assigned",
        plan={"items": [{"code": "34010100010000", "department": "SCJG-34", "kind": "key"}]},
        created_by="planner",
        frozen_at=FROZEN,
    )
    session.add(draw)
    session.flush()
    inspection_id = session.scalar(
        Inspection.__table__.select().with_only_columns(Inspection.id).limit(1)
    )
    session.add(
        InspectionResult(
            draw_id=draw.id,
            entity_uscc="91340100MA2N000000",
            stratum="B",
            catalog_code="34010100010000",
            department_code="SCJG-34",
            result_number="JG-000001",
            inspection_id=inspection_id,
            result_code="1",
            problem_found=False,
            officers=["34010001", "34010002"],
            inspection_ended_at=ACTED,
            recorded_by="inspector",
            publication_due_at=ACTED + timedelta(days=28),
            publication_provisional=False,
            published_at=ACTED + timedelta(days=3),
        )
    )
    session.add(
        Complaint(
            source="national",
            source_number="GJ-2026-0001",
            received_at=ACTED,
            status="closed",
            handling_department_code="SCJG-3401",
            answer="已核实处理",
            closed_at=ACTED + timedelta(days=5),
            **canonical,
        )
    )


def test_one_record_of_every_data_type_is_sent_and_accepted(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        _one_of_each(session)
    with national() as simulator:
        report = push(engine)
        accepted_types = {record.data_type for record in simulator.store.log}
    assert rejections(engine) == []
    assert report.accepted == len(DATA_TYPES) and accepted_types == set(DATA_TYPES)
