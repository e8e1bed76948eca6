"""Behaviour tests over every adapter and every capability it declares: each capability's
checks (``CAPABILITY_CHECKS``) pass against at least one shipped channel using that adapter
with its simulator. An adapter gaining a capability without a check, or without a simulated
channel exercising it, fails here."""

from __future__ import annotations

import pytest

from adapters.builtin import BUILTIN_ADAPTERS
from adapters.registry import adapter_class
from hub.conformance.checks import CAPABILITY_CHECKS
from hub.conformance.pytest_plugin import conformance_results
from hub.exchange.channels import ChannelRegistry
from hub.settings import get_settings

# The file adapter has no remote to simulate: its behaviour (files in name order, moved to
# done/ after the commit, re-read harmlessly after a crash) is tested on real folders in
# tests/integration/adapters/test_file_adapter_run.py.
WITHOUT_REMOTE = {"file"}

PAIRS = [
    (name, capability)
    for name in sorted(BUILTIN_ADAPTERS)
    for capability in sorted(adapter_class(name).capabilities)
]


def _simulated_channels(adapter: str) -> list[str]:
    registry = ChannelRegistry(get_settings().mappings_dir)
    return [c.name for c in registry.all() if c.simulator and c.adapter.get("type") == adapter]


@pytest.mark.parametrize(("adapter", "capability"), PAIRS)
def test_every_declared_capability_is_shown_against_a_simulator(
    adapter: str, capability: str
) -> None:
    assert capability in CAPABILITY_CHECKS, f"{adapter} declares {capability!r}: add its checks"
    if adapter in WITHOUT_REMOTE:
        pytest.skip(f"adapter {adapter!r} has no remote; see test_file_adapter_run.py")
    channels = _simulated_channels(adapter)
    assert channels, f"no shipped channel with a simulator uses adapter {adapter!r}"
    for check in CAPABILITY_CHECKS[capability]:
        outcomes = {name: conformance_results(name)[check] for name in channels}
        assert any(result.status == "pass" for result in outcomes.values()), (
            f"{adapter} {capability}: check {check!r} passed on none of {channels}: "
            + "; ".join(f"{name}: {r.status} {r.detail}" for name, r in outcomes.items())
        )
