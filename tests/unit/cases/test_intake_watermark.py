"""The intake looks only above its watermark, and every complaint still gets taken in: one
stored late with an older date, and every one of a run that failed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

import hub.cases.intake as intake
from hub.cases.intake import intake_pending
from hub.exchange.cursors import read_cursor
from hub.store.models.cases import CaseComplaint
from hub.store.models.complaints import Complaint
from tests.unit.cases.complaints import RECEIVED, store_complaint


def _watermark(engine: Engine) -> int | None:
    value = read_cursor(engine, "cases.intake", "complaints_through")
    return None if value is None else int(value)


def _unlinked(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Complaint)
            .where(
                ~select(CaseComplaint.id).where(CaseComplaint.complaint_id == Complaint.id).exists()
            )
        )
        or 0
    )


def test_a_late_complaint_with_an_older_date_is_taken_in_by_the_next_run(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        ids = [store_complaint(session, complainant_phone=f"1390000{i:04d}").id for i in range(3)]
    assert intake_pending(engine).opened == 3
    assert _watermark(engine) == max(ids)
    with Session(engine) as session, session.begin():
        late = store_complaint(
            session, complainant_phone="13900009999", received_at=RECEIVED - timedelta(days=2)
        ).id
    report = intake_pending(engine)
    assert (report.opened, report.merged) == (1, 0)
    assert _watermark(engine) == late
    with Session(engine) as session:
        assert _unlinked(session) == 0
    assert intake_pending(engine).opened == 0


def test_a_failed_run_keeps_the_watermark_and_a_rerun_takes_in_what_is_left(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(engine) as session, session.begin():
        for i in range(5):
            store_complaint(
                session, complainant_phone=f"1390001{i:04d}", title=f"反映{i}号店过期食品"
            )
    taken = intake.take_in_many
    calls = 0

    def failing_second_chunk(*args: object, **kwargs: object) -> list[int]:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("the store went away")
        return taken(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(intake, "take_in_many", failing_second_chunk)
    with pytest.raises(RuntimeError):
        intake_pending(engine, chunk=2)
    assert _watermark(engine) is None
    with Session(engine) as session:
        assert _unlinked(session) == 3  # the first chunk is committed, the second rolled back
    monkeypatch.setattr(intake, "take_in_many", taken)
    assert intake_pending(engine, chunk=2).opened == 3
    with Session(engine) as session:
        assert _unlinked(session) == 0
