"""Records the national push sends, written straight into a store, and a simulator with the
environment the push configuration reads."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from adapters.secrets import environment_overlay
from hub.store.models.actions import Inspection
from hub.store.models.credit import CreditRecord
from hub.store.models.personnel import EnforcementOfficer
from simulators.national import NationalSimulator
from simulators.registry import SimulatorOptions

AGENCY_USCC = "11340000MB0000001X"
OFFICERS = ("34010001", "34010002")
ACTED = datetime(2026, 5, 1, 1, 30, tzinfo=UTC)


def inspection_row(number: int, **changes: object) -> dict[str, object]:
    """A valid inspection (national profile) numbered ``number``."""
    row: dict[str, object] = {
        "action_number": f"JC-{number:06d}",
        "action_name": "食品经营者日常监督检查",
        "catalog_code": "01010100010000",
        "implementation_code": f"{AGENCY_USCC}3000{number % 10}",
        "department_code": "SCJG-34",
        "agency_name": "安徽省市场监督管理局",
        "agency_uscc": AGENCY_USCC,
        "entity_uscc": "91340100MA2N000000",
        "entity_name": f"合肥示例食品有限公司{number}",
        "counterpart_kind": "legal_person",
        "counterpart_id_type": "uscc",
        "region_code": "340100",
        "acted_at": ACTED,
        "reported_at": ACTED + timedelta(hours=2),
        "reporter": "张三",
        "officers": list(OFFICERS),
        "result_code": "1",
        "result": "未发现问题",
        "content_hash": f"{number:032d}",
        "source_version": "1",
    }
    row.update(changes)
    return row


def penalty_row(number: int) -> dict[str, object]:
    """A valid penalty (national profile) numbered ``number``."""
    action = inspection_row(number)
    for inspection_only in ("result_code", "result"):
        del action[inspection_only]
    return {
        **action,
        "action_number": f"CF-{number:06d}",
        "action_name": "食品经营者行政处罚",
        "facts": "经营超过保质期的食品",
        "legal_basis": "《中华人民共和国食品安全法》第一百二十四条",
        "procedure": "general",
        "filed_on": date(2026, 4, 20),
        "decision_number": f"皖市监罚〔2026〕{number}号",
        "decided_on": date(2026, 4, 30),
        "penalty_kinds": ["02"],
        "fine_amount": 5000,
    }


def credit_row(number: int) -> dict[str, object]:
    return {
        "record_kind": "abnormal_list",
        "entity_uscc": "91340100MA2N000000",
        "entity_name": "合肥示例食品有限公司",
        "document_number": f"皖市监异字〔2026〕{number}号",
        "reason": "未按规定报送年度报告",
        "decided_by": "安徽省市场监督管理局",
        "department_code": "SCJG-34",
        "listed_on": date(2026, 4, 30),
        "region_code": "340100",
        "content_hash": f"{number:032d}",
        "source_version": "1",
    }


def seed_officers(session: Session) -> None:
    session.execute(
        insert(EnforcementOfficer),
        [
            {
                "certificate_number": number,
                "name": name,
                "department_code": "SCJG-34",
                "content_hash": "0" * 32,
                "source_version": "1",
            }
            for number, name in zip(OFFICERS, ("李四", "王五"), strict=True)
        ],
    )


def seed(engine: Engine, *, inspections: int = 0, credit_records: int = 0) -> None:
    """``inspections`` inspections and ``credit_records`` abnormal-list records, with officers."""
    with Session(engine) as session, session.begin():
        seed_officers(session)
        if inspections:
            session.execute(insert(Inspection), [inspection_row(n) for n in range(inspections)])
        if credit_records:
            session.execute(insert(CreditRecord), [credit_row(n) for n in range(credit_records)])


@contextmanager
def national(**settings: object) -> Iterator[NationalSimulator]:
    """The national simulator requiring signatures, with its environment set for the push."""
    simulator = NationalSimulator(SimulatorOptions(faults={"require_signature": True, **settings}))
    try:
        with environment_overlay(simulator.environment):
            yield simulator
    finally:
        simulator.stop()
