"""Workflows declared as data: ``standards/workflows/<name>.yaml``, checked against
``standards/workflows/workflow.schema.json`` and for consistency, every error at once.

    >>> complaint = load_workflow("complaint")
    >>> complaint.initial, complaint.transitions["accept"].to_state
    ('received', 'accepted')
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

import standards
from hub.errors import ConfigurationError, UnknownNameError
from hub.yamlfile import LocatedYaml, load_located_yaml

WORKFLOWS_DIR = Path(standards.__file__).resolve().parent / "workflows"
SCHEMA_PATH = WORKFLOWS_DIR / "workflow.schema.json"


@dataclass(frozen=True)
class StateSpec:
    name: str
    title: str
    terminal: bool
    public_stage: str


@dataclass(frozen=True)
class RoleSpec:
    """How an actor is found to hold a role on an instance (any listed condition suffices)."""

    name: str
    handling_department: bool = False
    departments: frozenset[str] = frozenset()
    department_lines: frozenset[str] = frozenset()
    principal_roles: frozenset[str] = frozenset()
    system: bool = False


@dataclass(frozen=True)
class FieldRule:
    """A field a transition requires: non-empty text, within a dictionary or a length."""

    name: str
    dictionary: str | None = None
    max_length: int | None = None


@dataclass(frozen=True)
class TransitionSpec:
    name: str
    title: str
    from_states: frozenset[str]
    to_state: str
    roles: frozenset[str]
    reason_required: bool = False
    requires: tuple[FieldRule, ...] = ()
    sets_department: str | None = None
    clears_department: bool = False


@dataclass(frozen=True)
class TimeLimitOverride:
    """Limits that replace the defaults for instances whose attributes match ``when``."""

    when: Mapping[str, str]
    states: Mapping[str, int]

    def matches(self, attributes: Mapping[str, Any]) -> bool:
        for name, wanted in self.when.items():
            value = attributes.get(name)
            if value is None:
                return False
            if name == "region_code":
                if not str(value).startswith(wanted):
                    return False
            elif str(value) != wanted:
                return False
        return True


@dataclass(frozen=True)
class Escalation:
    """Where escalations (督办) go and when a late instance is escalated again."""

    supervisor_department: str
    again_after_working_days: int | None = None
    max_level: int = 1


@dataclass(frozen=True)
class WorkflowDefinition:
    """A validated workflow: states, roles, transitions, dictionaries, time limits."""

    name: str
    version: int
    title: str
    subject: str
    initial: str
    states: Mapping[str, StateSpec]
    roles: Mapping[str, RoleSpec]
    transitions: Mapping[str, TransitionSpec]
    dictionaries: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    default_limits: Mapping[str, int] = field(default_factory=dict)
    overrides: tuple[TimeLimitOverride, ...] = ()
    remind_before_working_days: int | None = None
    escalation: Escalation | None = None

    def transition(self, name: str) -> TransitionSpec:
        spec = self.transitions.get(name)
        if spec is None:
            raise UnknownNameError(
                f"transition of workflow {self.name!r}", name, list(self.transitions)
            )
        return spec

    def time_limit(self, state: str, attributes: Mapping[str, Any]) -> int | None:
        """Working days allowed in ``state`` for an instance with ``attributes``."""
        days = self.default_limits.get(state)
        for override in self.overrides:
            if state in override.states and override.matches(attributes):
                days = override.states[state]
        return days

    def is_terminal(self, state: str) -> bool:
        return self.states[state].terminal


def _consistency_errors(document: LocatedYaml) -> list[str]:
    """What the schema cannot see: names that must refer to declared states, roles and
    dictionaries."""
    data = document.data
    states = set(data["states"])
    roles = set(data["roles"])
    dictionaries = set(data.get("dictionaries", {}))
    errors: list[str] = []
    if data["initial"] not in states:
        errors.append(f"{document.where(['initial'])}: {data['initial']!r} is not a declared state")
    for name, spec in data["transitions"].items():
        where = ["transitions", name]
        for state in [*spec["from"], spec["to"]]:
            if state not in states:
                errors.append(f"{document.where(where)}: state {state!r} is not declared")
        for role in spec["roles"]:
            if role not in roles:
                errors.append(f"{document.where([*where, 'roles'])}: role {role!r} is not declared")
        for field_name, rule in spec.get("requires", {}).items():
            dictionary = rule.get("dictionary")
            if dictionary is not None and dictionary not in dictionaries:
                errors.append(
                    f"{document.where([*where, 'requires', field_name])}: dictionary "
                    f"{dictionary!r} is not declared"
                )
        target = spec.get("sets_department")
        if target is not None and target not in spec.get("requires", {}):
            errors.append(
                f"{document.where([*where, 'sets_department'])}: {target!r} is not a required field"
            )
    limits = data.get("time_limits", {})
    for state in limits.get("states", {}):
        if state not in states:
            errors.append(
                f"{document.where(['time_limits', 'states', state])}: state {state!r} is not declared"
            )
    for index, override in enumerate(limits.get("overrides", [])):
        for state in override["states"]:
            if state not in states:
                errors.append(
                    f"{document.where(['time_limits', 'overrides', index, 'states', state])}: "
                    f"state {state!r} is not declared"
                )
    return errors


def validation_errors(document: LocatedYaml) -> list[str]:
    """Every error of a workflow file: the schema's, then (if it holds) consistency."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    found = sorted(validator.iter_errors(document.data), key=lambda e: list(map(str, e.path)))
    errors = [f"{document.where(list(error.absolute_path))}: {error.message}" for error in found]
    return errors or _consistency_errors(document)


