"""Pushing to the national simulator: i/u/d from the push log, held records, rejections with
the national reasons, replay after a fix, receipts kept, and reconciliation over HTTP."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from hub.errors import AuthenticationFailed
from hub.national.config import load_config
from hub.national.push import push
from hub.national.reconcile import reconcile
from hub.national.rejections import rejections, replay
from hub.national.signing import generate_key_pair
from hub.store.models.actions import Inspection
from hub.store.models.national import NationalBatch, NationalSentRecord
from tests.integration.national.support import national, seed


def _operations(simulator_log: list[object]) -> list[tuple[str, str]]:
    return [(record.op, record.key) for record in simulator_log]  # type: ignore[attr-defined]


def test_records_go_as_inserts_then_updates_and_deletes_and_nothing_twice(engine: Engine) -> None:
    seed(engine, inspections=3, credit_records=2)
    with national() as simulator:
        first = push(engine)
        assert first.planned["inspection"]["i"] == 3 and first.accepted == 5
        assert sorted(_operations(simulator.store.log))[:3] == [
            ("i", "JC-000000"),
            ("i", "JC-000001"),
            ("i", "JC-000002"),
        ]
        again = push(engine)
        assert again.planned == {} and again.batches_sent == 0
        with Session(engine) as session, session.begin():
            session.execute(
                update(Inspection)
                .where(Inspection.action_number == "JC-000001")
                .values(result="发现问题已整改")
            )
            session.execute(delete(Inspection).where(Inspection.action_number == "JC-000002"))
        changed = push(engine)
        assert dict(changed.planned["inspection"]) == {"u": 1, "d": 1}
        assert _operations(simulator.store.log)[-2:] == [("u", "JC-000001"), ("d", "JC-000002")]
        assert simulator.store.current[("inspection", "JC-000002")] is None
    with Session(engine) as session:
        batches = session.scalars(select(NationalBatch).order_by(NationalBatch.id)).all()
        assert [batch.state for batch in batches] == ["accepted"] * len(batches)
        assert all(batch.payload is None and batch.receipt_id for batch in batches)
        numbers = [batch.batch_number for batch in batches]
        assert len(set(numbers)) == len(numbers) and all(len(n) == 13 for n in numbers)


def test_a_record_failing_the_national_schema_is_held_never_sent(engine: Engine) -> None:
    seed(engine, inspections=2)
    with Session(engine) as session, session.begin():
        session.execute(
            update(Inspection)
            .where(Inspection.action_number == "JC-000000")
            .values(catalog_code="1234")
        )
    with national() as simulator:
        report = push(engine)
        assert report.held == 1 and report.accepted == 1
        assert [record.key for record in simulator.store.log] == ["JC-000001"]
        assert push(engine).held == 0  # unchanged: not checked again, not held twice
    (held,) = rejections(engine)
    assert held.status == "held" and held.key == "JC-000000"
    assert held.reasons == ["data/catalog_code: '1234' does not match '^[0-9]{14}$'"]


def test_national_rejections_keep_their_reasons_and_are_sent_again_after_a_fix(
    engine: Engine,
) -> None:
    # Valid for the schema, refused by a national rule: reported before it was done.
    seed(engine, inspections=2)
    with Session(engine) as session, session.begin():
        acted = session.scalar(select(Inspection.acted_at).limit(1))
        session.execute(
            update(Inspection)
            .where(Inspection.action_number == "JC-000001")
            .values(reported_at=acted)
        )
    with national() as simulator:
        assert push(engine).rejected == 1
        (rejected,) = rejections(engine)
        assert rejected.status == "rejected" and rejected.batch_number is not None
        assert rejected.reasons and "reported_at" in rejected.reasons[0]
        assert push(engine).planned == {}  # waits for an operator
        with Session(engine) as session, session.begin():
            session.execute(
                update(Inspection)
                .where(Inspection.action_number == "JC-000001")
                .values(reported_at=acted.replace(hour=acted.hour + 3) if acted else None)
            )
        assert replay(engine, ["JC-000001"]) == [("inspection", "JC-000001")]
        fixed = push(engine)
        assert fixed.accepted == 1 and rejections(engine) == []
        assert ("inspection", "JC-000001") in simulator.store.current


def test_reconciliation_agrees_after_a_push_and_resends_what_the_national_side_lost(
    engine: Engine,
) -> None:
    seed(engine, inspections=4, credit_records=1)
    with national() as simulator:
        push(engine)
        with Session(engine) as session:
            day = session.scalars(select(NationalBatch.batch_day)).first()
        assert isinstance(day, date)
        assert all(c.agrees for c in reconcile(engine, days=[day]))
        # The national side loses a key (its day list forgets it).
        lost = simulator.store._by_day[("inspection", day)]
        lost.discard("JC-000003")
        comparisons = {c.data_type: c for c in reconcile(engine, days=[day])}
        assert comparisons["inspection"].agrees and comparisons["inspection"].resent == 1
        assert "JC-000003" in simulator.store._by_day[("inspection", day)]
    with Session(engine) as session:
        entries = session.scalars(
            select(NationalSentRecord).where(NationalSentRecord.record_key == "JC-000003")
        ).all()
        assert [entry.status for entry in entries] == ["accepted", "accepted"]


def test_an_unavailable_national_system_leaves_the_batches_for_the_next_run(
    engine: Engine,
) -> None:
    seed(engine, inspections=2)
    with national(down_for_requests=1000) as simulator:
        config = load_config()
        impatient = dataclasses.replace(
            config, adapter={**config.adapter, "retry": {"attempts": 1}}
        )
        down = push(engine, impatient)
        assert down.stopped is not None and down.pending_batches == 1
        with Session(engine) as session:
            (batch,) = session.scalars(select(NationalBatch)).all()
            assert batch.state == "pending" and batch.attempts == 1 and batch.last_error
            key = batch.idempotency_key
        simulator.set_faults({})
        assert push(engine).accepted == 2
    with Session(engine) as session:
        (batch,) = session.scalars(select(NationalBatch)).all()
        assert batch.state == "accepted" and batch.idempotency_key == key


def test_a_push_signed_with_a_key_the_national_side_does_not_know_is_refused(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(engine, inspections=1)
    with national() as simulator:
        monkeypatch.setenv("HUB_NATIONAL_SIGNING_KEY", generate_key_pair("sm2_sm3")[0])
        with pytest.raises(AuthenticationFailed, match="signature does not verify"):
            push(engine)
        assert simulator.store.log == []
    with Session(engine) as session:
        assert session.scalars(select(NationalBatch.state)).all() == ["pending"]
