"""``hub cases``: complaint cases from the command line.

hub cases intake             turn stored complaints into cases (merge, route, triage)
hub cases route [--explain TRACKING_NO]   the routing table, or why one case went where it went
hub cases check-deadlines    send due reminders (催办) and escalations (督办), once each
hub cases stats [--by department|region|category]   volumes, on-time and satisfaction rates
"""

from __future__ import annotations

from typing import Annotated, cast

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.cases.statistics import GroupBy
from hub.cli.exchange import make_console, store_engine
from hub.errors import NotFoundError

cases_app = typer.Typer(
    help="Complaint cases (投诉举报): intake, routing, time limits, statistics.",
    no_args_is_help=True,
)
console = make_console()
GROUPINGS = ("department", "region", "category")


@cases_app.command("intake")
def intake_command() -> None:
    """Take in every stored complaint that no case holds yet (idempotent)."""
    from hub.cases.intake import intake_pending

    report = intake_pending(store_engine())
    console.print(
        f"opened {report.opened} case(s), merged {report.merged} complaint(s); "
        f"routed {report.routed}, to triage {report.triaged}"
    )
    for reason, count in sorted(report.triage_reasons.items()):
        console.print(f"  triage: {escape(reason)}: {count}", highlight=False)


@cases_app.command("route")
def route_command(
    explain: Annotated[
        str | None, typer.Option("--explain", help="a case's tracking number")
    ] = None,
) -> None:
    """Print the routing table (cases per rule and department line), or why one case went
    where it went."""
    engine = store_engine()
    if explain is None:
        print_routing_table(engine)
        return
    from hub.store.models.cases import Case

    with Session(engine) as session:
        case = session.scalars(select(Case).where(Case.tracking_no == explain)).one_or_none()
        if case is None:
            raise NotFoundError(f"no case {explain}")
        console.print(f"{case.tracking_no}: rule {case.routing_rule or '-'}", highlight=False)
        for step in (case.routing_explanation or "").split("; "):
            if step:
                console.print(f"  {escape(step)}", highlight=False)
        if case.triage_reason:
            console.print(f"  triage: {escape(case.triage_reason)}", highlight=False)


def print_routing_table(engine: Engine) -> None:
    """Cases per routing rule and department line, triage by reason."""
    from hub.cases.statistics import routing_table

    with Session(engine) as session:
        rows = routing_table(session)
    table = Table(title="cases by routing rule")
    for column in ("rule", "line", "departments", "cases"):
        table.add_column(column, justify="left" if column in ("rule", "line") else "right")
    for row in rows:
        table.add_row(row.rule, row.line, str(row.departments), str(row.cases))
    console.print(table)


@cases_app.command("check-deadlines")
def check_deadlines_command() -> None:
    """Send the reminders and escalations due now (each once, however often this runs)."""
    from hub.workflow.deadlines import check_time_limits

    report = check_time_limits(engine=store_engine())
    console.print(
        f"checked {report['checked']} instance(s): {report['reminders']} reminder(s), "
        f"{report['escalations']} escalation(s) sent"
    )


@cases_app.command("stats")
def stats_command(
    by: Annotated[
        str, typer.Option("--by", help="department, region (city) or category")
    ] = "department",
) -> None:
    """Volumes, open and overdue cases, on-time and satisfaction rates."""
    if by not in GROUPINGS:
        raise typer.BadParameter(f"--by must be one of {', '.join(GROUPINGS)}")
    print_statistics(store_engine(), cast(GroupBy, by))


def print_statistics(engine: Engine, by: GroupBy) -> None:
    from hub.cases.statistics import case_statistics, total

    with Session(engine) as session:
        tallies = case_statistics(session, by=by)
    table = Table(title=f"cases by {by}")
    columns = ("group", "cases", "open", "overdue", "answered", "on time", "satisfaction")
    for column in columns:
        table.add_column(column, justify="left" if column == "group" else "right")
    for tally in [*tallies, total(tallies)]:
        table.add_row(
            tally.group,
            str(tally.cases),
            str(tally.open),
            str(tally.overdue),
            str(tally.answered),
            _rate(tally.on_time_rate),
            _rate(tally.satisfaction_rate),
        )
    console.print(table)


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"
