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


def conformance_tests(
    channel_name: str, *, modes: dict[str, Any] | None = None
) -> Callable[[str], None]:
    """A test function parametrised over every check of ``channel_name``'s conformance run."""
    results: dict[str, CheckResult] = {}

    @pytest.mark.parametrize("check", CHECKS)
    def test_conformance(check: str) -> None:
        if not results:
            channel = default_registry().get(channel_name)
            with open_target(channel, simulator_faults=modes) as target:
                results.update((result.check, result) for result in run_suite(target))
        result = results[check]
        if result.status == "skip":
            pytest.skip(result.detail)
        assert result.status == "pass", f"{channel_name}: {check}: {result.detail}"

    return test_conformance
