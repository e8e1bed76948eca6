"""What a conformance run talks to: a channel's simulator started in-process, or a real
endpoint named on the command line, with the channel's settings pointed at it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from adapters.registry import adapter_class
from adapters.secrets import environment_overlay
from hub.errors import ConfigurationError
from hub.exchange.channels import ChannelConfig
from simulators.registry import SimulatorOptions, start_simulator


@dataclass
class Target:
    """The channel as the checks run it (settings resolved) and the simulator, if ours."""

    channel: ChannelConfig  # settings aimed at the target, ${ENV} references unresolved
    simulator: Any | None = None
    modes: dict[str, Any] = dataclasses.field(default_factory=dict)  # the simulator's at start

    @property
    def faults_settable(self) -> bool:
        return self.simulator is not None and hasattr(self.simulator, "set_faults")

    def set_faults(self, faults: dict[str, Any]) -> None:
        if self.simulator is not None:
            self.simulator.set_faults(faults)


def parse_overrides(pairs: list[str]) -> dict[str, Any]:
    """``key=value`` pairs (dotted keys nest: ``auth.key=${MY_KEY}``) as adapter settings."""
    settings: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ConfigurationError(f"--set {pair!r}: expected key=value")
        *parents, leaf = key.split(".")
        node = settings
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = int(value) if value.isdigit() else value
    return settings


def _merged(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


def _pointed_at(adapter: dict[str, Any], url: str) -> dict[str, Any]:
    """The adapter settings aimed at ``url`` (a URL adapter's address, or SFTP's host:port)."""
    kind = adapter_class(str(adapter["type"]))
    if kind.url_setting is not None:
        return {**adapter, kind.url_setting: url}
    parts = urlsplit(url if "//" in url else f"//{url}")
    if parts.hostname is None:
        raise ConfigurationError(f"--url {url!r}: no host in it")
    return kind.with_endpoint(adapter, parts.hostname, parts.port or 22)


@contextmanager
def open_target(
    channel: ChannelConfig,
    *,
    url: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    simulator_faults: Mapping[str, Any] | None = None,
) -> Iterator[Target]:
    """The channel aimed at its remote, for the length of the block.

    With ``url`` the remote is a real system and the channel's own ``${ENV}`` references fill
    the rest; otherwise the channel's simulator is started here (with ``simulator_faults``:
    its non-conforming modes) and its environment points the channel at it. A channel with
    neither uses its settings and environment as they are. ``overrides`` apply in every case.
    """
    adapter = _merged(channel.adapter, overrides or {})
    if url is not None:
        adapter = _pointed_at(adapter, url)
    simulator: Any | None = None
    pointing: dict[str, str] = {}
    if url is None and channel.simulator is not None:
        simulator = start_simulator(
            channel.simulator, SimulatorOptions(faults=dict(simulator_faults or {}))
        )
        pointing = dict(getattr(simulator, "environment", {}))
    try:
        with environment_overlay(pointing):  # for the whole run: settings resolve when built
            yield Target(
                dataclasses.replace(channel, adapter=adapter),
                simulator,
                dict(simulator_faults or {}),
            )
    finally:
        if simulator is not None:
            simulator.stop()
