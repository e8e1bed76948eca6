"""Stored records the collaboration tests start from: licensing cases and inspections."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count
from typing import Any

from sqlalchemy.orm import Session

from hub.store.models.actions import Inspection, Licensing

ENTITY_USCC = "91350100M000100Y43"  # a valid code (DOMAIN.md)
_numbers = count(1)


def store_licensing(session: Session, **values: Any) -> Licensing:
    """A granted 告知承诺 food business licence accepted by a Hefei county bureau."""
    number = next(_numbers)
    defaults: dict[str, Any] = {
        "action_number": f"ZWFW20260507{number:06d}",
        "action_name": "食品经营许可",
        "licence_kind": "notification_commitment",
        "department_code": "SCJG-340104",
        "entity_uscc": ENTITY_USCC,
        "entity_name": "合肥示例餐饮有限公司",
        "counterpart_kind": "legal_person",
        "counterpart_id_type": "uscc",
        "counterpart_id": ENTITY_USCC,
        "region_code": "340104",
        "business_address": "合肥市蜀山区示例路1号",
        "decision": "granted",
        "acted_at": datetime(2026, 5, 7, 2, tzinfo=UTC),
        "content_hash": f"{number:032d}",
    }
    licensing = Licensing(**{**defaults, **values})
    session.add(licensing)
    session.flush()
    return licensing


def store_inspection(session: Session, **values: Any) -> Inspection:
    """An inspection of the Hefei market supervision bureau."""
    number = next(_numbers)
    defaults: dict[str, Any] = {
        "action_number": f"SCJG-3401-JC-{number:06d}",
        "department_code": "SCJG-3401",
        "entity_uscc": ENTITY_USCC,
        "region_code": "340104",
        "content_hash": f"{number:032d}",
    }
    inspection = Inspection(**{**defaults, **values})
    session.add(inspection)
    session.flush()
    return inspection
