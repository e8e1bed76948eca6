"""``hub catalog``: the supervision item catalog from the command line.

    hub catalog stats [--as-of 2026-06-30]   counts, coverage by department and city, unused
    hub catalog export --out catalog.json    the province's catalog as national push batches
    hub catalog conflicts                    one name under several codes; refused import rows

Work on items (create, edit, review, publish, claim) goes through the work API, where each
step has a person behind it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hub.catalog.conflicts import find_conflicts
from hub.catalog.export import export_catalog, write_export
from hub.catalog.statistics import CatalogStatistics, Coverage, catalog_statistics
from hub.cli.exchange import make_console, store_engine

BEIJING = timezone(timedelta(hours=8))
UNUSED_SHOWN = 20

catalog_app = typer.Typer(
    help="The supervision item catalog (监管事项目录): statistics, export, conflicts.",
    no_args_is_help=True,
)
console = make_console()


def _ratio(covered: int, total: int) -> str:
    return f"{covered / total:.1%}" if total else "-"


def coverage_table(rows: list[Coverage], title: str, group: str) -> Table:
    """Main and sub-item coverage (监管事项覆盖率), one row per group."""
    table = Table(title=title)
    table.add_column(group)
    for column in (
        "main items",
        "covered",
        "main coverage",
        "sub-items",
        "covered",
        "sub coverage",
    ):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(
            row.group,
            f"{row.main_items:,}",
            f"{row.main_covered:,}",
            _ratio(row.main_covered, row.main_items),
            f"{row.sub_items:,}",
            f"{row.sub_covered:,}",
            _ratio(row.sub_covered, row.sub_items),
        )
    return table


def print_coverage(out: Console, stats: CatalogStatistics) -> None:
    """The coverage tables by department and by city, and the overall line."""
    window = f"{stats.since:%Y-%m-%d} to {stats.as_of:%Y-%m-%d}"
    out.print(
        coverage_table(stats.coverage_by_department, f"catalog coverage, {window}", "department")
    )
    out.print(
        coverage_table(stats.coverage_by_region, f"catalog coverage by city, {window}", "city")
    )
    total = stats.total
    out.print(
        f"published main items covered: {total.main_covered}/{total.main_items} "
        f"({_ratio(total.main_covered, total.main_items)}); sub-items "
        f"{total.sub_covered}/{total.sub_items} ({_ratio(total.sub_covered, total.sub_items)})"
    )


def demo_coverage(out: Console, engine: Engine, as_of: date) -> None:
    """The demo's coverage, as of the end of its reference day (Beijing time)."""
    moment = datetime.combine(as_of, time(23, 59, 59), tzinfo=BEIJING)
    with Session(engine) as session:
        print_coverage(out, catalog_statistics(session, as_of=moment))


def _counts(title: str, counts: dict[str, int]) -> Table:
    table = Table(title=title)
    table.add_column("value")
    table.add_column("items", justify="right")
    for value, count in counts.items():
        table.add_row(value, f"{count:,}")
    return table


@catalog_app.command("stats")
def stats_command(
    as_of: Annotated[
        datetime | None, typer.Option(help="end of the twelve-month window (default now)")
    ] = None,
) -> None:
    """Published items by department, level and manner; coverage; items never used."""
    moment = None if as_of is None else (as_of if as_of.tzinfo else as_of.replace(tzinfo=BEIJING))
    with Session(store_engine()) as session:
        stats = catalog_statistics(session, as_of=moment or datetime.now(UTC))
    console.print(_counts("published items by department", stats.by_department))
    console.print(_counts("published items by level", stats.by_level))
    console.print(_counts("published items by manner", stats.by_manner))
    print_coverage(console, stats)
    shown = ", ".join(stats.never_used[:UNUSED_SHOWN])
    more = (
        f" … and {len(stats.never_used) - UNUSED_SHOWN} more"
        if len(stats.never_used) > UNUSED_SHOWN
        else ""
    )
    console.print(
        f"items never used: {len(stats.never_used)}" + (f": {shown}{more}" if shown else "")
    )


@catalog_app.command("export")
def export_command(
    out: Annotated[Path, typer.Option("--out", help="JSON file to write the batches to")],
    province: Annotated[str, typer.Option(help="the sending province's region code")] = "340000",
) -> None:
    """Write the province's published catalog as national push batches (catalog_item)."""
    with Session(store_engine()) as session:
        export = export_catalog(session, province=province)
    write_export(export, out)
    console.print(f"{export.records} item(s) in {len(export.batches)} batch(es) written to {out}")
    for code, why in export.skipped:
        console.print(f"  [yellow]left out[/yellow] {code}: {why}", highlight=False)


@catalog_app.command("conflicts")
def conflicts_command() -> None:
    """Items of one department line sharing a name under different codes, and import rows
    refused as conflicts that are still in quarantine."""
    with Session(store_engine()) as session:
        conflicts = find_conflicts(session)
    if not conflicts:
        console.print("no conflicts")
        return
    table = Table(title=f"{len(conflicts)} catalog conflict(s)")
    for column in ("kind", "where", "codes", "name", "detail"):
        table.add_column(column)
    for conflict in conflicts:
        table.add_row(
            conflict.kind,
            conflict.seen_in,
            ", ".join(conflict.codes),
            conflict.name,
            conflict.detail,
        )
    console.print(table)
