"""``hub cases``: intake, the routing table and one case's explanation, the deadline check and
the statistics, on a migrated store."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from hub.cli.main import app
from hub.store.base import Base
from hub.store.models.cases import Case
from tests.unit.cases.complaints import store_complaint

runner = CliRunner()


def _invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def test_the_cases_commands(engine: Engine) -> None:
    Base.metadata.drop_all(engine)
    _invoke("db", "upgrade")
    with Session(engine) as session, session.begin():
        store_complaint(session)
        store_complaint(session, category="其他", title="咨询公积金", content="如何提取公积金")

    with time_machine.travel(datetime(2026, 5, 11, 3, tzinfo=UTC), tick=False):
        intake = _invoke("cases", "intake")
        assert "opened 2 case(s), merged 0 complaint(s); routed 1, to triage 1" in intake
        assert "triage: unknown category: 1" in intake
        assert "opened 0 case(s)" in _invoke("cases", "intake")

        table = _invoke("cases", "route")
        assert "market-supervision-by-area" in table and "triage: unknown category" in table
        with Session(engine) as session:
            routed = session.scalars(
                select(Case.tracking_no).where(Case.routing_rule.is_not(None))
            ).one()
        explained = _invoke("cases", "route", "--explain", routed)
        assert "routed to SCJG-340104 (SCJG at county level)" in explained

    with time_machine.travel(datetime(2026, 5, 20, 3, tzinfo=UTC), tick=False):
        checked = _invoke("cases", "check-deadlines")
        assert "2 instance(s)" in checked and "escalation(s) sent" in checked
        assert "0 reminder(s), 0 escalation(s) sent" in _invoke("cases", "check-deadlines")

    stats = _invoke("cases", "stats", "--by", "category")
    assert "food_safety" in stats and "all" in stats
    refused = runner.invoke(app, ["cases", "stats", "--by", "colour"])
    assert refused.exit_code != 0
