"""The demo's cases: the complaints the hotlines stored become routed cases, their recorded
handling is replayed on the workflow, and the routing table and the on-time rates are printed."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hub.demo.cases import demo_cases
from tests.unit.cases.complaints import RECEIVED, store_complaint


def test_the_demo_prints_the_routing_table_and_the_on_time_rates(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    with Session(engine) as session, session.begin():
        store_complaint(  # answered by the hotline within its limit, the caller satisfied
            session,
            status="closed",
            answer="已责令下架",
            closed_at=RECEIVED + timedelta(days=2),
            satisfaction="满意",
        )
        store_complaint(  # answered long after its 13 working days
            session,
            complainant_phone="13900002222",
            region_code="340102",
            title="餐馆后厨卫生差",
            content="瑶海区某餐馆后厨卫生差",
            status="answered",
            closed_at=RECEIVED + timedelta(days=40),
        )
        store_complaint(session, category="其他", title="咨询公积金", content="如何提取公积金")
    out = io.StringIO()

    demo_cases(Console(file=out, width=200), engine)

    summary = out.getvalue()
    assert "cases: 3 opened from 3 complaint(s), 0 merged (并单), 2 routed, 1 to triage" in summary
    tables = capsys.readouterr().out
    assert "cases by routing rule" in tables and "market-supervision-by-area" in tables
    assert "cases by region" in tables and "on time" in tables
    hefei = next(line for line in tables.splitlines() if "3401" in line)
    assert "50.0%" in hefei and "100.0%" in hefei  # one of two on time; the one visited satisfied
