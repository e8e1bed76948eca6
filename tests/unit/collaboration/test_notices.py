"""抄告抄送: a notice per recipient on the engine; results fed back to the sender, each and
all. Runs on every engine."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.catalog.errors import UnknownDepartment
from hub.collaboration import notices
from hub.errors import DataError, NotFoundError
from hub.store.models.collaboration import CollaborationFeedback, Notice, NoticeRecipient
from hub.store.models.workflow import WorkflowTransition
from hub.workflow import Actor, MissingFields, RoleRefused
from tests.unit.collaboration.records import store_inspection

MONDAY = datetime(2026, 5, 11, 2, 0, tzinfo=UTC)
SENDER = Actor("officer.wang", "SCJG-3401", "officer")
ECOLOGY = Actor("officer.li", "SThJ-3401", "officer")
SAFETY = Actor("officer.sun", "YJGL-3401", "officer")


def _sent(session: Session) -> Notice:
    inspection = store_inspection(session)
    origin = notices.find_origin(session, "inspection", inspection.action_number)
    return notices.send_notice(
        session,
        origin,
        title="检查发现疑似非法排污",
        content="企业后院有排污管道直通河道",
        recipients=["SThJ-3401", "YJGL-3401"],
        sender=SENDER,
        now=MONDAY,
    )


def _recipient(session: Session, notice: Notice, department: str) -> NoticeRecipient:
    return session.scalars(
        select(NoticeRecipient).where(
            NoticeRecipient.notice_id == notice.id, NoticeRecipient.department_code == department
        )
    ).one()


def test_each_recipient_holds_its_own_instance_with_a_receipt_deadline(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        notice = _sent(session)
        standing = notices.recipient_instances(session, notice)
        assert [(r.department_code, i.state, i.department_code) for r, i in standing] == [
            ("SThJ-3401", "sent", "SThJ-3401"),
            ("YJGL-3401", "sent", "YJGL-3401"),
        ]
        assert all(i.due_at is not None and i.region_code == "340104" for _, i in standing)


def test_the_sender_is_told_each_result_then_that_everyone_reported(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        notice = _sent(session)
        ecology = _recipient(session, notice, "SThJ-3401")
        safety = _recipient(session, notice, "YJGL-3401")
        notices.fire_recipient(session, ecology, "receive", ECOLOGY, expected_state="sent")
        notices.fire_recipient(session, ecology, "start_handling", ECOLOGY)
        notices.fire_recipient(session, ecology, "report", ECOLOGY, result="已立案调查")
        assert notice.feedback_at is None
        notices.fire_recipient(session, safety, "receive", SAFETY)
        notices.fire_recipient(session, safety, "report", SAFETY, result="不涉及危化品")

        feedback = session.scalars(
            select(CollaborationFeedback).order_by(CollaborationFeedback.id)
        ).all()
        assert [(f.kind, f.to_department, f.from_department) for f in feedback] == [
            ("notice_result", "SCJG-3401", "SThJ-3401"),
            ("notice_result", "SCJG-3401", "YJGL-3401"),
            ("notice_completed", "SCJG-3401", None),
        ]
        assert feedback[2].details["results"] == {
            "SThJ-3401": "已立案调查",
            "YJGL-3401": "不涉及危化品",
        }
        assert notice.feedback_at is not None
        steps = session.scalars(select(WorkflowTransition.transition)).all()
        assert steps.count("report") == 2


def test_only_the_recipient_acts_and_a_result_is_required(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        notice = _sent(session)
        ecology = _recipient(session, notice, "SThJ-3401")
        with pytest.raises(RoleRefused):
            notices.fire_recipient(session, ecology, "receive", SAFETY)
        notices.fire_recipient(session, ecology, "receive", ECOLOGY)
        with pytest.raises(MissingFields, match="result: required"):
            notices.fire_recipient(session, ecology, "report", ECOLOGY, result="  ")


def test_a_notice_needs_a_known_origin_and_other_known_departments(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        inspection = store_inspection(session)
        origin = notices.find_origin(session, "inspection", inspection.action_number)
        with pytest.raises(NotFoundError):
            notices.find_origin(session, "case", "NO-SUCH-CASE")
        with pytest.raises(DataError, match="origin_type"):
            notices.find_origin(session, "penalty", inspection.action_number)
        with pytest.raises(DataError, match="sender itself"):
            notices.send_notice(
                session, origin, title="t", content="c", recipients=["SCJG-3401"], sender=SENDER
            )
        with pytest.raises(UnknownDepartment):
            notices.send_notice(
                session, origin, title="t", content="c", recipients=["XXXX-3401"], sender=SENDER
            )
        with pytest.raises(DataError, match="title: required"):
            notices.send_notice(
                session, origin, title=" ", content="c", recipients=["SThJ-3401"], sender=SENDER
            )


def test_a_recipient_outside_the_origins_area_files_it_under_its_own(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        inspection = store_inspection(session)  # in 340104 (蜀山区)
        origin = notices.find_origin(session, "inspection", inspection.action_number)
        notice = notices.send_notice(
            session,
            origin,
            title="跨区线索",
            content="经营者在瑶海区另有仓库",
            recipients=["SCJG-340102", "SThJ-3401"],
            sender=SENDER,
        )
        regions = {
            r.department_code: i.region_code
            for r, i in notices.recipient_instances(session, notice)
        }
        assert regions == {"SCJG-340102": "340102", "SThJ-3401": "340104"}
