"""``hub national``: push to the national system, look at what it refused, replay, reconcile,
pull an entity's records from elsewhere.

    hub national push                    send what changed, in signed batches
        [--transport rest|soap]          over REST or SOAP SubmitBatch (default: push.yaml's)
    hub national rejections              what the national system refused, with its reasons
    hub national replay KEY... | --all   send refused records again (after a fix)
    hub national reconcile [DATE] [--all]   compare with the national accepted-data query
        [--transport rest|soap]          asked over REST or SOAP QueryAccepted (and re-sent so)
    hub national pull USCC               an entity's records in other regions and departments

Exit codes: ``reconcile`` 1 while differences remain; ``push`` 1 when records were rejected,
held, or the national system was unavailable; 2 when a command could not run at all
(configuration, store, unknown key).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from hub.cli.exchange import make_console, store_engine
from hub.errors import HubError
from hub.national.config import Transport
from hub.national.reconcile import DayComparison

national_app = typer.Typer(
    help="The national 互联网+监管 system: push, rejections, replay, reconcile, pull.",
    no_args_is_help=True,
)
console = make_console()


def _fail(exc: HubError) -> typer.Exit:
    console.print(f"[red]national:[/red] {escape(str(exc))}", highlight=False)
    return typer.Exit(code=2)


def reconciliation_table(comparisons: list[DayComparison]) -> Table:
    """Per data type and day: both counts and checksums, the differences, what was re-sent."""
    table = Table(title="national reconciliation (hub sent vs national accepted)")
    for column in ("day", "data type"):
        table.add_column(column)
    table.add_column("hub", justify="right")
    table.add_column("national", justify="right")
    table.add_column("hub checksum")
    table.add_column("national checksum")
    table.add_column("missing", justify="right")
    table.add_column("unexpected", justify="right")
    table.add_column("re-sent", justify="right")
    table.add_column("")
    for c in comparisons:
        table.add_row(
            c.day.isoformat(),
            c.data_type,
            f"{c.hub_count:,}",
            f"{c.national_count:,}",
            c.hub_checksum[:12],
            c.national_checksum[:12],
            str(len(c.missing)),
            str(len(c.unexpected)),
            str(c.resent),
            "[green]agrees[/green]" if c.agrees else "[red]differs[/red]",
        )
    return table


@national_app.command("push")
def push_command(
    transport: Annotated[
        Transport | None,
        typer.Option(help="what carries the batches (default: push.yaml's transport)"),
    ] = None,
) -> None:
    """Plan what changed since the national system's receipts and send it, signed."""
    from dataclasses import replace

    from hub.national.config import load_config
    from hub.national.push import push

    try:
        config = load_config()
        config = replace(config, transport=transport or config.transport)
        report = push(store_engine(), config)
    except HubError as exc:
        raise _fail(exc) from exc
    table = Table(title="national push")
    for column in ("data type", "i", "u", "d"):
        table.add_column(column, justify="left" if column == "data type" else "right")
    for data_type, operations in sorted(report.planned.items()):
        table.add_row(data_type, *(str(operations[op]) for op in ("i", "u", "d")))
    console.print(table)
    console.print(
        f"batches sent {report.batches_sent} over {config.transport}, "
        f"records accepted {report.accepted}, "
        f"rejected {report.rejected}, held {report.held}"
        + (
            f", repeated receipt results ignored {report.repeated_results}"
            if report.repeated_results
            else ""
        )
    )
    if report.stopped:
        console.print(f"[red]{escape(report.stopped)}[/red]", highlight=False)
    if report.stopped or report.rejected or report.held:
        raise typer.Exit(code=1)


@national_app.command("rejections")
def rejections_command() -> None:
    """Records the national system refused (its reasons) and records held by the hub."""
    from hub.national.rejections import rejections

    found = rejections(store_engine())
    if not found:
        console.print("nothing rejected or held")
        return
    table = Table(title="national rejections")
    for column in ("data type", "key", "op", "status", "batch", "reasons"):
        table.add_column(column)
    for rejection in found:
        table.add_row(
            rejection.data_type,
            escape(rejection.key),
            rejection.operation,
            rejection.status,
            rejection.batch_number or "(not sent)",
            escape("\n".join(rejection.reasons)),
        )
    console.print(table)


@national_app.command("replay")
def replay_command(
    keys: Annotated[list[str] | None, typer.Argument(help="record keys to send again")] = None,
    every: Annotated[bool, typer.Option("--all", help="every rejected record")] = False,
) -> None:
    """Send rejected records again, as they are in the store now."""
    from hub.national.push import push
    from hub.national.rejections import replay

    if bool(keys) == every:
        console.print("[red]give record keys or --all[/red]")
        raise typer.Exit(code=2)
    engine = store_engine()
    try:
        chosen = replay(engine, None if every else keys)
        report = push(engine)
    except HubError as exc:
        raise _fail(exc) from exc
    console.print(
        f"replayed {len(chosen)}: accepted {report.accepted}, rejected {report.rejected}, "
        f"held {report.held}"
    )
    if report.rejected or report.stopped:
        raise typer.Exit(code=1)


@national_app.command("reconcile")
def reconcile_command(
    day: Annotated[
        str | None, typer.Argument(help="batch date YYYY-MM-DD (default: yesterday, CST)")
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="every day with data")] = False,
    transport: Annotated[
        Transport | None,
        typer.Option(help="what carries the query and the re-sent batches (default: push.yaml's)"),
    ] = None,
) -> None:
    """Compare counts and checksums with the national system; re-send what it lacks."""
    from dataclasses import replace

    from hub.national.config import load_config
    from hub.national.reconcile import days_with_data, reconcile, yesterday

    engine = store_engine()
    try:
        days = (
            days_with_data(engine) if every else [date.fromisoformat(day) if day else yesterday()]
        )
    except ValueError as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(code=2) from exc
    try:
        config = load_config()
        config = replace(config, transport=transport or config.transport)
        comparisons = reconcile(engine, config, days=days)
    except HubError as exc:
        raise _fail(exc) from exc
    console.print(reconciliation_table(comparisons))
    for c in comparisons:
        for key in c.missing:
            console.print(f"  {c.day} {c.data_type} missing at national: {escape(key)}")
        for key in c.unexpected:
            console.print(f"  {c.day} {c.data_type} not accepted at the hub: {escape(key)}")
    if not all(c.agrees for c in comparisons):
        raise typer.Exit(code=1)


@national_app.command("pull")
def pull_command(uscc: Annotated[str, typer.Argument(help="统一社会信用代码")]) -> None:
    """An entity's supervision records in other regions and State Council departments."""
    from hub.national.pull import pull_entity

    try:
        rows = pull_entity(uscc)
    except HubError as exc:
        raise _fail(exc) from exc
    table = Table(title=f"{uscc}: records outside the province")
    for column in ("source", "type", "number", "action", "on", "result"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            escape(f"{row.get('source_name')} ({row.get('source_code')})"),
            escape(str(row.get("data_type"))),
            escape(str(row.get("record_number"))),
            escape(str(row.get("action_name"))),
            escape(str(row.get("acted_on"))),
            escape(str(row.get("result"))),
        )
    console.print(table if rows else f"no records about {uscc} outside the province")
