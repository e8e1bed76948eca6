"""The demo's national docking: push the demo store to the national simulator, reconcile.

The simulator runs in-process and requires signatures; it hands the demo a fresh province
key (``HUB_NATIONAL_SIGNING_KEY``) with its address, as it would be set in ``.env``. The
sample carries every field the national profile requires (reporters, catalog and
implementation-list codes, the draw's implementing agency), so every record is accepted; what
the push would hold back or the national side reject is counted, not hidden: ``hub national
rejections`` lists it with the reasons.
"""

from __future__ import annotations

from rich.console import Console
from sqlalchemy import Engine

from adapters.secrets import environment_overlay
from hub.cli.national import reconciliation_table
from hub.national.push import push
from hub.national.reconcile import days_with_data, reconcile
from simulators.national import NationalSimulator
from simulators.registry import SimulatorOptions


def push_to_national(console: Console, engine: Engine) -> None:
    """Push everything to the in-process national simulator and print the reconciliation."""
    simulator = NationalSimulator(SimulatorOptions(faults={"require_signature": True}))
    try:
        with environment_overlay(simulator.environment):
            report = push(engine)
            comparisons = reconcile(engine, days=days_with_data(engine))
    finally:
        simulator.stop()
    planned = sum(sum(operations.values()) for operations in report.planned.values())
    console.print(
        f"national push: {planned} record(s) in {report.batches_sent} signed batch(es), "
        f"accepted {report.accepted}, rejected {report.rejected}, held {report.held} "
        "(`hub national rejections` lists the reasons)"
    )
    console.print(reconciliation_table(comparisons))