def parse_workflow(path: Path) -> WorkflowDefinition:
    """Read and validate one workflow file; ``ConfigurationError`` lists every error."""
    document = load_located_yaml(path)
    errors = validation_errors(document)
    if errors:
        raise ConfigurationError(f"{path} has {len(errors)} error(s):\n  " + "\n  ".join(errors))
    return _build(document.data)


def _build(data: dict[str, Any]) -> WorkflowDefinition:
    limits = data.get("time_limits", {})
    escalation = data.get("escalation")
    return WorkflowDefinition(
        name=data["name"],
        version=data["version"],
        title=data.get("title", data["name"]),
        subject=data["subject"],
        initial=data["initial"],
        states={
            name: StateSpec(
                name=name,
                title=spec.get("title", name),
                terminal=bool(spec.get("terminal", False)),
                public_stage=spec.get("public_stage", name),
            )
            for name, spec in data["states"].items()
        },
        roles={
            name: RoleSpec(
                name=name,
                handling_department=bool(spec.get("handling_department", False)),
                departments=frozenset(spec.get("departments", ())),
                department_lines=frozenset(spec.get("department_lines", ())),
                principal_roles=frozenset(spec.get("principal_roles", ())),
                system=bool(spec.get("system", False)),
            )
            for name, spec in data["roles"].items()
        },
        transitions={
            name: TransitionSpec(
                name=name,
                title=spec.get("title", name),
                from_states=frozenset(spec["from"]),
                to_state=spec["to"],
                roles=frozenset(spec["roles"]),
                reason_required=bool(spec.get("reason_required", False)),
                requires=tuple(
                    FieldRule(name=field_name, **rule)
                    for field_name, rule in spec.get("requires", {}).items()
                ),
                sets_department=spec.get("sets_department"),
                clears_department=bool(spec.get("clears_department", False)),
            )
            for name, spec in data["transitions"].items()
        },
        dictionaries={name: dict(values) for name, values in data.get("dictionaries", {}).items()},
        default_limits=dict(limits.get("states", {})),
        overrides=tuple(
            TimeLimitOverride(when=dict(entry["when"]), states=dict(entry["states"]))
            for entry in limits.get("overrides", [])
        ),
        remind_before_working_days=data.get("reminders", {}).get("before_working_days"),
        escalation=None
        if escalation is None
        else Escalation(
            supervisor_department=escalation["supervisor_department"],
            again_after_working_days=escalation.get("again_after_working_days"),
            max_level=escalation.get("max_level", 1),
        ),
    )


@cache
def load_workflow(name: str) -> WorkflowDefinition:
    """The workflow ``standards/workflows/<name>.yaml``, validated once per process."""
    path = WORKFLOWS_DIR / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in WORKFLOWS_DIR.glob("*.yaml"))
        raise UnknownNameError("workflow", name, known)
    return parse_workflow(path)
