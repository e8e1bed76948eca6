"""审批联动: intake of granted reform-track licensing cases (idempotent), claims in the
responsible department, results queued for the platform. Runs on every engine."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hub.collaboration import approvals
from hub.collaboration.common import workflow_instance
from hub.errors import DataError
from hub.store.models.collaboration import ApprovalClaim
from hub.store.models.exchange import OutboxMessage
from hub.workflow import Actor, MissingFields, RoleRefused
from tests.unit.collaboration.records import store_licensing

MONDAY = datetime(2026, 5, 11, 2, 0, tzinfo=UTC)
SHUSHAN = Actor("officer.wang", "SCJG-340104", "officer")
TRANSPORT = Actor("officer.lu", "JTYS-3401", "officer")
DISPATCHER = Actor("dispatcher.li", "SJZY-34", "officer")


def _claims(engine: Engine) -> list[ApprovalClaim]:
    with Session(engine) as session:
        return list(session.scalars(select(ApprovalClaim).order_by(ApprovalClaim.id)))


def test_intake_claims_granted_reform_track_cases_once(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        store_licensing(session)
        store_licensing(session, licence_kind="ordinary")
        store_licensing(session, decision=None)
        store_licensing(session, decision="refused")
        store_licensing(
            session,
            action_name="道路货物运输经营许可",
            department_code="JTYS-3401",
            licence_kind="licence_after_registration",
        )

    first = approvals.take_new_licensing_events(engine, now=MONDAY)
    again = approvals.take_new_licensing_events(engine, now=MONDAY)

    assert first == {"opened": 2, "by_department": {"JTYS-3401": 1, "SCJG-340104": 1}}
    assert again == {"opened": 0, "by_department": {}}
    food, freight = _claims(engine)
    assert (food.department_code, food.rule) == ("SCJG-340104", "approval")
    assert (freight.department_code, freight.licence_kind) == (
        "JTYS-3401",
        "licence_after_registration",
    )
    with Session(engine) as session:
        instance = workflow_instance(session, "approval_claim", "approval_claim", food.id)
        assert (instance.state, instance.attributes) == (
            "pending",
            {"licence_kind": "notification_commitment"},
        )


def test_a_supervision_result_is_published_and_queued_for_the_platform(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        store_licensing(session)
    approvals.take_new_licensing_events(engine, now=MONDAY)
    with Session(engine) as session, session.begin():
        claim = session.scalars(select(ApprovalClaim)).one()
        approvals.fire_claim(session, claim, "claim", SHUSHAN, expected_state="pending")
        with pytest.raises(MissingFields, match="not in supervision_results"):
            approvals.report_supervision(session, claim, SHUSHAN, result="fine")
        approvals.report_supervision(
            session, claim, SHUSHAN, result="no_problem", note="现场核查与承诺一致", now=MONDAY
        )
        assert claim.published_at == claim.supervised_at is not None
        queued = session.scalars(select(OutboxMessage)).one()
        assert (queued.destination, queued.event_type) == (
            "government_services",
            "approval.supervision_result",
        )
        assert queued.payload["body"] == {
            "case_number": claim.action_number,
            "entity_uscc": "91350100M000100Y43",
            "department_code": "SCJG-340104",
            "supervised_at": "2026-05-11T10:00:00+08:00",
            "result": "未发现问题",
            "note": "现场核查与承诺一致",
        }


def test_a_wrong_routing_is_returned_and_rerouted_by_the_dispatching_centre(
    engine: Engine,
) -> None:
    with Session(engine) as session, session.begin():
        store_licensing(session)
    approvals.take_new_licensing_events(engine, now=MONDAY)
    with Session(engine) as session, session.begin():
        claim = session.scalars(select(ApprovalClaim)).one()
        with pytest.raises(RoleRefused):
            approvals.fire_claim(session, claim, "claim", TRANSPORT)
        approvals.fire_claim(session, claim, "return_claim", SHUSHAN, reason="实际经营道路运输")
        approvals.fire_claim(
            session, claim, "reroute", DISPATCHER, reason="改派交通", department_code="JTYS-3401"
        )
        assert claim.department_code == "JTYS-3401"
        approvals.fire_claim(session, claim, "claim", TRANSPORT)
        with pytest.raises(DataError, match="with its result"):
            approvals.fire_claim(session, claim, "report_result", TRANSPORT)
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
