"""The demo's live part: every channel with a simulator runs once against it, in-process.

Each simulator starts on a free port, its ``environment`` points its channels' ``${ENV}``
settings at it, and ``hub exchange run``'s own code (``run_channel``) fetches through the
channel's real adapter: REST, SOAP, SFTP, or AMQP on the local broker. A channel that cannot
run here is listed with the reason (no AMQP broker answering, a channel that only sends).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Engine

from adapters.secrets import environment_overlay
from hub.errors import RemoteUnavailable
from hub.exchange.channels import ChannelConfig, ChannelRegistry
from hub.exchange.report import RunReport
from hub.exchange.runner import channel_fetches, run_channel
from simulators.registry import SimulatorOptions, start_simulator


@dataclass
class SimulatedRuns:
    """What the live part did: a report per channel run, and the channels left out, why."""

    reports: list[RunReport] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def run_simulated_channels(engine: Engine, registry: ChannelRegistry) -> SimulatedRuns:
    """Run every channel that has a simulator once against it, grouped by simulator."""
    runs = SimulatedRuns()
    groups: dict[str, list[ChannelConfig]] = defaultdict(list)
    for channel in registry.all():
        if channel.simulator is None:
            continue
        if channel_fetches(channel):
            groups[channel.simulator].append(channel)
        else:
            runs.skipped.append((channel.name, "sends only: the outbox dispatches to it"))
    for name, channels in groups.items():
        try:
            simulator = start_simulator(name, SimulatorOptions())
        except RemoteUnavailable as exc:  # the AMQP simulator without a broker, say
            runs.skipped.extend((channel.name, f"skipped: {exc}") for channel in channels)
            continue
        try:
            if hasattr(simulator, "wait"):
                simulator.wait()  # a publisher: every event published and confirmed
            with environment_overlay(dict(getattr(simulator, "environment", {}))):
                for channel in channels:
                    runs.reports.append(
                        run_channel(engine, channel, subscribers=registry.subscribers)
                    )
        finally:
            simulator.stop()
    return runs
