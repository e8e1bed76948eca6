"""The channel directions Airflow's DAG files read at parse time agree with the adapters."""

from __future__ import annotations

import pytest

from adapters.builtin import BUILTIN_ADAPTERS, BUILTIN_CAPABILITIES
from adapters.registry import adapter_class
from hub.exchange.directions import fetches, sends


@pytest.mark.parametrize("name", sorted(BUILTIN_ADAPTERS))
def test_declared_capabilities_are_the_adapters_own(name: str) -> None:
    assert BUILTIN_CAPABILITIES[name] == adapter_class(name).capabilities


@pytest.mark.parametrize(
    ("adapter", "expected"),
    [
        ({"type": "file"}, True),
        ({"type": "rest", "url": "u", "path": "/api/rows"}, True),
        ({"type": "rest", "url": "u", "collections": [{"message": "m", "path": "/p"}]}, True),
        ({"type": "rest", "url": "u", "push": {"path": "/in"}}, False),  # push only
        ({"type": "amqp"}, True),
    ],
)
def test_fetches(adapter: dict[str, object], expected: bool) -> None:
    assert fetches(adapter) is expected


def test_sends_when_subscribed_or_pushing() -> None:
    assert sends({"adapter": {"type": "rest", "push": {"path": "/in"}}})
    assert sends({"adapter": {"type": "sftp"}, "subscribe": ["inspection.stored"]})
    assert not sends({"adapter": {"type": "sftp"}, "subscribe": []})
