"""``hub conformance TARGET``: certify a channel's remote system, or a whole group at once.

    hub conformance hotline_12345                       # against its simulator, in-process
    hub conformance hotline_12345 --mode schema_drift   # a simulator that breaks the profile
    hub conformance hotline_12345 --url https://12345.example.gov.cn \\
        --set auth.key='${HOTLINE_KEY}'                  # a real system
    hub conformance national                            # every channel of the national system

Prints one row per check and exits 0 only when none failed (skips, with their reasons,
do not fail a run).
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

import typer
from rich.table import Table

from hub.cli.exchange import make_console
from hub.conformance.checks import CheckResult
from hub.errors import UnknownNameError
from hub.exchange.channels import ChannelConfig, default_registry

console = make_console()
_STYLE = {"pass": "[green]pass[/green]", "fail": "[red]FAIL[/red]", "skip": "[yellow]skip[/yellow]"}


def channels_of(target: str) -> list[ChannelConfig]:
    """The channel named ``target``, or every channel whose simulator or system it names."""
    registry = default_registry()
    channels = registry.all()
    named = [c for c in channels if c.name == target]
    group = [c for c in channels if target in (c.simulator, c.system)]
    if not (named or group):
        choices = sorted({c.name for c in channels} | {c.simulator or c.name for c in channels})
        raise UnknownNameError("channel or system", target, choices)
    return named or group


def _modes(pairs: list[str]) -> dict[str, Any]:
    modes: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        modes[name] = (
            (float(value) if value.replace(".", "", 1).isdigit() else value) if sep else True
        )
    return modes


def results_table(rows: list[tuple[str, CheckResult]]) -> Table:
    table = Table(title="conformance")
    for column in ("channel", "check", "result", "detail"):
        table.add_column(column)
    for channel, result in rows:
        table.add_row(channel, result.check, _STYLE[result.status], result.detail)
    return table


def conformance_command(
    target: Annotated[str, typer.Argument(help="a channel, or a system/simulator name (national)")],
    url: Annotated[
        str | None, typer.Option(help="a real endpoint instead of the simulator")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="adapter setting KEY=VALUE (dotted keys nest; ${ENV} allowed)"),
    ] = None,
    mode: Annotated[
        list[str] | None,
        typer.Option(help="simulator fault or non-conforming mode NAME[=VALUE]"),
    ] = None,
) -> None:
    """Run the standard checks against a channel's remote; exit 1 if any check fails."""
    from hub.conformance.checks import run_suite
    from hub.conformance.target import open_target, parse_overrides

    # The checks cut connections on purpose; the transports' own logs of it are noise here.
    for library in ("pika", "paramiko"):
        logging.getLogger(library).setLevel(logging.CRITICAL)
    overrides = parse_overrides(set_ or [])
    rows: list[tuple[str, CheckResult]] = []
    for channel in channels_of(target):
        with open_target(
            channel, url=url, overrides=overrides, simulator_faults=_modes(mode or [])
        ) as aimed:
            rows.extend((channel.name, result) for result in run_suite(aimed))
    if target == "national":  # the push: signatures, receipts, reconciliation query
        from hub.conformance.national import national_push_checks

        rows.extend(("national_push", result) for result in national_push_checks(url=url))
    console.print(results_table(rows))
    failures = [f"{channel}: {r.check}" for channel, r in rows if r.status == "fail"]
    if failures:
        console.print(f"[red]{len(failures)} check(s) failed:[/red] {', '.join(failures)}")
        raise typer.Exit(1)
    console.print(f"all {sum(r.status == 'pass' for _, r in rows)} checks passed")
