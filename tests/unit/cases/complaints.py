"""Complaints stored as the pipeline stores them, for the case tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from hub.store.models.complaints import Complaint

RECEIVED = datetime(2026, 5, 11, 2, 0, tzinfo=UTC)  # a Monday, 10:00 Beijing time
_numbers = itertools.count(1)


def store_complaint(session: Session, **fields: Any) -> Complaint:
    """A complaint with sensible defaults (12345, Hefei's Shushan district, a phone)."""
    values: dict[str, Any] = {
        "source": "hotline_12345",
        "source_number": f"AH{next(_numbers):08d}",
        "kind": "complaint",
        "received_at": RECEIVED,
        "title": "反映某超市销售过期食品",
        "content": "市民反映在某超市购买的食品已超过保质期，要求核实处理并退赔。",
        "category": "市场监管/食品安全",
        "complainant_name": "王小明",
        "complainant_phone": "13900001111",
        "region_code": "340104",
        "status": "received",
        "content_hash": "0" * 32,
        "source_version": "",
    }
    values.update(fields)
    complaint = Complaint(**values)
    session.add(complaint)
    session.flush()
    return complaint
