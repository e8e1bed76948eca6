"""The conformance checks as pytest tests, so that a channel's test file is one line:

    from hub.conformance.pytest_plugin import conformance_tests
    test_hotline_12345 = conformance_tests("hotline_12345")

Each check becomes one test (``test_hotline_12345[faults]``): a failed check fails with its
detail, a skipped one is reported as skipped with its reason. The suite runs once per
module, against the channel's simulator started in-process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from hub.conformance.checks import CHECKS, CheckResult, run_suite
from hub.conformance.target import open_target
from hub.exchange.channels import default_registry

# Results of the shipped channels against their conforming simulators, once per session.
_RESULTS: dict[str, dict[str, CheckResult]] = {}


def conformance_results(
    channel_name: str, *, modes: dict[str, Any] | None = None
) -> dict[str, CheckResult]:
    """{check: result} of ``channel_name`` against its simulator (with ``modes``); runs without
    modes are shared by every test of the session that asks."""
    if modes or channel_name not in _RESULTS:
        channel = default_registry().get(channel_name)
        with open_target(channel, simulator_faults=modes) as target:
            results = {result.check: result for result in run_suite(target)}
        if modes:
            return results
        _RESULTS[channel_name] = results
    return _RESULTS[channel_name]


def conformance_tests(
    channel_name: str, *, modes: dict[str, Any] | None = None
) -> Callable[[str], None]:
    """A test function parametrised over every check of ``channel_name``'s conformance run."""

    @pytest.mark.parametrize("check", CHECKS)
    def test_conformance(check: str) -> None:
        result = conformance_results(channel_name, modes=modes)[check]
        if result.status == "skip":
            pytest.skip(result.detail)
        assert result.status == "pass", f"{channel_name}: {check}: {result.detail}"

    return test_conformance
