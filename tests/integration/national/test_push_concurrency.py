"""Two push runs at once on PostgreSQL: every record goes out once, under distinct batch
numbers, and each batch is sent by one run only (``push.claim_numbering`` and the batch row
locks)."""

from __future__ import annotations

import dataclasses
import os
import threading
from collections import Counter

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.national.config import load_config
from hub.national.push import PushReport, push
from hub.store.models.national import NationalBatch, NationalSentRecord
from tests.integration.national.support import national, seed

INSPECTIONS = 600
CREDIT_RECORDS = 400


@pytest.mark.skipif(not os.environ.get("HUB_TEST_POSTGRES_URL"), reason="needs PostgreSQL")
@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_two_runs_at_once_send_every_record_once_in_distinct_batches(engine: Engine) -> None:
    seed(engine, inspections=INSPECTIONS, credit_records=CREDIT_RECORDS)
    start = threading.Barrier(2)
    reports: list[PushReport] = []
    failures: list[BaseException] = []

    with national() as simulator:
        config = dataclasses.replace(load_config(), batch_size=50)

        def run() -> None:
            start.wait()
            try:
                reports.append(push(engine, config))
            except BaseException as exc:  # reported below, with the thread's traceback
                failures.append(exc)

        runners = [threading.Thread(target=run) for _ in range(2)]
        for runner in runners:
            runner.start()
        for runner in runners:
            runner.join()
        assert not failures, failures
        applied = Counter((record.data_type, record.key) for record in simulator.store.log)
        pushes = simulator.plan.served["requests"]

    total = INSPECTIONS + CREDIT_RECORDS
    assert len(applied) == total and set(applied.values()) == {1}
    assert sum(report.accepted for report in reports) == total
    assert sum(sum(counts.values()) for r in reports for counts in r.planned.values()) == total
    with Session(engine) as session:
        numbers = list(session.scalars(select(NationalBatch.batch_number)))
        states = Counter(session.scalars(select(NationalBatch.state)))
        logged = Counter(
            (entry.data_type, entry.record_key, entry.status)
            for entry in session.scalars(select(NationalSentRecord))
        )
    assert len(numbers) == len(set(numbers)) == total // 50
    assert states == {"accepted": total // 50}
    assert len(logged) == total and set(logged.values()) == {1}
    assert {status for _, _, status in logged} == {"accepted"}
    assert pushes == len(numbers)  # no batch went out twice
