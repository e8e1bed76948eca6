"""A small world for draw tests: entities of four credit classes, two departments' officers,
a conflict of interest and a recent inspection; a joint plan over it; the whole lifecycle.

Rows are inserted in a shuffled order (fixed seed), so a test that compares results with
fixed expectations also shows that row order does not matter.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from hub.draws import service
from hub.store.models.actions import Inspection
from hub.store.models.complaints import Complaint
from hub.store.models.credit import CreditRecord
from hub.store.models.draws import Draw, InspectorInterest
from hub.store.models.entities import RegulatedEntity
from hub.store.models.personnel import EnforcementOfficer

AS_OF = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
SEED = bytes.fromhex("5eed" * 16)
PUBLIC_VALUE = "福彩3D 2026056: 4 1 7"
PUBLIC_SOURCE = "中国福利彩票 3D 第 2026056 期开奖号码"
ACTOR = service.Actor("wang.fang", "SCJG-3401")
MARKET, HEALTH = "SCJG-3401", "WSJ-3401"
ENTITIES = 80


def uscc(number: int) -> str:
    """A syntactically plausible 18-character code (the check digit is not computed)."""
    return f"91340100MA{number:07d}X"


def certificate(department: str, number: int) -> str:
    return f"{department[:4]}{number:04d}"


def plan(**overrides: Any) -> dict[str, Any]:
    """A joint plan of the market regulator (a key item) and the health bureau (general)."""
    document: dict[str, Any] = {
        "name": "2026 年度餐饮服务跨部门联合抽查",
        "year": 2026,
        "department_code": MARKET,
        "region_code": "340100",
        "items": [
            {
                "code": "34010100010000",
                "department": MARKET,
                "kind": "key",
                "qualification": "food_safety",
            },
            {
                "code": "34010200030000",
                "department": HEALTH,
                "kind": "general",
                "qualification": "public_health",
            },
        ],
        "quotas": {
            "A": {"ratio": "0.05"},
            "B": {"ratio": "0.2"},
            "C": {"ratio": "0.6"},
            "D": {"count": 3},
        },
        "weights": {"complaint": 2, "abnormal_list": 3, "serious_violation": 4},
    }
    document.update(overrides)
    return document


def seed_world(session: Session) -> None:
    """Entities, credit facts, complaints, officers, an interest and a recent inspection."""
    rows: list[Any] = []
    for number in range(ENTITIES):
        code = uscc(number)
        rows.append(
            RegulatedEntity(
                uscc=code,
                name=f"合肥市样例餐饮店{number}",
                region_code="340102" if number % 2 else "340104",
                industry_code="H6210",
                status="active" if number % 17 else "deregistered",
                content_hash="x",
            )
        )
        if number % 10:  # every tenth entity has no class: it counts as B
            rows.append(_credit(code, "credit_class", f"CLS-{number}", "ABCD"[number % 4]))
        if number % 7 == 0:
            rows.append(_credit(code, "abnormal_list", f"ABN-{number}"))
        if number % 11 == 0:
            rows.append(_credit(code, "serious_violation", f"SV-{number}"))
        if number % 5 == 0:
            rows.append(
                Complaint(
                    source="hotline_12345",
                    source_number=f"2026{number:05d}",
                    received_at=AS_OF - timedelta(days=30),
                    target_uscc=code,
                    content_hash="x",
                )
            )
    # The class listed later wins: entity 1 was A, is now B.
    rows.append(_credit(uscc(1), "credit_class", "CLS-1-old", "A", listed_on=date(2025, 1, 1)))
    for department, tag, count in ((MARKET, "food_safety", 7), (HEALTH, "public_health", 4)):
        for number in range(count):
            rows.append(
                EnforcementOfficer(
                    certificate_number=certificate(department, number),
                    name=f"检查员{department}{number}",
                    department_code=department,
                    region_code="340100",
                    qualifications=[tag] if number else [],  # number 0 lacks the qualification
                    content_hash="x",
                )
            )
    rows.append(
        EnforcementOfficer(
            certificate_number=certificate(MARKET, 99),
            name="已离岗",
            department_code=MARKET,
            region_code="340100",
            qualifications=["food_safety"],
            status="inactive",
            content_hash="x",
        )
    )
    rows.append(
        InspectorInterest(
            certificate_number=certificate(MARKET, 1),
            entity_uscc=uscc(3),
            reason="亲属任该店负责人",
            declared_on=date(2025, 6, 1),
        )
    )
    rows.append(
        Inspection(
            action_number="JC-2026-0001",
            department_code=MARKET,
            entity_uscc=uscc(7),
            acted_at=AS_OF - timedelta(days=40),
            officers=[certificate(MARKET, 2), certificate(MARKET, 3)],
            content_hash="x",
        )
    )
    random.Random(2026).shuffle(rows)
    session.add_all(rows)
    session.flush()


def _credit(
    code: str,
    kind: str,
    document: str,
    credit_class: str | None = None,
    *,
    listed_on: date = date(2025, 12, 1),
) -> CreditRecord:
    return CreditRecord(
        record_kind=kind,
        entity_uscc=code,
        document_number=document,
        listed_on=listed_on,
        credit_class=credit_class,
        content_hash="x",
    )


def run_lifecycle(session: Session, document: dict[str, Any] | None = None) -> Draw:
    """Plan → freeze → commit → public value → draw → reveal → assign, with fixed inputs."""
    draw = service.create_plan(session, document or plan(), ACTOR)
    service.freeze(session, draw.id, ACTOR, as_of=AS_OF)
    service.commit(session, draw.id, ACTOR, seed=SEED)
    service.enter_public_value(session, draw.id, PUBLIC_VALUE, PUBLIC_SOURCE, ACTOR)
    service.run_draw(session, draw.id, ACTOR)
    service.reveal(session, draw.id, ACTOR)
    service.assign_teams(session, draw.id, ACTOR)
    return draw
