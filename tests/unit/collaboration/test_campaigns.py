"""专项整治: tasks per department and region, progress and results, the completion view, and
the campaign's end as the tasks' deadline. Runs on every engine."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.collaboration import campaigns
from hub.collaboration.campaigns import TaskDraft
from hub.collaboration.common import workflow_instance
from hub.errors import DataError
from hub.store.models.collaboration import Campaign, CampaignReport, CampaignTask
from hub.workflow import Actor
from hub.workflow.timing import aware

MONDAY = datetime(2026, 5, 11, 2, 0, tzinfo=UTC)
LEAD = Actor("leader.chen", "SCJG-3401", "officer")
SHUSHAN = Actor("officer.wang", "SCJG-340104", "officer")
ECOLOGY = Actor("officer.li", "SThJ-3401", "officer")


def _campaign(session: Session) -> Campaign:
    return campaigns.create_campaign(
        session,
        name="校园周边食品安全专项整治",
        goal="排查校园周边食品经营者",
        starts_on=date(2026, 5, 11),
        ends_on=date(2026, 6, 30),
        departments=["SCJG-340104", "SCJG-340102", "SThJ-3401"],
        regions=["340104", "340102"],
        lead=LEAD,
        region_code="340100",
        now=MONDAY,
    )


def _deployed(session: Session) -> tuple[Campaign, list[CampaignTask]]:
    campaign = _campaign(session)
    tasks = campaigns.deploy_tasks(
        session,
        campaign,
        [
            TaskDraft("SCJG-340104", "340104", "排查蜀山区学校周边"),
            TaskDraft("SCJG-340102", "340102", "排查瑶海区学校周边"),
            TaskDraft("SThJ-3401", "340104", "检查餐饮油烟"),
        ],
        LEAD,
        now=MONDAY,
    )
    return campaign, tasks


def test_a_received_task_is_due_at_the_end_of_the_campaign(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        campaign, tasks = _deployed(session)
        instance = workflow_instance(session, "campaign_task", "campaign_task", tasks[0].id)
        assert instance.state == "deployed" and instance.due_at is not None
        campaigns.receive_task(session, tasks[0], SHUSHAN, expected_state="deployed")
        assert aware(instance.due_at) == datetime(2026, 6, 30, 15, 59, 59, tzinfo=UTC)
        assert campaigns.campaign_deadline(campaign) == aware(instance.due_at)


def test_progress_reported_many_times_then_the_result(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        campaign, tasks = _deployed(session)
        task = tasks[0]
        campaigns.receive_task(session, task, SHUSHAN)
        campaigns.report_progress(session, task, SHUSHAN, progress_percent=30, content="已排查12家")
        campaigns.report_progress(session, task, SHUSHAN, progress_percent=60, content="已排查25家")
        instance = workflow_instance(session, "campaign_task", "campaign_task", task.id)
        assert (instance.state, task.progress_percent) == ("in_progress", 60)
        assert aware(instance.due_at) == campaigns.campaign_deadline(campaign)  # type: ignore[arg-type]
        campaigns.report_result(session, task, SHUSHAN, result="排查40家，责令整改3家")
        assert instance.state == "completed" and task.progress_percent == 100
        kinds = session.scalars(select(CampaignReport.kind).order_by(CampaignReport.id)).all()
        assert kinds == ["progress", "progress", "result"]


def test_progress_only_from_the_department_once_received(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        _, tasks = _deployed(session)
        with pytest.raises(DataError, match="deployed"):
            campaigns.report_progress(session, tasks[0], SHUSHAN, progress_percent=10, content="x")
        campaigns.receive_task(session, tasks[0], SHUSHAN)
        campaigns.report_progress(session, tasks[0], SHUSHAN, progress_percent=10, content="x")
        with pytest.raises(DataError):
            campaigns.report_progress(session, tasks[0], ECOLOGY, progress_percent=20, content="y")
        with pytest.raises(DataError, match="100 is reported as the result"):
            campaigns.report_progress(session, tasks[0], SHUSHAN, progress_percent=100, content="z")


def test_tasks_only_for_the_campaigns_departments_and_regions_once_each(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        campaign, _ = _deployed(session)
        with pytest.raises(DataError) as refused:
            campaigns.deploy_tasks(
                session,
                campaign,
                [
                    TaskDraft("WSJK-3401", "340104", "x"),
                    TaskDraft("SCJG-340104", "340111", "x"),
                    TaskDraft("SCJG-340102", "340102", "x"),
                    TaskDraft("SCJG-340104", "340102", "x"),
                ],
                LEAD,
            )
        message = str(refused.value)
        assert "WSJK-3401: not a department" in message
        assert "340111: not in the campaign's regions" in message
        assert "SCJG-340102 in 340102: deployed already" in message
        assert "340102: outside the area of SCJG-340104" in message


def test_a_campaign_ends_after_it_starts_and_stays_in_the_leads_region(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        with pytest.raises(DataError, match="before starts_on"):
            campaigns.create_campaign(
                session,
                name="n",
                goal="g",
                starts_on=date(2026, 6, 1),
                ends_on=date(2026, 5, 1),
                departments=["SCJG-340104"],
                regions=["340104"],
                lead=LEAD,
                region_code="340100",
            )
        with pytest.raises(DataError, match="outside the lead's region"):
            campaigns.create_campaign(
                session,
                name="n",
                goal="g",
                starts_on=date(2026, 5, 1),
                ends_on=date(2026, 6, 1),
                departments=["SCJG-340104"],
                regions=["340204"],
                lead=LEAD,
                region_code="340100",
            )


def test_the_completion_view_counts_done_late_and_progress(engine: Engine) -> None:
    after_the_end = datetime(2026, 7, 2, 2, tzinfo=UTC)
    with Session(engine) as session, session.begin():
        campaign, tasks = _deployed(session)
        campaigns.receive_task(session, tasks[0], SHUSHAN, now=MONDAY)
        campaigns.report_progress(
            session, tasks[0], SHUSHAN, progress_percent=50, content="过半", now=MONDAY
        )
        campaigns.report_result(session, tasks[0], SHUSHAN, result="完成", now=MONDAY)
        campaigns.receive_task(session, tasks[2], ECOLOGY, now=MONDAY)
        campaigns.report_progress(
            session, tasks[2], ECOLOGY, progress_percent=40, content="推进", now=MONDAY
        )

        rows = {
            (row.department_code, row.region_code): row
            for row in campaigns.completion(session, campaign, now=after_the_end)
        }
        done = rows[("SCJG-340104", "340104")]
        assert (done.tasks, done.completed, done.late, done.progress_percent) == (1, 1, 0, 100)
        open_late = rows[("SThJ-3401", "340104")]
        assert (open_late.completed, open_late.late, open_late.progress_percent) == (0, 1, 40)
        never_received = rows[("SCJG-340102", "340102")]
        assert (never_received.late, never_received.progress_percent) == (1, 0)
