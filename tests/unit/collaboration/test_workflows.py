"""The four collaboration workflows are valid data on the one engine."""

from __future__ import annotations

import pytest

from hub.workflow import load_workflow


@pytest.mark.parametrize("name", ["notice", "assistance", "campaign_task", "approval_claim"])
def test_each_workflow_loads_and_ends_somewhere(name: str) -> None:
    definition = load_workflow(name)
    assert definition.name == name
    terminal = {state for state, spec in definition.states.items() if spec.terminal}
    assert terminal, "every collaboration can finish"
    assert definition.escalation is not None
    assert definition.default_limits[definition.initial] >= 1, "the first step is timed"


def test_a_commitment_approval_is_supervised_sooner_than_others() -> None:
    claims = load_workflow("approval_claim")
    assert claims.time_limit("claimed", {"licence_kind": "notification_commitment"}) == 10
    assert claims.time_limit("claimed", {"licence_kind": "licence_after_registration"}) == 20


def test_a_supervision_result_must_be_a_code_of_the_dictionary() -> None:
    rule = load_workflow("approval_claim").transition("report_result").requires[0]
    assert (rule.name, rule.dictionary) == ("result", "supervision_results")
