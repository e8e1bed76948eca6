"""Firing transitions: checked against state, role and fields; conditioned on the state seen;
recorded and audited. Runs on every engine."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.store.models.audit import AuditEntry
from hub.store.models.workflow import WorkflowInstance, WorkflowTransition
from hub.workflow import (
    Actor,
    MissingFields,
    RoleRefused,
    StaleState,
    TransitionRefused,
    available,
    fire,
    load_workflow,
    start,
)

MONDAY = datetime(2026, 5, 11, 2, 0, tzinfo=UTC)  # 10:00 Beijing time
SYSTEM = Actor.system("test")
DISPATCHER = Actor("dispatcher.li", "SJZY-34", "officer")
HANDLER = Actor("officer.wang", "SCJG-340104", "officer")
OTHER = Actor("officer.zhao", "SThJ-3401", "officer")
LEADER = Actor("leader.chen", "SCJG-34", "leader")


def _started(session: Session, subject_id: int = 1) -> WorkflowInstance:
    return start(
        session,
        load_workflow("complaint"),
        "case",
        subject_id,
        actor=SYSTEM,
        attributes={"source": "hotline_12345", "kind": "complaint"},
        region_code="340104",
        now=MONDAY,
    )


def test_a_case_walks_the_whole_loop_and_every_step_is_recorded_and_audited(
    engine: Engine,
) -> None:
    with Session(engine) as session, session.begin():
        instance = _started(session)
        assert (instance.state, instance.version) == ("received", 0)
        assert instance.due_at is not None and not instance.provisional
        fire(session, instance, "accept", DISPATCHER, expected_state="received", now=MONDAY)
        fire(
            session,
            instance,
            "assign",
            DISPATCHER,
            fields={"department_code": "SCJG-340104"},
            now=MONDAY,
        )
        assert instance.department_code == "SCJG-340104"
        assert available(load_workflow("complaint"), instance, HANDLER) == [
            "return_dispatch",
            "start_handling",
        ]
        fire(session, instance, "start_handling", HANDLER, now=MONDAY)
        fire(session, instance, "answer", HANDLER, fields={"answer": "已责令整改"}, now=MONDAY)
        fire(
            session, instance, "visit", DISPATCHER, fields={"satisfaction": "satisfied"}, now=MONDAY
        )
        fire(session, instance, "close", SYSTEM, now=MONDAY)
        assert (instance.state, instance.terminal, instance.due_at) == ("closed", True, None)

        steps = session.scalars(
            select(WorkflowTransition)
            .where(WorkflowTransition.instance_id == instance.id)
            .order_by(WorkflowTransition.sequence)
        ).all()
        assert [(s.sequence, s.transition, s.from_state, s.to_state) for s in steps] == [
            (0, "start", None, "received"),
            (1, "accept", "received", "accepted"),
            (2, "assign", "accepted", "assigned"),
            (3, "start_handling", "assigned", "handling"),
            (4, "answer", "handling", "answered"),
            (5, "visit", "answered", "visited"),
            (6, "close", "visited", "closed"),
        ]
        assert steps[4].payload == {"answer": "已责令整改"} and steps[4].on_time is True
        assert [s.actor_role for s in steps[1:]] == [
            "dispatcher",
            "dispatcher",
            "handler",
            "handler",
            "dispatcher",
            "system",
        ]
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()
        assert actions == [
            f"workflow.complaint.{name}"
            for name in ("start", "accept", "assign", "start_handling", "answer", "visit", "close")
        ]
        answer_entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "workflow.complaint.answer")
        ).one()
        assert "已责令整改" not in str(answer_entry.details)  # field names only, never values


def test_refusals_name_what_is_wrong_and_change_nothing(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        instance = _started(session)
        with pytest.raises(
            TransitionRefused, match="cannot answer from 'received'; only from handling"
        ):
            fire(session, instance, "answer", HANDLER, fields={"answer": "x"})
        with pytest.raises(RoleRefused, match="accept may be fired by dispatcher, system"):
            fire(session, instance, "accept", OTHER)
        with pytest.raises(MissingFields) as missing:
            fire(session, instance, "not_accept", DISPATCHER, fields={"legal_ground": "because"})
        assert "reason: required" in str(missing.value)
        assert "'because' is not in not_accepted_grounds" in str(missing.value)
        assert (instance.state, instance.version) == ("received", 0)

        fire(
            session,
            instance,
            "not_accept",
            DISPATCHER,
            reason="已通过司法途径处理",
            fields={"legal_ground": "handled_elsewhere"},
        )
        assert (instance.state, instance.terminal) == ("not_accepted", True)


def test_the_handling_department_role_follows_the_instance(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        instance = _started(session)
        fire(session, instance, "accept", SYSTEM)
        fire(session, instance, "assign", SYSTEM, fields={"department_code": "SCJG-340104"})
        with pytest.raises(RoleRefused):
            fire(session, instance, "start_handling", OTHER)
        fire(session, instance, "return_dispatch", HANDLER, reason="不属于本部门职责")
        assert instance.department_code is None  # back in the dispatchers' hands
        with pytest.raises(RoleRefused):
            fire(
                session, instance, "reassign", HANDLER, reason="x", fields={"department_code": "X"}
            )
        fire(
            session,
            instance,
            "reassign",
            LEADER,
            reason="属生态环境部门职责",
            fields={"department_code": "SThJ-3401"},
        )
        assert (instance.state, instance.department_code) == ("assigned", "SThJ-3401")
        fire(session, instance, "start_handling", OTHER)


def test_a_stale_expected_state_is_refused(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        instance = _started(session)
        fire(session, instance, "accept", DISPATCHER)
        with pytest.raises(StaleState, match="is 'accepted', not 'received'"):
            fire(session, instance, "accept", DISPATCHER, expected_state="received")


def test_of_two_officers_acting_at_once_one_wins_and_the_other_is_refused(
    engine: Engine,
) -> None:
    with Session(engine) as session, session.begin():
        instance_id = _started(session).id
    with Session(engine) as first, Session(engine) as second:
        mine = first.get(WorkflowInstance, instance_id)
        theirs = second.get(WorkflowInstance, instance_id)
        assert mine is not None and theirs is not None
        fire(first, mine, "accept", DISPATCHER, expected_state="received")
        first.commit()
        with pytest.raises(StaleState, match="changed while you decided"):
            fire(
                second,
                theirs,
                "to_triage",
                DISPATCHER,
                expected_state="received",
                reason="类别不明",
            )
        second.rollback()
    with Session(engine) as session:
        stored = session.get(WorkflowInstance, instance_id)
        assert stored is not None and (stored.state, stored.version) == ("accepted", 1)
