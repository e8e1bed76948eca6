"""Starting instances and firing transitions: checked, conditioned on the state seen, audited.

A transition is fired only when all of this holds, else nothing changes and the refusal
names what is wrong (:mod:`hub.workflow.errors`):

1. the instance is still in the state the caller saw (``expected_state``) and no one fired
   a transition since it was read: the update is conditioned on the instance's ``version``,
   so of two officers acting at once, one wins and the other gets ``StaleState``;
2. the transition leaves from the instance's state;
3. the actor holds one of the transition's roles on this instance (:mod:`hub.workflow.roles`);
4. the reason (when required) and every required field are given, dictionary fields with a
   value of their dictionary.

It then moves the instance (state, holding department, the new state's deadline, escalation
reset), records the transition (who, when, from, to, reason, fields) and appends an audit
entry (no field values: they may hold personal data) in the caller's transaction.

``start_many`` is the bulk path of a job that starts thousands of instances and moves each a
few steps at once (the complaint intake: start, accept, assign): every step is checked as
``fire`` checks it, and each instance is inserted in the state its last step leads to, with
one transition row per step, in one statement per table. Its audit entry is one per instance
(``workflow.<name>.start``) listing every step as ``fire``'s entry would record it: the start
and the steps fired with it are one act of one actor at one moment, and a third of the
entries (each hashed into the chain) is a third of the cost of auditing them.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from hub.audit import AuditRecord, anchor_after_commit, append, append_many, default_anchor
from hub.calendar import Deadline
from hub.store.bulk import insert_values, reserve_ids
from hub.store.models.workflow import WorkflowInstance, WorkflowTransition
from hub.workflow.definition import TransitionSpec, WorkflowDefinition, load_workflow
from hub.workflow.errors import MissingFields, RoleRefused, StaleState, TransitionRefused
from hub.workflow.roles import Actor, holds, roles_of
from hub.workflow.timing import aware, state_deadline, utc

_INSTANCES = cast(Table, WorkflowInstance.__table__)
_TRANSITIONS = cast(Table, WorkflowTransition.__table__)

START = "start"
"""The name recorded for an instance's first, implicit transition into its initial state."""


def start(
    session: Session,
    definition: WorkflowDefinition,
    subject_type: str,
    subject_id: int,
    *,
    actor: Actor,
    attributes: Mapping[str, Any] | None = None,
    department_code: str | None = None,
    region_code: str | None = None,
    now: datetime | None = None,
) -> WorkflowInstance:
    """Put a subject on ``definition`` in its initial state (recorded as a ``start``)."""
    moment = utc(now)
    values = dict(attributes or {})
    deadline = state_deadline(definition, definition.initial, values, moment)
    instance = WorkflowInstance(
        workflow=definition.name,
        workflow_version=definition.version,
        subject_type=subject_type,
        subject_id=subject_id,
        state=definition.initial,
        terminal=definition.is_terminal(definition.initial),
        department_code=department_code,
        region_code=region_code,
        attributes=values,
        state_entered_at=moment,
        due_at=deadline.due_at if deadline else None,
        provisional=deadline.provisional if deadline else False,
        escalation_level=0,
        version=0,
        created_at=moment,
        updated_at=moment,
    )
    session.add(instance)
    session.flush()
    _record(session, definition, instance, START, None, actor, "system", None, {}, moment)
    return instance


def instance_of(
    session: Session, workflow: str, subject_type: str, subject_id: int
) -> WorkflowInstance | None:
    """The subject's instance of ``workflow``, if it was started."""
    return session.scalars(
        select(WorkflowInstance).where(
            WorkflowInstance.workflow == workflow,
            WorkflowInstance.subject_type == subject_type,
            WorkflowInstance.subject_id == subject_id,
        )
    ).one_or_none()


def available(
    definition: WorkflowDefinition, instance: WorkflowInstance, actor: Actor
) -> list[str]:
    """The transitions ``actor`` could fire on ``instance`` now (fields aside)."""
    held = roles_of(definition, instance, actor)
    return [
        name
        for name, spec in definition.transitions.items()
        if instance.state in spec.from_states and held & spec.roles
    ]


