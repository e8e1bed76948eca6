"""``hub national``: push, rejections, replay, reconcile (exit 1 while differences remain),
pull, on a store built by the migrations."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from hub.cli.main import app
from hub.store.base import Base
from hub.store.models.actions import Inspection
from hub.store.models.national import NationalBatch
from standards.codes.uscc import uscc_check_character
from tests.integration.national.support import national, seed

runner = CliRunner()


def test_push_rejections_replay_reconcile_and_pull(sqlite_engine: Engine) -> None:
    Base.metadata.drop_all(sqlite_engine)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    seed(sqlite_engine, inspections=3)
    with Session(sqlite_engine) as session, session.begin():
        acted = session.scalar(select(Inspection.acted_at).limit(1))
        session.execute(
            update(Inspection)
            .where(Inspection.action_number == "JC-000002")
            .values(reported_at=acted)
        )
    with national() as simulator:
        pushed = runner.invoke(app, ["national", "push"])
        assert pushed.exit_code == 1 and "rejected 1" in pushed.output, pushed.output

        listed = runner.invoke(app, ["national", "rejections"])
        assert "JC-000002" in listed.output and "reported_at" in listed.output

        assert runner.invoke(app, ["national", "replay"]).exit_code == 2
        unknown = runner.invoke(app, ["national", "replay", "NO-SUCH-KEY"])
        assert unknown.exit_code == 2 and "no rejected national record" in unknown.output

        agreed = runner.invoke(app, ["national", "reconcile", "--all"])
        assert agreed.exit_code == 0 and "agrees" in agreed.output, agreed.output
        assert runner.invoke(app, ["national", "reconcile", "2020-01-01"]).exit_code == 0

        with Session(sqlite_engine) as session:
            day = session.scalars(select(NationalBatch.batch_day)).first()
        assert isinstance(day, date)
        simulator.store._by_day[("inspection", day)].add("JC-UNKNOWN")  # never sent by the hub
        differing = runner.invoke(app, ["national", "reconcile", day.isoformat()])
        assert differing.exit_code == 1 and "differs" in differing.output
        assert "not accepted at the hub: JC-UNKNOWN" in differing.output

        uscc = "91340100MA2N00000"
        pulled = runner.invoke(app, ["national", "pull", uscc + uscc_check_character(uscc)])
        assert pulled.exit_code == 0 and "outside the province" in pulled.output
        bad = runner.invoke(app, ["national", "pull", "123"])
        assert bad.exit_code == 2 and "not a valid 统一社会信用代码" in bad.output
