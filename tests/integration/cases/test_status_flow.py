"""Statuses flow back for real: complaints pulled from the 12345 (REST) and 12315 (SOAP)
simulators become cases, and their accepted and answered states reach the simulators, once
each; the handling of a complaint the national system assigned reaches the national
simulator in the signed push."""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.cases.handling import case_instance, fire_case
from hub.cases.intake import intake_pending, take_in
from hub.exchange.channels import default_registry
from hub.exchange.dispatch import dispatch_outbox
from hub.exchange.runner import run_channel
from hub.national.push import push
from hub.store.models.cases import Case, CaseComplaint
from hub.store.models.complaints import Complaint
from hub.workflow import Actor
from simulators.hotline_12345 import Credentials, HotlineSimulator
from simulators.platform_12315 import RunningPlatform12315
from simulators.registry import SimulatorOptions, start_simulator
from tests.integration.national.support import national
from tests.unit.cases.complaints import store_complaint

KEY = "k3y-of-the-case-status-tests-91c0"
ORDERS = 6


@pytest.fixture
def hotline(monkeypatch: pytest.MonkeyPatch) -> Iterator[HotlineSimulator]:
    simulator = HotlineSimulator(
        SimulatorOptions(seed=5), orders=ORDERS, credentials=Credentials(api_key=KEY)
    )
    monkeypatch.setenv("HUB_HOTLINE_12345_URL", simulator.url)
    monkeypatch.setenv("HUB_HOTLINE_12345_KEY", KEY)
    yield simulator
    simulator.stop()


def test_accepted_and_answered_states_reach_the_hotline_once(
    engine: Engine, hotline: HotlineSimulator
) -> None:
    registry = default_registry()
    run_channel(engine, registry.get("hotline_12345"), subscribers=registry.subscribers)
    report = intake_pending(engine)
    assert report.opened + report.merged == ORDERS
    with Session(engine) as session, session.begin():
        case, number = session.execute(
            select(Case, Complaint.source_number)
            .join(CaseComplaint, CaseComplaint.case_id == Case.id)
            .join(Complaint, Complaint.id == CaseComplaint.complaint_id)
            .where(Case.routing_rule.is_not(None))
            .order_by(Case.id)
            .limit(1)
        ).one()
        holder = case_instance(session, case).department_code
        assert holder is not None
        officer = Actor("officer", holder, "officer")
        fire_case(session, case, "start_handling", officer)
        fire_case(session, case, "answer", officer, fields={"answer": "经核查已责令整改并答复"})

    first = dispatch_outbox(engine, registry, destination="hotline_12345")
    tally = first.destinations["hotline_12345"]
    assert (tally.sent, tally.rejected, tally.dead, tally.error) == (report.routed + 1, 0, 0, None)
    order = hotline.book.orders[number]
    assert (order["工单状态"], order["答复内容"]) == ("已回复", "经核查已责令整改并答复")
    assert dispatch_outbox(engine, registry, destination="hotline_12345").destinations == {}


def test_an_answer_reaches_12315_as_a_handling_result_over_soap(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    simulator = cast(RunningPlatform12315, start_simulator("platform_12315", SimulatorOptions()))
    try:
        for name, value in simulator.environment.items():
            monkeypatch.setenv(name, value)
        registry = default_registry()
        run_channel(engine, registry.get("platform_12315"), subscribers=registry.subscribers)
        intake_pending(engine)
        with Session(engine) as session, session.begin():
            # 12315 complaints name a business, not a place: with no entity library here,
            # they wait in triage until the dispatching centre accepts and assigns them
            case, number = session.execute(
                select(Case, Complaint.source_number)
                .join(CaseComplaint, CaseComplaint.case_id == Case.id)
                .join(Complaint, Complaint.id == CaseComplaint.complaint_id)
                .where(Complaint.source == "platform_12315")
                .order_by(Case.id)
                .limit(1)
            ).one()
            assert case_instance(session, case).state == "triage"
            dispatcher = Actor("dispatcher", "SJZY-34", "officer")
            fire_case(session, case, "accept", dispatcher, expected_state="triage")
            assignment = {"department_code": "SCJG-340104"}
            fire_case(session, case, "assign", dispatcher, fields=assignment)
            officer = Actor("officer", "SCJG-340104", "officer")
            fire_case(session, case, "start_handling", officer)
            fire_case(session, case, "answer", officer, fields={"answer": "调解成功，商家退款"})
        report = dispatch_outbox(engine, registry, destination="platform_12315")
    finally:
        simulator.stop()
    tally = report.destinations["platform_12315"]
    assert (tally.sent, tally.rejected, tally.dead, tally.error) == (2, 0, 0, None)
    results = [
        effect["result"] for effect in simulator.platform.effects if effect["number"] == number
    ]
    assert results == ["受理", "已答复：调解成功，商家退款"]


def test_the_handling_of_a_national_complaint_reaches_the_national_system(
    engine: Engine,
) -> None:
    with Session(engine) as session, session.begin():
        complaint = store_complaint(session, source="national", source_number="GJ2026050001")
        case = take_in(session, complaint)
        holder = case_instance(session, case).department_code
        assert holder == "SCJG-340104"
        officer = Actor("officer", holder, "officer")
        fire_case(session, case, "start_handling", officer)
        fire_case(session, case, "answer", officer, fields={"answer": "已责令下架并退赔"})

    with national() as simulator:
        report = push(engine)
        sent = simulator.store.current[("complaint_handling", "GJ2026050001")]
    assert report.accepted == 1
    assert sent is not None
    assert (sent["status"], sent["answer"], sent["handling_department_code"]) == (
        "answered",
        "已责令下架并退赔",
        "SCJG-340104",
    )
    assert "13900001111" not in str(sent)  # never the complainant


def test_a_complaint_not_accepted_tells_its_source_the_legal_ground_and_the_reason(
    engine: Engine,
) -> None:
    from hub.store.models.exchange import OutboxMessage

    with Session(engine) as session, session.begin():
        complaint = store_complaint(session, category="其他/不明", title="咨询", content="咨询事项")
        case = take_in(session, complaint)
        assert case_instance(session, case).state == "triage"
        dispatcher = Actor("dispatcher", "SJZY-34", "officer")
        fire_case(
            session, case, "not_accept", dispatcher, reason="属于劳动争议",
            fields={"legal_ground": "outside_remit"},
        )  # fmt: skip
    with Session(engine) as session:
        told = session.scalars(
            select(OutboxMessage).where(OutboxMessage.destination == "hotline_12345")
        ).all()
    expected = "不属于受理范围或本部门职责：属于劳动争议"
    assert len(told) == 1 and expected in str(told[0].payload["body"])
