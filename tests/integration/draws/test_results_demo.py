"""The demo's random inspection: a joint plan over the sample, drawn, verified, published."""

from __future__ import annotations

import io
import re

from rich.console import Console
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit import default_anchor, verify
from hub.demo.draws import DEMO_RESULTS
from hub.demo.runner import run_demo
from hub.draws.verification import verify_draw
from hub.store.engine import get_engine
from hub.store.models.actions import Inspection
from hub.store.models.draws import Draw
from hub.store.models.inspection_results import InspectionResult


def test_the_demo_draws_records_and_publishes_through_the_simulator() -> None:
    out = io.StringIO()

    run_demo(Console(file=out, width=250), entities=300, seed=7)

    printed = out.getvalue()
    commitment = re.search(r"draw 1: commitment ([0-9a-f]{64})", printed)
    assert commitment is not None
    assert re.search(r"draw 1 (holds|does NOT hold): \d+/11 checks passed", printed)
    assert "draw 1: results and their publication (一公开)" in printed
    with Session(get_engine()) as session:
        draw = session.get_one(Draw, 1)
        assert (draw.status, draw.commitment) == ("assigned", commitment.group(1))
        results = session.scalars(select(InspectionResult).order_by(InspectionResult.id)).all()
        assert 1 <= len(results) <= len(DEMO_RESULTS)
        published = [result for result in results if result.published_at is not None]
        assert len(published) == len(results) // 2 + 1
        assert [result.publication_receipt for result in published] == [
            f"GS{number:08d}" for number in range(1, len(published) + 1)
        ]
        for result in published:
            assert session.get_one(Inspection, result.inspection_id).published_at is not None
            assert f"{result.result_number}" in printed
        assert printed.count("not yet") == len(results) - len(published)
        assert verify(session, default_anchor()).ok


def test_the_demo_draw_holds() -> None:
    run_demo(Console(file=io.StringIO(), width=250), entities=300, seed=7)

    with Session(get_engine()) as session:
        verification = verify_draw(session, 1)
    assert verification.ok, [check for check in verification.checks if not check.passed]
