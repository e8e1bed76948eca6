"""Rules that hold whatever is fired, in whatever order: the instance is where its history
says, a refused transition changes nothing, a terminal state has no deadline."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.store.models.workflow import WorkflowTransition
from hub.workflow import Actor, TransitionRefused, fire, load_workflow, start

COMPLAINT = load_workflow("complaint")
ACTORS = (
    Actor.system("property"),
    Actor("dispatcher", "SJZY-34", "officer"),
    Actor("handler", "SCJG-340104", "officer"),
    Actor("leader", "SCJG-34", "leader"),
)
FIELDS = {
    "legal_ground": "outside_remit",
    "department_code": "SCJG-340104",
    "answer": "已处理",
    "satisfaction": "satisfied",
}
subjects = itertools.count(1)


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(sorted(COMPLAINT.transitions)),
            st.sampled_from(range(len(ACTORS))),
            st.booleans(),  # give the reason and fields, or not
        ),
        max_size=12,
    )
)
def test_the_instance_is_always_where_its_history_says(
    sqlite_engine: Engine, steps: list[tuple[str, int, bool]]
) -> None:
    moment = datetime(2026, 5, 11, 2, tzinfo=UTC)
    with Session(sqlite_engine) as session, session.begin():
        instance = start(
            session,
            COMPLAINT,
            "case",
            next(subjects),
            actor=ACTORS[0],
            region_code="340104",
            now=moment,
        )
        for name, actor_index, complete in steps:
            moment += timedelta(hours=5)
            before = (instance.state, instance.version, instance.department_code)
            try:
                fire(
                    session,
                    instance,
                    name,
                    ACTORS[actor_index],
                    reason="理由" if complete else None,
                    fields=FIELDS if complete else {},
                    now=moment,
                )
            except TransitionRefused:
                assert (instance.state, instance.version, instance.department_code) == before
                continue
            assert instance.state == COMPLAINT.transition(name).to_state
            assert before[0] in COMPLAINT.transition(name).from_states
        history = session.scalars(
            select(WorkflowTransition)
            .where(WorkflowTransition.instance_id == instance.id)
            .order_by(WorkflowTransition.sequence)
        ).all()
        assert [step.sequence for step in history] == list(range(instance.version + 1))
        assert history[-1].to_state == instance.state
        for earlier, later in itertools.pairwise(history):
            assert later.from_state == earlier.to_state
        assert instance.terminal == COMPLAINT.is_terminal(instance.state)
        assert (instance.due_at is None) == instance.terminal
