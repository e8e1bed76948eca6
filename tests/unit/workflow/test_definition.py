"""Workflow files: the shipped ones load; a wrong one is refused with every error at once."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hub.errors import ConfigurationError, UnknownNameError
from hub.workflow.definition import WORKFLOWS_DIR, load_workflow, parse_workflow


def test_every_shipped_workflow_is_valid() -> None:
    names = [path.stem for path in WORKFLOWS_DIR.glob("*.yaml")]
    assert "complaint" in names
    for name in names:
        assert load_workflow(name).name == name


def test_the_complaint_workflow_follows_the_12345_loop() -> None:
    complaint = load_workflow("complaint")
    path = ["accept", "assign", "start_handling", "answer", "visit", "close"]
    state = complaint.initial
    for name in path:
        transition = complaint.transition(name)
        assert state in transition.from_states
        state = transition.to_state
    assert state == "closed" and complaint.is_terminal("closed")
    assert complaint.is_terminal("not_accepted")
    not_accept = complaint.transition("not_accept")
    assert [rule.dictionary for rule in not_accept.requires] == ["not_accepted_grounds"]


def test_time_limits_default_then_override_by_attributes_in_order() -> None:
    complaint = load_workflow("complaint")
    assert complaint.time_limit("received", {"source": "hotline_12345"}) == 3
    assert complaint.time_limit("received", {"source": "platform_12315"}) == 7
    assert complaint.time_limit("handling", {"source": "platform_12315"}) == 45
    # a later override wins: a 12315 report is checked within 15 working days
    assert complaint.time_limit("handling", {"source": "platform_12315", "kind": "report"}) == 15
    assert complaint.time_limit("closed", {}) is None


def test_an_unknown_workflow_names_the_known_ones() -> None:
    with pytest.raises(UnknownNameError, match="complaint"):
        load_workflow("no_such_workflow")


def _write(tmp_path: Path, data: dict[str, object]) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_schema_errors_are_all_reported_with_their_lines(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {
            "name": "Bad Name",
            "version": 0,
            "subject": "case",
            "initial": "open",
            "states": {"open": {"colour": "red"}},
            "roles": {"clerk": {"departments": "SCJG-34"}},
            "transitions": {"go": {"from": ["open"], "to": "open"}},
        },
    )
    with pytest.raises(ConfigurationError) as refused:
        parse_workflow(path)
    message = str(refused.value)
    assert "5 error(s)" in message
    for fragment in (
        "'Bad Name'",
        "version",
        "colour",
        "'SCJG-34' is not of type 'array'",
        "roles",
    ):
        assert fragment in message
    assert f"{path}:" in message


def test_names_must_refer_to_declared_states_roles_and_dictionaries(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {
            "name": "tiny",
            "version": 1,
            "subject": "thing",
            "initial": "missing",
            "states": {"open": {}, "done": {"terminal": True}},
            "roles": {"clerk": {"principal_roles": ["officer"]}},
            "transitions": {
                "finish": {
                    "from": ["open", "limbo"],
                    "to": "done",
                    "roles": ["boss"],
                    "requires": {"why": {"dictionary": "reasons"}},
                    "sets_department": "department_code",
                }
            },
            "time_limits": {"states": {"nowhere": 3}},
        },
    )
    with pytest.raises(ConfigurationError) as refused:
        parse_workflow(path)
    message = str(refused.value)
    assert "6 error(s)" in message
    for fragment in (
        "'missing'",
        "'limbo'",
        "'boss'",
        "'reasons'",
        "'department_code'",
        "'nowhere'",
    ):
        assert fragment in message
