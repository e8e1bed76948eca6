"""Intake: every complaint becomes a case (or joins one), routed or in triage; idempotent;
statuses flow back through the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hub.cases.handling import case_instance, fire_case
from hub.cases.intake import intake_pending, take_in
from hub.store.models.cases import Case, CaseComplaint
from hub.store.models.complaints import Complaint
from hub.store.models.exchange import OutboxMessage
from hub.workflow import Actor, MissingFields
from tests.unit.cases.complaints import RECEIVED, store_complaint

DISPATCHER = Actor("dispatcher.li", "SJZY-34", "officer")
HANDLER = Actor("officer.wang", "SCJG-340104", "officer")
OTHER = Actor("officer.zhou", "SCJG-340102", "officer")


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_every_complaint_is_taken_in_once_routed_or_triaged_never_dropped(
    engine: Engine,
) -> None:
    with Session(engine) as session, session.begin():
        store_complaint(session)  # routable
        store_complaint(session, category="其他", title="咨询公积金", content="如何提取公积金")
        store_complaint(session, region_code="350102", complainant_phone="13900002222")
        store_complaint(
            session,
            complainant_phone=None,
            complainant_name=None,
            target_uscc=None,
            title="反映某药店价格虚高",
            content="某药店未明码标价",
            category="市场监管/价格",
        )
    report = intake_pending(engine)
    assert (report.opened, report.merged, report.routed, report.triaged) == (4, 0, 1, 3)
    assert report.triage_reasons == {
        "no contact details": 1,
        "outside the province": 1,
        "unknown category": 1,
    }
    assert report.by_rule == {"market-supervision-by-area": 1}
    assert intake_pending(engine).opened == 0  # idempotent: nothing left to take in
    with Session(engine) as session:
        assert _count(session, CaseComplaint) == _count(session, Complaint) == 4
        states = sorted(
            case_instance(session, case).state for case in session.scalars(select(Case))
        )
        assert states == ["assigned", "triage", "triage", "triage"]
        digest = session.scalars(
            select(Complaint.complainant_phone_digest).order_by(Complaint.id)
        ).first()
        assert digest is not None and len(digest) == 64  # filled in by the intake


def test_a_repeat_from_another_source_joins_the_open_case(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        first = store_complaint(session)
        case = take_in(session, first)
        repeat = store_complaint(
            session,
            source="platform_12315",
            category="食品安全",
            title="某超市卖过期食品",
            content="在某超市买的食品过期了，要求核实处理退赔",
            complainant_phone="139 0000 1111",
            received_at=RECEIVED + timedelta(days=1),
        )
        assert take_in(session, repeat).id == case.id
        sources = session.scalars(
            select(Complaint.source)
            .join(CaseComplaint, CaseComplaint.complaint_id == Complaint.id)
            .where(CaseComplaint.case_id == case.id)
            .order_by(Complaint.id)
        ).all()
        assert sources == ["hotline_12345", "platform_12315"]


def test_statuses_flow_back_to_every_originating_system_once(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        case = take_in(session, store_complaint(session, source_number="AH250701000100"))
        national = store_complaint(
            session,
            source="national",
            source_number="GJ2026000001",
            received_at=RECEIVED + timedelta(hours=2),
        )
        take_in(session, national)  # merged into the 12345 case after its accept
        assert (national.status, national.handling_department_code) == ("dispatched", "SCJG-340104")
        late_caller = store_complaint(
            session,
            source_number="AH250701000177",
            complainant_phone="13900001111",
            received_at=RECEIVED + timedelta(hours=3),
        )
        take_in(session, late_caller)  # merged too: told the case was accepted
        fire_case(session, case, "start_handling", HANDLER)
        fire_case(session, case, "answer", HANDLER, fields={"answer": "已责令下架并退赔"})
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [(row.destination, row.payload["transition"]) for row in rows] == [
            ("hotline_12345", "accept"),
            ("hotline_12345", "accept"),  # the late caller's work order, on merging
            ("hotline_12345", "answer"),
            ("hotline_12345", "answer"),
        ]
        assert {row.payload["body"]["工单编号"] for row in rows[:2]} == {
            "AH250701000100",
            "AH250701000177",
        }
        assert rows[2].payload["body"] == {
            "工单编号": "AH250701000100",
            "status": "已回复",
            "answer": "已责令下架并退赔",
        }
        assert rows[2].event_type == "case.status" and rows[1].record_id is not None
        assert "13900001111" not in str([row.payload for row in rows])  # no personal data
        assert len({row.idempotency_key for row in rows}) == len(rows)
        # the national system's complaint carries the handling for the national push
        assert (national.status, national.answer, national.handling_department_code) == (
            "answered",
            "已责令下架并退赔",
            "SCJG-340104",
        )


def test_too_many_returns_send_a_case_to_manual_triage(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        case = take_in(session, store_complaint(session))
        for department in ("SCJG-340102", "SCJG-340103"):
            fire_case(session, case, "return_dispatch", _holder(session, case), reason="非本辖区")
            fire_case(
                session,
                case,
                "reassign",
                DISPATCHER,
                reason="改派",
                fields={"department_code": department},
            )
        fire_case(session, case, "return_dispatch", _holder(session, case), reason="非本辖区")
        assert case_instance(session, case).state == "triage"
        assert case.transfer_count == 3
        assert case.triage_reason == "too many transfers: returned 3 times (limit 2)"


def _holder(session: Session, case: Case) -> Actor:
    department = case_instance(session, case).department_code
    assert department is not None
    return Actor(f"officer@{department}", department, "officer")


def test_dispatching_to_an_unknown_department_is_refused(engine: Engine) -> None:
    from hub.catalog.errors import UnknownDepartment

    with Session(engine) as session, session.begin():
        case = take_in(session, store_complaint(session))
        fire_case(session, case, "return_dispatch", HANDLER, reason="非本部门职责")
        with pytest.raises(UnknownDepartment):
            fire_case(
                session,
                case,
                "reassign",
                DISPATCHER,
                reason="x",
                fields={"department_code": "XX-34"},
            )
        with pytest.raises(MissingFields, match="department_code: required"):
            fire_case(session, case, "reassign", DISPATCHER, reason="x")


def test_answer_visit_and_close_keep_the_case_in_step(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        case = take_in(session, store_complaint(session))
        fire_case(session, case, "start_handling", HANDLER)
        fire_case(session, case, "answer", HANDLER, fields={"answer": "已处理"})
        fire_case(session, case, "visit", DISPATCHER, fields={"satisfaction": "dissatisfied"})
        fire_case(session, case, "reopen", DISPATCHER, reason="来电人不满意")
        assert case.satisfaction is None
        fire_case(session, case, "answer", HANDLER, fields={"answer": "已再次核查并退赔"})
        fire_case(session, case, "visit", DISPATCHER, fields={"satisfaction": "satisfied"})
        fire_case(session, case, "close", DISPATCHER)
        assert (case.answer, case.satisfaction) == ("已再次核查并退赔", "satisfied")
        assert case.closed_at is not None
        with pytest.raises(Exception, match="cannot answer from 'closed'"):
            fire_case(session, case, "answer", OTHER, fields={"answer": "x"})


def test_a_complaint_without_a_region_takes_the_region_of_its_business(engine: Engine) -> None:
    from hub.store.models.entities import RegulatedEntity

    with Session(engine) as session, session.begin():
        session.add(
            RegulatedEntity(
                uscc="91340100MA2N0AAA0A",
                name="芜湖某超市有限公司",
                region_code="340202",
                content_hash="0" * 32,
            )
        )
        case = take_in(
            session,
            store_complaint(
                session, source="platform_12315", region_code=None, target_uscc="91340100MA2N0AAA0A"
            ),
        )
        assert case.region_code == "340202"
        assert case_instance(session, case).department_code == "SCJG-340202"
