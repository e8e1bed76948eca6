"""Collaboration time limits on a frozen clock, counted in working days across the Spring
Festival of 2026 (15-23 February off; Saturday 14 February a make-up working day): late
receipts and answers are escalated (督办) by the engine's hourly check, once each."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.collaboration import approvals, assistance, campaigns, notices
from hub.collaboration.campaigns import TaskDraft
from hub.collaboration.common import workflow_instance
from hub.store.models.collaboration import ApprovalClaim, Campaign
from hub.store.models.workflow import WorkflowAlert
from hub.workflow import Actor
from hub.workflow.deadlines import check_time_limits
from hub.workflow.timing import aware
from tests.unit.collaboration.records import store_inspection, store_licensing

BEIJING = ZoneInfo("Asia/Shanghai")
SENDER = Actor("officer.wang", "SCJG-3401", "officer")
ECOLOGY = Actor("officer.li", "SThJ-3401", "officer")


def beijing(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=BEIJING)


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(beijing(date(2026, 2, 13)), tick=False) as frozen:
        yield frozen


def _alerts(engine: Engine) -> list[tuple[str, int, str | None]]:
    with Session(engine) as session:
        rows = session.scalars(select(WorkflowAlert).order_by(WorkflowAlert.id))
        return [(row.kind, row.level, row.addressee_department) for row in rows]


def test_an_unanswered_request_is_escalated_after_the_holiday_not_during_it(
    engine: Engine, clock: time_machine.Coordinates
) -> None:
    with Session(engine) as session, session.begin():
        request = assistance.request_assistance(
            session, department_code="SThJ-3401", subject="协查", content="请核实", requester=SENDER
        )
        instance = workflow_instance(session, "assistance", "assistance", request.id)
        # two working days: Saturday the 14th (make-up day), then Tuesday the 24th
        last_minute = beijing(date(2026, 2, 24), 23).replace(minute=59, second=59)
        assert instance.due_at is not None and aware(instance.due_at) == last_minute

    clock.move_to(beijing(date(2026, 2, 20)))
    check_time_limits(engine=engine)
    assert _alerts(engine) == [("reminder", 1, "SThJ-3401")]

    clock.move_to(beijing(date(2026, 2, 24), 18))
    check_time_limits(engine=engine)
    assert [kind for kind, _, _ in _alerts(engine)] == ["reminder"]

    clock.move_to(beijing(date(2026, 2, 25), 9))
    check_time_limits(engine=engine)
    check_time_limits(engine=engine)
    assert _alerts(engine) == [("reminder", 1, "SThJ-3401"), ("escalation", 1, "SJZY-34")]


def test_a_notice_not_signed_for_is_escalated_and_a_signed_one_is_not(
    engine: Engine, clock: time_machine.Coordinates
) -> None:
    with Session(engine) as session, session.begin():
        inspection = store_inspection(session)
        origin = notices.find_origin(session, "inspection", inspection.action_number)
        notice = notices.send_notice(
            session,
            origin,
            title="线索",
            content="内容",
            recipients=["SThJ-3401", "YJGL-3401"],
            sender=SENDER,
        )
        ecology = next(r for r, _ in notices.recipient_instances(session, notice))
        notices.fire_recipient(session, ecology, "receive", ECOLOGY)

    clock.move_to(beijing(date(2026, 2, 24)))
    report = check_time_limits(engine=engine)

    assert report["escalations"] == 1
    with Session(engine) as session:
        late = session.scalars(
            select(WorkflowAlert).where(WorkflowAlert.kind == "escalation")
        ).one()
        assert (late.department_code, late.state) == ("YJGL-3401", "sent")


def test_a_campaign_task_still_open_after_the_campaign_is_escalated(
    engine: Engine, clock: time_machine.Coordinates
) -> None:
    with Session(engine) as session, session.begin():
        campaign = campaigns.create_campaign(
            session,
            name="春节市场专项整治",
            goal="节日市场秩序",
            starts_on=date(2026, 2, 13),
            ends_on=date(2026, 2, 27),
            departments=["SThJ-3401"],
            regions=["340100"],
            lead=SENDER,
            region_code="340100",
        )
        (task,) = campaigns.deploy_tasks(
            session, campaign, [TaskDraft("SThJ-3401", "340104", "检查")], SENDER
        )
        campaigns.receive_task(session, task, ECOLOGY)
        campaign_id = campaign.id

    clock.move_to(beijing(date(2026, 2, 27), 12))
    check_time_limits(engine=engine)
    assert _alerts(engine) == [("reminder", 1, "SThJ-3401")]

    clock.move_to(beijing(date(2026, 2, 28), 9))
    check_time_limits(engine=engine)
    assert ("escalation", 1, "SJZY-34") in _alerts(engine)
    with Session(engine) as session:
        (row,) = campaigns.completion(session, session.get_one(Campaign, campaign_id))
        assert (row.late, row.escalated) == (1, 1)


def test_a_claim_not_claimed_in_time_is_escalated_and_a_claimed_one_is_not(
    engine: Engine, clock: time_machine.Coordinates
) -> None:
    with Session(engine) as session, session.begin():
        store_licensing(session, action_number="ZWFW-LATE")
        store_licensing(session, action_number="ZWFW-CLAIMED")
    assert approvals.take_new_licensing_events(engine)["opened"] == 2
    with Session(engine) as session, session.begin():
        claims = {c.action_number: c for c in session.scalars(select(ApprovalClaim))}
        # three working days to claim: the make-up Saturday, then the 24th and the 25th
        pending = workflow_instance(
            session, "approval_claim", "approval_claim", claims["ZWFW-LATE"].id
        )
        last_minute = beijing(date(2026, 2, 25), 23).replace(minute=59, second=59)
        assert pending.due_at is not None and aware(pending.due_at) == last_minute
        pending_id = pending.id
        claimed = claims["ZWFW-CLAIMED"]
        holder = Actor("officer.zhou", claimed.department_code, "officer")
        approvals.fire_claim(session, claimed, "claim", holder)

    clock.move_to(beijing(date(2026, 2, 25), 18))
    check_time_limits(engine=engine)
    assert [kind for kind, _, _ in _alerts(engine)] == ["reminder"]  # still in time

    clock.move_to(beijing(date(2026, 2, 26), 9))
    check_time_limits(engine=engine)
    check_time_limits(engine=engine)
    with Session(engine) as session:
        late = session.scalars(
            select(WorkflowAlert).where(WorkflowAlert.kind == "escalation")
        ).one()
        assert (late.instance_id, late.state, late.level) == (pending_id, "pending", 1)
        assert late.addressee_department == "SJZY-34"
