"""The set-based intake decides what taking complaints in one by one decides, writes every
transition and merge to the audit chain, and its bulk writers refuse what their single forms
refuse, writing nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hub.audit import AuditEntry, AuditRecord, append_many, default_anchor, verify
from hub.cases.handling import SUBJECT, WORKFLOW
from hub.cases.intake import intake_pending, take_in
from hub.store.models.cases import Case, CaseComplaint
from hub.store.models.complaints import Complaint
from hub.store.models.exchange import OutboxMessage
from hub.store.models.workflow import WorkflowInstance, WorkflowTransition
from hub.workflow import Actor, RoleRefused, TransitionRefused, load_workflow
from hub.workflow.engine import NewInstance, Step, start_many
from hub.workflow.timing import aware, state_deadline
from tests.unit.cases.complaints import RECEIVED, store_complaint

APART = timedelta(days=90)  # two batches this far apart never merge (window: 30 days)


def _batch(session: Session, tag: str, start: datetime) -> list[Complaint]:
    """Complaints with repeats by phone, business and address, within the batch and across
    sources, and some that can only go to triage."""
    hour = timedelta(hours=1)
    specs: list[dict[str, Any]] = [
        {"complainant_phone": "13900001111"},
        {"complainant_phone": "13900001111", "title": "某超市卖过期食品", "source": "national"},
        {"complainant_phone": "13900002222", "target_uscc": "91340100MA2N0AAA0A"},
        {
            "complainant_phone": "13900003333",
            "target_uscc": "91340100MA2N0AAA0A",
            "title": "某超市出售过期食品",
        },
        {"complainant_phone": "13900004444", "address": "合肥市蜀山区长江西路100号"},
        {
            "complainant_phone": "13900005555",
            "address": "合肥市蜀山区长江西路100号",
            "category": "市场监管/价格",
            "title": "反映某药店未明码标价",
            "content": "某药店商品未明码标价",
        },
        {"category": "其他", "title": "咨询公积金", "content": "如何提取公积金"},
        {"region_code": "350102", "complainant_phone": "13900006666"},
        {"complainant_phone": None, "complainant_name": None, "title": "反映某药店价格虚高"},
        {"complainant_phone": "13900007777", "source": "platform_12315", "category": "食品安全"},
        {"complainant_phone": "13900001111", "content": "再次反映：超市过期食品，要求退赔"},
    ]
    return [
        store_complaint(
            session,
            source_number=f"{tag}{index:04d}",
            received_at=start + index * hour,
            **spec,
        )
        for index, spec in enumerate(specs)
    ]


def _outcome(session: Session, complaint_ids: list[int]) -> list[tuple[Any, ...]]:
    """What happened to each complaint, with cases numbered by first appearance."""
    numbering: dict[int, int] = {}
    rows = []
    for complaint_id in complaint_ids:
        complaint = session.get(Complaint, complaint_id)
        assert complaint is not None
        link = session.scalars(
            select(CaseComplaint).where(CaseComplaint.complaint_id == complaint.id)
        ).one()
        case = session.get(Case, link.case_id)
        assert case is not None
        instance = session.scalars(
            select(WorkflowInstance).where(
                WorkflowInstance.subject_type == SUBJECT, WorkflowInstance.subject_id == case.id
            )
        ).one()
        steps = session.scalars(
            select(WorkflowTransition.transition)
            .where(WorkflowTransition.instance_id == instance.id)
            .order_by(WorkflowTransition.sequence)
        ).all()
        told = session.scalars(
            select(OutboxMessage.payload)
            .where(OutboxMessage.record_id == complaint.id)
            .order_by(OutboxMessage.id)
        ).all()
        rows.append(
            (
                numbering.setdefault(case.id, len(numbering)),
                link.relation,
                link.blocking_key,
                link.similarity,
                instance.state,
                instance.department_code,
                tuple(steps),
                case.routing_rule,
                case.triage_reason,
                complaint.complainant_phone_digest is not None,
                complaint.status,
                complaint.handling_department_code,
                [(message["transition"], message["body"].get("status")) for message in told],
            )
        )
    return rows


def test_chunked_intake_decides_what_one_by_one_intake_decides(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        complaints = _batch(session, "A", RECEIVED)
        for complaint in complaints:
            take_in(session, complaint)
        one_by_one = [complaint.id for complaint in complaints]
    with Session(engine) as session, session.begin():
        chunked = [complaint.id for complaint in _batch(session, "B", RECEIVED + APART)]
    report = intake_pending(engine, chunk=4)  # repeats fall within and across chunks
    assert (report.opened, report.merged, report.routed, report.triaged) == (8, 3, 5, 3)
    with Session(engine) as session:
        expected = _outcome(session, one_by_one)
        assert _outcome(session, chunked) == expected
        assert [row[1] for row in expected].count("merged") == 3
        assert any(row[-1] for row in expected)  # status messages were sent, and compared


def test_every_transition_and_merge_is_in_an_entry_of_the_verified_chain(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        _batch(session, "C", RECEIVED)
    report = intake_pending(engine, chunk=3)
    with Session(engine) as session:
        recorded = sorted(
            tuple(row)
            for row in session.execute(
                select(
                    WorkflowInstance.subject_id,
                    WorkflowTransition.transition,
                    WorkflowTransition.from_state,
                    WorkflowTransition.to_state,
                    WorkflowTransition.actor_role,
                ).join(WorkflowInstance, WorkflowInstance.id == WorkflowTransition.instance_id)
            )
        )
        starts = session.scalars(
            select(AuditEntry).where(AuditEntry.action.like(f"workflow.{WORKFLOW}.%"))
        ).all()
        assert {entry.action for entry in starts} == {f"workflow.{WORKFLOW}.start"}
        audited = sorted(
            (int(entry.object_id), step["transition"], step["from"], step["to"], step["role"])
            for entry in starts
            for step in entry.details["steps"]
        )
        assert audited == recorded and len(starts) == report.opened
        merges = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "case.merge")
        )
        assert merges == report.merged
        checked = verify(session, default_anchor())
        assert checked.ok, checked.problems
        assert checked.entries_checked == report.opened + merges


def test_append_many_refuses_personal_data_and_appends_nothing(engine: Engine) -> None:
    good = AuditRecord(actor="system:test", action="test.bulk", object_type="case", object_id="1")
    leaking = AuditRecord(
        actor="system:test",
        action="test.bulk",
        object_type="case",
        object_id="2",
        details={"note": "caller 13900001111"},
    )
    with Session(engine) as session, session.begin():
        with pytest.raises(ValueError, match="mobile phone number"):
            append_many(session, [good, leaking])
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0
        assert append_many(session, [good, good]) == 2
        seqs = session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)).all()
        assert seqs == [1, 2]


def test_start_many_checks_every_step_as_fire_does_and_writes_nothing_when_refused(
    engine: Engine,
) -> None:
    complaint = load_workflow(WORKFLOW)
    system = Actor.system("test")
    with Session(engine) as session, session.begin():
        with pytest.raises(TransitionRefused, match="cannot assign from 'received'"):
            start_many(
                session,
                complaint,
                SUBJECT,
                [NewInstance(1, steps=(Step("accept"),)), NewInstance(2, steps=(Step("assign"),))],
                actor=system,
            )
        with pytest.raises(RoleRefused):
            start_many(
                session,
                complaint,
                SUBJECT,
                [NewInstance(3, steps=(Step("accept"),))],
                actor=Actor("officer", "SCJG-340104", "officer"),
            )
        assert session.scalar(select(func.count()).select_from(WorkflowInstance)) == 0
        [started] = start_many(
            session,
            complaint,
            SUBJECT,
            [
                NewInstance(
                    4,
                    attributes={"source": "hotline_12345"},
                    steps=(
                        Step("accept"),
                        Step("assign", reason="rule", fields={"department_code": "SCJG-340104"}),
                    ),
                )
            ],
            actor=system,
            now=RECEIVED,
        )
        assert (started.state, started.department_code) == ("assigned", "SCJG-340104")
        instance = session.get(WorkflowInstance, started.id)
        assert instance is not None and instance.version == 2 and instance.due_at is not None
        rows = session.scalars(
            select(WorkflowTransition)
            .where(WorkflowTransition.instance_id == started.id)
            .order_by(WorkflowTransition.sequence)
        ).all()
        assert [(r.sequence, r.transition, r.from_state, r.to_state) for r in rows] == [
            (0, "start", None, "received"),
            (1, "accept", "received", "accepted"),
            (2, "assign", "accepted", "assigned"),
        ]
        assert rows[2].payload == {"department_code": "SCJG-340104"} and rows[1].on_time


def test_start_many_gives_each_subject_the_deadline_of_its_own_time_limits(
    engine: Engine,
) -> None:
    """Subjects with the same steps share one walk only where their time limits agree."""
    complaint = load_workflow(WORKFLOW)
    sources = ["hotline_12345", "platform_12315", "hotline_12345", "platform_12315"]
    with Session(engine) as session, session.begin():
        started = start_many(
            session,
            complaint,
            SUBJECT,
            [
                NewInstance(number, attributes={"source": source})
                for number, source in enumerate(sources, start=10)
            ],
            actor=Actor.system("test"),
            now=RECEIVED,
        )
        due = [
            session.scalars(
                select(WorkflowInstance.due_at).where(WorkflowInstance.id == instance.id)
            ).one()
            for instance in started
        ]
    expected = [
        state_deadline(complaint, "received", {"source": source}, RECEIVED) for source in sources
    ]
    assert [aware(moment) for moment in due] == [e.due_at for e in expected if e is not None]
    assert due[0] == due[2] and due[1] == due[3] and due[0] < due[1]  # 3 and 7 working days
