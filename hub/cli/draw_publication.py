"""``hub draw late``: inspection results whose publication is late or due soon.

    hub draw late [--within N] [--department CODE]

Records the receipts that came back first (a result is published once its receipt is in),
then lists the late publications and those due within N working days (default
``HUB_PUBLICATION_ALERT_WORKING_DAYS``, 5), each with where it stands: ``not_queued`` (never
sent to the outbox), ``pending``, ``rejected`` or ``dead`` (see ``hub outbox list``).
Exit code 1 when any publication is late, so a script can alert on it.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import sessionmaker

from hub.cli.exchange import make_console, store_engine
from hub.draws.publication import PendingPublication, PublicationSettings, deadline_report
from hub.store.base import utcnow

console = make_console()


def late_command(
    within: Annotated[
        int | None,
        typer.Option(min=0, help="also list results due within N working days"),
    ] = None,
    department: Annotated[
        str | None, typer.Option(help="only the results this department recorded")
    ] = None,
) -> None:
    """List late publications of inspection results, and those due soon."""
    days = within if within is not None else PublicationSettings().alert_working_days
    with sessionmaker(bind=store_engine()).begin() as session:
        report = deadline_report(session, utcnow(), days, department_code=department)
    if report.receipts_recorded:
        console.print(f"{report.receipts_recorded} publication receipt(s) recorded")
    console.print(_table(f"late: {len(report.late)}", report.late))
    console.print(
        _table(f"due within {days} working days: {len(report.due_soon)}", report.due_soon)
    )
    if report.late:
        raise typer.Exit(code=1)


def _table(title: str, items: list[PendingPublication]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("result", "draw", "department", "due (Beijing)", "working days left", "state"):
        table.add_column(column)
    for item in items:
        due = item.due_at.strftime("%Y-%m-%d %H:%M") + (
            " (provisional)" if item.provisional else ""
        )
        state = item.state + (f": {item.last_error}" if item.last_error else "")
        table.add_row(
            item.result_number,
            str(item.draw_id),
            item.department_code,
            due,
            str(item.working_days_left),
            escape(state),
        )
    return table
