"""The demo's national step: everything the demo holds goes to the national simulator, signed,
and is accepted; nothing is held for missing fields and reconciliation agrees."""

from __future__ import annotations

import io
from collections import Counter

from rich.console import Console
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.demo.runner import run_demo
from hub.national.profile import DATA_TYPES
from hub.store.engine import get_engine
from hub.store.models.national import NationalBatch, NationalSentRecord


def test_every_record_the_demo_pushes_is_accepted_and_reconciliation_agrees() -> None:
    out = io.StringIO()

    run_demo(Console(file=out, width=250), entities=300, seed=7)

    printed = out.getvalue()
    assert "rejected 0, held 0" in printed
    engine = get_engine()
    with Session(engine) as session:
        records = session.scalars(select(NationalSentRecord)).all()
        batches = session.scalars(select(NationalBatch)).all()
    statuses = Counter(record.status for record in records)
    assert set(statuses) == {"accepted"}, [
        (record.data_type, record.record_key, record.reasons)
        for record in records
        if record.status != "accepted"
    ][:10]
    assert {batch.state for batch in batches} == {"accepted"}
    pushed = Counter(record.data_type for record in records)
    # the demo's sample reaches every kind of data the national profile asks of it
    for data_type in ("catalog_item", "licensing", "inspection", "penalty", "inspection_plan"):
        assert pushed[data_type] > 0, data_type
    table = printed.split("national reconciliation")[1]
    assert "differs" not in table
    for data_type in DATA_TYPES:  # the demo's reconciliation table, one agreeing row each
        assert any(data_type in line and "agrees" in line for line in table.splitlines())
