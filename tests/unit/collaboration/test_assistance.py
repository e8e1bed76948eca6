"""协查协办: accepted or declined with a reason, a result, the requester told each time."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.collaboration import assistance
from hub.errors import DataError
from hub.store.models.collaboration import AssistanceRequest, CollaborationFeedback
from hub.workflow import Actor, MissingFields, TransitionRefused

REQUESTER = Actor("officer.wang", "SCJG-340104", "officer")


def _requested(session: Session) -> AssistanceRequest:
    return assistance.request_assistance(
        session,
        department_code="SThJ-3401",
        subject="协查企业排污许可情况",
        content="请核实该企业是否持有有效排污许可证",
        requester=REQUESTER,
        entity_uscc="91350100M000100Y43",
    )


def _told(session: Session) -> list[tuple[str, str, str]]:
    rows = session.scalars(select(CollaborationFeedback).order_by(CollaborationFeedback.id))
    return [(row.kind, row.to_department, row.message) for row in rows]


def test_accepted_then_completed_and_the_requester_told_both(engine: Engine) -> None:
    helper = Actor("officer.li", "SThJ-3401", "officer")
    with Session(engine) as session, session.begin():
        request = _requested(session)
        assert request.region_code == "340100"
        assistance.fire_assistance(session, request, "accept", helper, expected_state="requested")
        assistance.fire_assistance(session, request, "complete", helper, result="持有有效许可证")
        assert request.result == "持有有效许可证"
        told = _told(session)
        assert [(kind, to) for kind, to, _ in told] == [
            ("assistance_accepted", "SCJG-340104"),
            ("assistance_completed", "SCJG-340104"),
        ]
        assert told[1][2].endswith("：持有有效许可证")


def test_a_decline_needs_its_reason_which_the_requester_reads(engine: Engine) -> None:
    helper = Actor("officer.li", "SThJ-3401", "officer")
    with Session(engine) as session, session.begin():
        request = _requested(session)
        with pytest.raises(MissingFields, match="reason: required"):
            assistance.fire_assistance(session, request, "decline", helper)
        assistance.fire_assistance(session, request, "decline", helper, reason="不属于本部门职责")
        assert request.decline_reason == "不属于本部门职责"
        assert _told(session)[0][0] == "assistance_declined"
        with pytest.raises(TransitionRefused):
            assistance.fire_assistance(session, request, "complete", helper, result="x")


def test_a_department_cannot_ask_itself(engine: Engine) -> None:
    with Session(engine) as session, session.begin(), pytest.raises(DataError, match="its own"):
        assistance.request_assistance(
            session, department_code="SCJG-340104", subject="s", content="c", requester=REQUESTER
        )
