"""A mapping may leave out columns that have defaults: both stores then hold the defaults.

SQLAlchemy applies Python-side defaults on SQLite's insert; PostgreSQL's COPY path must state
them, since the server knows no such default (an officer without qualifications would be
refused as NULL otherwise)."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.exchange.upsert import Origin, Upserter
from hub.store.models.exchange import Envelope, ExchangeRun
from hub.store.models.personnel import EnforcementOfficer
from hub.store.records import record_type


def test_columns_a_mapping_leaves_out_get_their_defaults_on_both_engines(engine: Engine) -> None:
    officer = record_type("officer")
    upserter = Upserter(officer, ["name", "department_code"])
    rows = [
        (
            {
                "certificate_number": f"ZF{n}",
                "name": f"执法员{n}",
                "department_code": "SCJG",
                "content_hash": f"h{n}",
                "source_version": "2026-01-01",
            },
            n,
        )
        for n in (1, 2)
    ]
    with Session(engine) as session, session.begin():
        run = ExchangeRun(run_uid="r1", channel="test")
        envelope = Envelope(channel="test", sha256="0" * 64, first_run_id=None)
        session.add_all([run, envelope])
        session.flush()
        stored = upserter.upsert(session, rows, Origin("officer", envelope.id, run.id))

    assert len(stored) == 2
    with Session(engine) as session:
        officers = session.scalars(select(EnforcementOfficer).order_by(EnforcementOfficer.id)).all()
    assert [(o.qualifications, o.specialities, o.certified, o.status) for o in officers] == [
        ([], [], True, "active"),
        ([], [], True, "active"),
    ]
