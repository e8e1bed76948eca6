"""``hub collab``: the approvals intake and a campaign's status, on a migrated store."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from hub.cli.main import app
from hub.collaboration import campaigns
from hub.collaboration.campaigns import TaskDraft
from hub.errors import NotFoundError
from hub.store.base import Base
from hub.workflow import Actor
from tests.unit.collaboration.records import store_licensing

runner = CliRunner()
LEAD = Actor("officer.wang", "SCJG-3401", "officer")
SHUSHAN = Actor("officer.zhou", "SCJG-340104", "officer")


def _invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def test_the_collab_commands(engine: Engine) -> None:
    Base.metadata.drop_all(engine)
    _invoke("db", "upgrade")
    with (
        time_machine.travel(datetime(2026, 5, 11, 2, tzinfo=UTC), tick=False),
        Session(engine) as session,
        session.begin(),
    ):
        store_licensing(session)
        store_licensing(session, action_name="排污许可证核发", department_code="SThJ-3401")
        campaign = campaigns.create_campaign(
            session,
            name="校园周边食品安全专项整治",
            goal="排查",
            starts_on=date(2026, 5, 11),
            ends_on=date(2026, 5, 29),
            departments=["SCJG-340104", "SCJG-340102"],
            regions=["340104", "340102"],
            lead=LEAD,
            region_code="340100",
        )
        first, _ = campaigns.deploy_tasks(
            session,
            campaign,
            [
                TaskDraft("SCJG-340104", "340104", "蜀山区"),
                TaskDraft("SCJG-340102", "340102", "瑶海区"),
            ],
            LEAD,
        )
        campaigns.receive_task(session, first, SHUSHAN)
        campaigns.report_progress(session, first, SHUSHAN, progress_percent=40, content="推进")
        campaign_id = campaign.id

    intake = _invoke("collab", "approvals-intake")
    assert "opened 2 claim(s)" in intake
    assert "SCJG-340104: 1" in intake and "SThJ-3401: 1" in intake
    assert "opened 0 claim(s)" in _invoke("collab", "approvals-intake")

    with time_machine.travel(datetime(2026, 6, 1, 2, tzinfo=UTC), tick=False):
        status = _invoke("collab", "campaign-status", str(campaign_id))
    lines = {line.split("│")[1].strip(): line for line in status.splitlines() if "│" in line}
    assert "40%" in lines["SCJG-340104"] and "0%" in lines["SCJG-340102"]
    assert [cell.strip() for cell in lines["all"].split("│")[3:7]] == ["2", "0", "2", "0"]

    missing = runner.invoke(app, ["collab", "campaign-status", "999"])
    assert isinstance(missing.exception, NotFoundError) and "no campaign 999" in str(
        missing.exception
    )
