"""``hub catalog``: the supervision item catalog from the command line.

    hub catalog stats [--as-of 2026-06-30]   counts, coverage by department and region, unused
    hub catalog export --out catalog.json    the province's catalog as national push batches
    hub catalog conflicts                    one name under several codes; refused import rows
    hub catalog bases CODE                   the knowledge-base articles an item's basis cites
    hub catalog link CODE --law FL0001 [--article 106] --reason WHY --actor NAME
    hub catalog unlink CODE --law FL0001 [--article 106] --reason WHY --actor NAME

Other work on items (create, edit, review, publish, claim, implementation lists) goes
through the work API, where each step has a person behind it; linking the basis is here too
because the knowledge base is often curated by one person in bulk, who names themselves.
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

from hub.catalog.bases import cited_articles, link_article, unlink_article
from hub.catalog.conflicts import find_conflicts
from hub.catalog.export import export_catalog, write_export
from hub.catalog.lifecycle import get_item
from hub.catalog.statistics import CatalogStatistics, Coverage, catalog_statistics
from hub.catalog.versions import Actor
from hub.cli.exchange import make_console, store_engine
from hub.errors import HubError

BEIJING = timezone(timedelta(hours=8))
UNUSED_SHOWN = 20
EVERY_LEVEL = ("province", "city", "county")

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


def print_coverage(
    out: Console, stats: CatalogStatistics, levels: tuple[str, ...] = EVERY_LEVEL
) -> None:
    """The coverage tables by department and by region at ``levels``, and the overall line."""
    window = f"{stats.since:%Y-%m-%d} to {stats.as_of:%Y-%m-%d}"
    out.print(
        coverage_table(stats.coverage_by_department, f"catalog coverage, {window}", "department")
    )
    for level in levels:
        rows = [row for row in stats.coverage_by_region if row.level == level]
        if rows:
            out.print(coverage_table(rows, f"catalog coverage by {level}, {window}", level))
    total = stats.total
    out.print(
        f"published main items covered: {total.main_covered}/{total.main_items} "
        f"({_ratio(total.main_covered, total.main_items)}); sub-items "
        f"{total.sub_covered}/{total.sub_items} ({_ratio(total.sub_covered, total.sub_items)})"
    )


def demo_coverage(out: Console, engine: Engine, as_of: date) -> None:
    """The demo's coverage, as of the end of its reference day (Beijing time): the province
    and its cities (``hub catalog stats`` adds the counties)."""
    moment = datetime.combine(as_of, time(23, 59, 59), tzinfo=BEIJING)
    with Session(engine) as session:
        print_coverage(out, catalog_statistics(session, as_of=moment), ("province", "city"))


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


CodeArgument = Annotated[str, typer.Argument(help="the item's 14-digit catalog code")]
LawOption = Annotated[str, typer.Option("--law", help="the law's code in the knowledge base")]
ArticleOption = Annotated[
    str | None, typer.Option("--article", help="the article number (none: the whole law)")
]
ReasonOption = Annotated[str, typer.Option("--reason", help="why (recorded in the history)")]
ActorOption = Annotated[str, typer.Option("--actor", help="who takes the step")]
DepartmentOption = Annotated[
    str | None, typer.Option("--department", help="the actor's department, e.g. SCJG-34")
]


def _print_bases(session: Session, code: str) -> None:
    rows = cited_articles(session, code)
    if not rows:
        console.print(f"catalog item {code} cites no knowledge-base article")
        return
    table = Table(title=f"legal basis of {code}")
    for column in ("law", "title", "status", "article", "text"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row.law_code,
            row.title or "-",
            row.law_status or "-",
            row.article_number or "(whole law)",
            row.text or "-",
        )
    console.print(table)


def _refused(error: HubError) -> typer.Exit:
    console.print(f"[red]refused:[/red] {error}", highlight=False)
    return typer.Exit(1)


@catalog_app.command("bases")
def bases_command(code: CodeArgument) -> None:
    """The knowledge-base articles an item's legal basis cites."""
    with Session(store_engine()) as session:
        try:
            get_item(session, code)
        except HubError as error:
            raise _refused(error) from None
        _print_bases(session, code)


@catalog_app.command("link")
def link_command(
    code: CodeArgument,
    law: LawOption,
    reason: ReasonOption,
    actor: ActorOption,
    article: ArticleOption = None,
    department: DepartmentOption = None,
) -> None:
    """Link an item's legal basis to a law (or one of its articles); versioned and audited."""
    with Session(store_engine()) as session:
        try:
            item = get_item(session, code)
            link_article(session, item, law, article, actor=Actor(actor, department), reason=reason)
        except HubError as error:
            raise _refused(error) from None
        session.commit()
        _print_bases(session, code)


@catalog_app.command("unlink")
def unlink_command(
    code: CodeArgument,
    law: LawOption,
    reason: ReasonOption,
    actor: ActorOption,
    article: ArticleOption = None,
    department: DepartmentOption = None,
) -> None:
    """Remove a link of an item's legal basis; versioned and audited."""
    with Session(store_engine()) as session:
        try:
            item = get_item(session, code)
            unlink_article(
                session, item, law, article, actor=Actor(actor, department), reason=reason
            )
        except HubError as error:
            raise _refused(error) from None
        session.commit()
        _print_bases(session, code)
