"""``hub outbox dispatch|list|replay``: send outbound work, look at it, and replay it.

Exit code of ``hub outbox dispatch``: 1 when a message was rejected or went dead, or a
destination's configuration held its messages back (an operator should look), else 0.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.cli.exchange import make_console, store_engine
from hub.exchange.dispatch import DEFAULT_LIMIT, OUTCOMES, DispatchReport

outbox_app = typer.Typer(help="Outbound messages: send, inspect, replay.", no_args_is_help=True)
console = make_console()

DestinationOption = Annotated[
    str | None, typer.Option("--destination", "-d", help="only this destination channel")
]


def dispatch_table(report: DispatchReport) -> Table:
    """Per destination: sent, rejected, retrying, dead, and what held a destination back."""
    table = Table(title=f"outbox dispatch {report.run_uid}")
    table.add_column("destination")
    for outcome in OUTCOMES:
        table.add_column(outcome, justify="right")
    table.add_column("error")
    for name, tally in sorted(report.destinations.items()):
        table.add_row(
            name,
            *(f"{getattr(tally, outcome):,}" for outcome in OUTCOMES),
            f"[red]{escape(tally.error)}[/red]" if tally.error else "",
        )
    return table


@outbox_app.command("dispatch")
def dispatch(
    destination: DestinationOption = None,
    limit: Annotated[
        int, typer.Option(min=1, help="messages per destination in this run")
    ] = DEFAULT_LIMIT,
) -> None:
    """Send the due messages with their idempotency keys; mark them on the remote's receipt."""
    from hub.exchange.channels import default_registry
    from hub.exchange.dispatch import dispatch_outbox

    report = dispatch_outbox(
        store_engine(), default_registry(), destination=destination, limit=limit
    )
    if not report.destinations:
        console.print("no outbox messages are due")
        return
    console.print(dispatch_table(report))
    if report.failed:
        raise typer.Exit(1)


@outbox_app.command("list")
def list_messages(
    status: Annotated[
        str | None,
        typer.Option(help="pending, sent, rejected or dead (default: all but sent)"),
    ] = None,
    destination: DestinationOption = None,
    limit: Annotated[int, typer.Option(min=1, help="newest messages shown")] = 100,
) -> None:
    """Outbox messages, newest first, with their attempts, last error and receipt."""
    from hub.store.models.exchange import OutboxMessage

    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    query = query.where(
        OutboxMessage.status == status if status else OutboxMessage.status != "sent"
    )
    if destination:
        query = query.where(OutboxMessage.destination == destination)
    table = Table(title="outbox")
    for column in ("id", "destination", "event", "record", "status", "attempts", "next attempt"):
        table.add_column(column, justify="right" if column in ("id", "attempts") else "left")
    table.add_column("last error / receipt", overflow="fold")
    with Session(store_engine()) as session:
        for row in session.scalars(query):
            table.add_row(
                str(row.id),
                row.destination,
                row.event_type,
                f"{row.record_type}:{row.record_id}" if row.record_type else "",
                row.status,
                str(row.attempts),
                row.next_attempt_at.strftime("%Y-%m-%d %H:%M:%S")
                if row.status == "pending"
                else "",
                escape(row.last_error or row.receipt or ""),
            )
    console.print(table)


@outbox_app.command("replay")
def replay(
    ids: Annotated[list[int] | None, typer.Argument(help="outbox message ids")] = None,
    destination: DestinationOption = None,
) -> None:
    """Put dead and rejected messages back to pending (after a fix), attempts reset."""
    from hub.exchange.dispatch import replay as replay_messages

    if not ids and not destination:
        raise typer.BadParameter("give message ids or --destination")
    replayed = replay_messages(store_engine(), ids, destination, actor="cli")
    if not replayed:
        console.print("no dead or rejected messages to replay")
        return
    console.print(
        f"{len(replayed)} message(s) back to pending: {', '.join(map(str, replayed))}; "
        "`hub outbox dispatch` sends them"
    )