def fire(
    session: Session,
    instance: WorkflowInstance,
    transition: str,
    actor: Actor,
    *,
    expected_state: str | None = None,
    reason: str | None = None,
    fields: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> WorkflowTransition:
    """Fire ``transition`` on ``instance`` as ``actor`` (see the module docstring)."""
    definition = load_workflow(instance.workflow)
    spec = definition.transition(transition)
    given = {name: value for name, value in (fields or {}).items() if value not in (None, "")}
    if expected_state is not None and expected_state != instance.state:
        raise StaleState(
            f"{instance.subject_type} {instance.subject_id} is {instance.state!r}, not "
            f"{expected_state!r}: reload it and decide again"
        )
    if instance.state not in spec.from_states:
        raise TransitionRefused(
            f"cannot {transition} from {instance.state!r}; only from "
            f"{', '.join(sorted(spec.from_states))}"
        )
    role = _role_for(definition, spec, instance, actor)
    _check_fields(definition, spec, reason, given)
    moment = utc(now)
    department = instance.department_code
    if spec.sets_department is not None:
        department = str(given[spec.sets_department]).strip()
    elif spec.clears_department:
        department = None
    deadline = state_deadline(definition, spec.to_state, instance.attributes or {}, moment)
    seen_version, from_state = instance.version, instance.state
    on_time = None if instance.due_at is None else aware(moment) <= aware(instance.due_at)
    moved = session.execute(
        update(WorkflowInstance)
        .where(
            WorkflowInstance.id == instance.id,
            WorkflowInstance.version == seen_version,
            WorkflowInstance.state == from_state,
        )
        .values(
            state=spec.to_state,
            terminal=definition.is_terminal(spec.to_state),
            department_code=department,
            state_entered_at=moment,
            due_at=deadline.due_at if deadline else None,
            provisional=deadline.provisional if deadline else False,
            escalation_level=0,
            version=seen_version + 1,
            updated_at=moment,
        )
        .returning(WorkflowInstance.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if moved is None:
        session.expire(instance)
        raise StaleState(
            f"{instance.subject_type} {instance.subject_id} changed while you decided: "
            "reload it and decide again"
        )
    session.refresh(instance)
    return _record(
        session,
        definition,
        instance,
        spec.name,
        from_state,
        actor,
        role,
        reason,
        given,
        moment,
        on_time=on_time,
    )


def _role_for(
    definition: WorkflowDefinition,
    spec: TransitionSpec,
    instance: WorkflowInstance,
    actor: Actor,
) -> str:
    """The role ``actor`` fires ``spec`` in (the first of the transition's roles held)."""
    return _first_role(
        definition, spec, roles_of(definition, instance, actor), actor, instance.subject_type
    )


def _first_role(
    definition: WorkflowDefinition,
    spec: TransitionSpec,
    held: frozenset[str],
    actor: Actor,
    subject_type: str,
) -> str:
    for name in definition.roles:
        if name in spec.roles and name in held:
            return name
    raise RoleRefused(
        f"{spec.name} may be fired by {', '.join(sorted(spec.roles))}; "
        f"{actor.name} holds {', '.join(sorted(held)) or 'no role'} on this {subject_type}"
    )


def _check_fields(
    definition: WorkflowDefinition,
    spec: TransitionSpec,
    reason: str | None,
    given: Mapping[str, Any],
) -> None:
    problems: list[str] = []
    if spec.reason_required and not (reason or "").strip():
        problems.append("reason: required")
    for rule in spec.requires:
        value = given.get(rule.name)
        if value is None or not str(value).strip():
            problems.append(f"{rule.name}: required")
            continue
        if rule.dictionary is not None:
            allowed = definition.dictionaries[rule.dictionary]
            if str(value) not in allowed:
                problems.append(
                    f"{rule.name}: {value!r} is not in {rule.dictionary} ({', '.join(allowed)})"
                )
        if rule.max_length is not None and len(str(value)) > rule.max_length:
            problems.append(f"{rule.name}: longer than {rule.max_length} characters")
    if problems:
        raise MissingFields(f"cannot {spec.name}: " + "; ".join(problems))


def _record(
    session: Session,
    definition: WorkflowDefinition,
    instance: WorkflowInstance,
    transition: str,
    from_state: str | None,
    actor: Actor,
    role: str,
    reason: str | None,
    fields: Mapping[str, Any],
    moment: datetime,
    *,
    on_time: bool | None = None,
) -> WorkflowTransition:
    """The history row and the audit entry of a transition (or a start)."""
    record = WorkflowTransition(
        instance_id=instance.id,
        sequence=instance.version,
        transition=transition,
        from_state=from_state,
        to_state=instance.state,
        actor=actor.name,
        actor_department=actor.department_code,
        actor_role=role,
        reason=reason,
        payload=dict(fields),
        department_code=instance.department_code,
        on_time=on_time,
        fired_at=moment,
    )
    session.add(record)
    anchor_after_commit(session, default_anchor())
    append(
        session,
        actor=actor.name,
        action=f"workflow.{definition.name}.{transition}",
        object_type=instance.subject_type,
        object_id=str(instance.subject_id),
        department_code=actor.department_code,
        details={
            "instance": instance.id,
            **_audited(from_state, instance.state, role, fields, instance.department_code, on_time),
        },
    )
    return record


# ---------------------------------------------------------------------------------------------
# Many instances at once


@dataclass(frozen=True)
class Step:
    """A transition to fire on a new instance right after its start (see ``start_many``)."""

    transition: str
    reason: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NewInstance:
    """A subject to put on a workflow, and the steps to fire on it at once."""

    subject_id: int
    attributes: Mapping[str, Any] = field(default_factory=dict)
    region_code: str | None = None
    department_code: str | None = None
    steps: Sequence[Step] = ()


class FiredStep(NamedTuple):
    """One recorded step of a started instance: the ``start`` or a transition after it."""

    transition: str
    sequence: int
    from_state: str | None
    to_state: str
    department_code: str | None
    reason: str | None
    payload: dict[str, Any]
    fired_at: datetime
    role: str
    on_time: bool | None


class StartedInstance(NamedTuple):
    """An instance ``start_many`` inserted, where it stands and how it got there (named
    tuples, these and ``FiredStep``: a bulk start makes one per instance and per walk, at a
    third of a frozen dataclass's cost)."""

    id: int
    subject_id: int
    state: str
    department_code: str | None
    steps: tuple[FiredStep, ...]


def start_many(
    session: Session,
    definition: WorkflowDefinition,
    subject_type: str,
    subjects: Sequence[NewInstance],
    *,
    actor: Actor,
    now: datetime | None = None,
) -> list[StartedInstance]:
    """Start every subject on ``definition`` and fire its steps, as ``start`` then ``fire``
    for each step would, in bulk (in the order of ``subjects``).

    Every step is checked first (state, role, reason and fields: the errors of ``fire``);
    when one is refused nothing is written. Then each instance is inserted in the state its
    last step leads to, with ``version`` the number of steps, one ``workflow_transitions``
    row per step (``start`` included) and one audit entry per instance listing its steps, one
    statement per table. The instances are new, so there is no concurrent version to guard
    against. Subjects with the same steps, holding department and time limits walk alike:
    each such walk is made once (``_Walks``).
    """
    walks = _Walks(definition, subject_type, actor, utc(now))
    walked = [walks.of(subject) for subject in subjects]
    if not walked:
        return []
    ids = reserve_ids(session, _INSTANCES, len(walked))
    moment = walks.moment
    insert_values(
        session,
        _INSTANCES,
        _INSTANCE_COLUMNS,
        [
            (
                instance_id,
                definition.name,
                definition.version,
                subject_type,
                subject.subject_id,
                walk.state,
                walk.terminal,
                walk.department_code,
                subject.region_code,
                dict(subject.attributes),
                moment,
                walk.deadline.due_at if walk.deadline else None,
                walk.deadline.provisional if walk.deadline else False,
                0,
                len(walk.steps) - 1,
                moment,
                moment,
            )
            for instance_id, subject, walk in zip(ids, subjects, walked, strict=True)
        ],
    )
    insert_values(
        session,
        _TRANSITIONS,
        ("instance_id", *_TRANSITION_COLUMNS),
        [
            (instance_id, *values)
            for instance_id, walk in zip(ids, walked, strict=True)
            for values in walk.transition_values
        ],
    )
    anchor_after_commit(session, default_anchor())
    append_many(
        session,
        [
            AuditRecord(
                actor=actor.name,
                action=f"workflow.{definition.name}.{START}",
                object_type=subject_type,
                object_id=str(subject.subject_id),
                department_code=actor.department_code,
                details={"instance": instance_id, "steps": walk.audited_steps},
            )
            for instance_id, subject, walk in zip(ids, subjects, walked, strict=True)
        ],
    )
    return [
        StartedInstance(
            id=instance_id,
            subject_id=subject.subject_id,
            state=walk.state,
            department_code=walk.department_code,
            steps=walk.steps,
        )
        for instance_id, subject, walk in zip(ids, subjects, walked, strict=True)
    ]


class _Walk(NamedTuple):
    """A new instance's start and checked steps, walked in memory: where it ends, and the
    transition rows (all but ``instance_id``) and audited steps that record the way. Shared
    by the subjects that walk alike, so never changed once made."""

    state: str
    terminal: bool
    department_code: str | None
    deadline: Deadline | None
    steps: tuple[FiredStep, ...]
    transition_values: tuple[tuple[Any, ...], ...]
    audited_steps: list[dict[str, Any]]


class _Walks:
    """The walks of one ``start_many`` call, each made once per distinct steps, holding
    department and time limits of the states it passes (all it depends on; a subject whose
    field values cannot be a key is walked on its own)."""

    def __init__(
        self, definition: WorkflowDefinition, subject_type: str, actor: Actor, moment: datetime
    ) -> None:
        self.definition = definition
        self.subject_type = subject_type
        self.actor = actor
        self.moment = moment
        self._moves: dict[Hashable, tuple[_Move, ...]] = {}
        self._walks: dict[Hashable, _Walk] = {}
        self._deadlines: dict[tuple[str, int | None], Deadline | None] = {}

    def of(self, subject: NewInstance) -> _Walk:
        definition = self.definition
        try:
            steps_key: Hashable = (
                subject.department_code,
                tuple((s.transition, s.reason, tuple(s.fields.items())) for s in subject.steps),
            )
            hash(steps_key)
        except TypeError:
            return self._walk(subject, self._checked(subject))
        moves = self._moves.get(steps_key)
        if moves is None:
            moves = self._moves[steps_key] = self._checked(subject)
        passed = (definition.initial, *(move.spec.to_state for move in moves))
        key = (steps_key, tuple(definition.time_limit(s, subject.attributes) for s in passed))
        walk = self._walks.get(key)
        if walk is None:
            walk = self._walks[key] = self._walk(subject, moves)
        return walk

    def _checked(self, subject: NewInstance) -> tuple[_Move, ...]:
        return _checked(
            self.definition, self.subject_type, subject.steps, subject.department_code, self.actor
        )

    def _deadline(self, state: str, attributes: Mapping[str, Any]) -> Deadline | None:
        key = (state, self.definition.time_limit(state, attributes))
        if key not in self._deadlines:
            self._deadlines[key] = state_deadline(self.definition, state, attributes, self.moment)
        return self._deadlines[key]

    def _walk(self, subject: NewInstance, moves: Sequence[_Move]) -> _Walk:
        """``subject``'s start and its checked ``moves``, with their deadlines."""
        definition, moment = self.definition, self.moment
        state = definition.initial
        department = subject.department_code
        deadline = self._deadline(state, subject.attributes)
        steps = [FiredStep(START, 0, None, state, department, None, {}, moment, "system", None)]
        for sequence, (step, move) in enumerate(zip(subject.steps, moves, strict=True), start=1):
            on_time = None if deadline is None else moment <= deadline.due_at
            deadline = self._deadline(move.spec.to_state, subject.attributes)
            department = move.department_code
            steps.append(
                FiredStep(
                    move.spec.name,
                    sequence,
                    state,
                    move.spec.to_state,
                    department,
                    step.reason,
                    dict(move.given),
                    moment,
                    move.role,
                    on_time,
                )
            )
            state = move.spec.to_state
        return _Walk(
            state=state,
            terminal=definition.is_terminal(state),
            department_code=department,
            deadline=deadline,
            steps=tuple(steps),
            transition_values=tuple(self._transition_values(step) for step in steps),
            audited_steps=[_audited_step(step) for step in steps],
        )

    def _transition_values(self, step: FiredStep) -> tuple[Any, ...]:
        """The values of ``_TRANSITION_COLUMNS`` recording ``step``."""
        return (
            step.sequence,
            step.transition,
            step.from_state,
            step.to_state,
            self.actor.name,
            self.actor.department_code,
            step.role,
            step.reason,
            step.payload,
            step.department_code,
            step.on_time,
            step.fired_at,
        )


_INSTANCE_COLUMNS = (
    "id",
    "workflow",
    "workflow_version",
    "subject_type",
    "subject_id",
    "state",
    "terminal",
    "department_code",
    "region_code",
    "attributes",
    "state_entered_at",
    "due_at",
    "provisional",
    "escalation_level",
    "version",
    "created_at",
    "updated_at",
)
"""The columns ``start_many`` writes of each instance, in the order it gives them."""

_TRANSITION_COLUMNS = (
    "sequence",
    "transition",
    "from_state",
    "to_state",
    "actor",
    "actor_department",
    "actor_role",
    "reason",
    "payload",
    "department_code",
    "on_time",
    "fired_at",
)
"""The columns of a transition row a walk holds (all but ``instance_id``), in order."""


def _audited(
    from_state: str | None,
    to_state: str,
    role: str,
    fields: Mapping[str, Any],
    department_code: str | None,
    on_time: bool | None,
) -> dict[str, Any]:
    """What the audit chain keeps of a transition: field names only, never their values
    (they may hold personal data)."""
    return {
        "from": from_state,
        "to": to_state,
        "role": role,
        "fields": sorted(fields),
        "department": department_code,
        "on_time": on_time,
    }


def _audited_step(step: FiredStep) -> dict[str, Any]:
    """A step of a bulk start as its instance's entry lists it: ``_audited`` and its name."""
    return {
        "transition": step.transition,
        **_audited(
            step.from_state,
            step.to_state,
            step.role,
            step.payload,
            step.department_code,
            step.on_time,
        ),
    }


@dataclass(frozen=True)
class _Move:
    """A step checked as ``fire`` checks it: the transition, the role it is fired in, its
    fields, and the department holding the instance after it."""

    spec: TransitionSpec
    role: str
    given: dict[str, Any]
    department_code: str | None


def _checked(
    definition: WorkflowDefinition,
    subject_type: str,
    steps: Sequence[Step],
    department: str | None,
    actor: Actor,
) -> tuple[_Move, ...]:
    """The moves of ``steps`` from the initial state with ``department`` holding the
    instance, each checked as ``fire`` checks it (its errors raised)."""
    state = definition.initial
    moves = []
    for step in steps:
        spec = definition.transition(step.transition)
        if state not in spec.from_states:
            raise TransitionRefused(
                f"cannot {spec.name} from {state!r}; only from "
                f"{', '.join(sorted(spec.from_states))}"
            )
        held = frozenset(
            name for name, role in definition.roles.items() if holds(role, department, actor)
        )
        role = _first_role(definition, spec, held, actor, subject_type)
        given = {name: value for name, value in step.fields.items() if value not in (None, "")}
        _check_fields(definition, spec, step.reason, given)
        if spec.sets_department is not None:
            department = str(given[spec.sets_department]).strip()
        elif spec.clears_department:
            department = None
        moves.append(_Move(spec, role, given, department))
        state = spec.to_state
    return tuple(moves)
