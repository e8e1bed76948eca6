"""``hub ingest`` and ``hub exchange ...``: run the pipeline, inspect channels, replay, quality."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, select

from hub.errors import ConfigurationError
from hub.exchange.report import RunReport

exchange_app = typer.Typer(help="Channels and their runs.", no_args_is_help=True)


def make_console() -> Console:
    """A console; when output is not a terminal, wide enough that tables stay readable."""
    console = Console()
    return console if console.is_terminal else Console(width=160)


console = make_console()


def store_engine() -> Engine:
    """The configured store, refusing clearly when it has not been created yet."""
    from hub.store.engine import get_engine
    from hub.store.migrate import current_revision

    engine = get_engine()
    if current_revision(engine) is None:
        raise ConfigurationError(
            f"the store at {engine.url.render_as_string()} is not initialised: run `hub db upgrade`"
        )
    return engine


def counts_table(reports: list[RunReport], title: str = "exchange runs") -> Table:
    """The per-channel table: received = stored + duplicates + quarantined, with reasons."""
    table = Table(title=title)
    for column in ("channel", "received", "stored", "duplicates", "quarantined", "balanced"):
        table.add_column(column, justify="left" if column == "channel" else "right")
    table.add_column("quarantine reasons")
    for report in reports:
        reasons = "\n".join(
            f"{count} × {reason}" for reason, count in report.reasons.most_common(5)
        )
        if len(report.reasons) > 5:
            reasons += f"\n… {len(report.reasons) - 5} more"
        table.add_row(
            report.channel,
            f"{report.received:,}",
            f"{report.stored:,}",
            f"{report.duplicates:,}",
            f"{report.quarantined:,}",
            "yes" if report.balanced else "[red]NO[/red]",
            reasons,
        )
    return table


def ingest_command(
    files: Annotated[
        list[Path], typer.Argument(help="files to ingest", exists=True, dir_okay=False)
    ],
    channel: Annotated[
        str, typer.Option("--channel", "-c", help="channel name (see `hub exchange list`)")
    ],
    message: Annotated[
        str | None, typer.Option(help="message type; default: matched by file name")
    ] = None,
) -> None:
    """Run the pipeline on files of a channel and print the balanced counts."""
    from hub.exchange.channels import default_registry
    from hub.exchange.envelopes import Arrival
    from hub.exchange.pipeline import ingest
    from hub.exchange.progress import finish_line, progress_reporter

    registry = default_registry()
    config = registry.get(channel)
    arrivals = [
        Arrival(
            channel=config.name,
            message_type=message or config.message_for_file(path.name).name,
            payload=path.resolve(),
            file_name=path.name,
        )
        for path in files
    ]
    if message is not None:
        config.message(message)
    report = ingest(
        store_engine(),
        config,
        arrivals,
        subscribers=registry.subscribers,
        progress=progress_reporter(),
    )
    finish_line()
    console.print(counts_table([report], title=f"run {report.run_uid}"))
    console.print(
        f"{report.summary()} in {report.elapsed_seconds:.1f} s ({report.rate:,.0f} rows/s)"
    )
    if not report.balanced:
        raise typer.Exit(1)


@exchange_app.command("list")
def list_channels() -> None:
    """Channels with their adapter, messages and last run's counts."""
    from sqlalchemy.orm import Session

    from hub.exchange.channels import default_registry
    from hub.store.models.exchange import ExchangeRun

    engine = store_engine()
    table = Table(title="channels")
    for column in (
        "channel",
        "adapter",
        "messages",
        "last run",
        "status",
        "received",
        "stored",
        "duplicates",
        "quarantined",
    ):
        table.add_column(column)
    with Session(engine) as session:
        for config in default_registry().all():
            last = session.scalars(
                select(ExchangeRun)
                .where(ExchangeRun.channel == config.name)
                .order_by(ExchangeRun.id.desc())
                .limit(1)
            ).first()
            counts = (
                [
                    f"{last.received:,}",
                    f"{last.stored:,}",
                    f"{last.duplicates:,}",
                    f"{last.quarantined:,}",
                ]
                if last
                else ["", "", "", ""]
            )
            table.add_row(
                config.name,
                str(config.adapter.get("type")),
                ", ".join(m.name for m in config.messages),
                last.started_at.strftime("%Y-%m-%d %H:%M") if last else "never",
                last.status if last else "",
                *counts,
            )
    console.print(table)


@exchange_app.command("run")
def run(
    channel: Annotated[str, typer.Argument(help="channel name (see `hub exchange list`)")],
) -> None:
    """Run a channel once through its adapter: fetch what is new, store it, move its cursor."""
    from hub.exchange.channels import default_registry
    from hub.exchange.progress import finish_line, progress_reporter
    from hub.exchange.runner import run_channel

    registry = default_registry()
    report = run_channel(
        store_engine(),
        registry.get(channel),
        subscribers=registry.subscribers,
        progress=progress_reporter(),
    )
    finish_line()
    console.print(counts_table([report], title=f"run {report.run_uid}"))
    console.print(f"{report.summary()} from {report.envelopes} arrival(s)")
    if not report.balanced:
        raise typer.Exit(1)


@exchange_app.command("replay")
def replay(
    channel: Annotated[
        str | None, typer.Option(help="replay every open entry of this channel")
    ] = None,
    ids: Annotated[
        list[int] | None, typer.Option("--id", help="quarantine entry id (repeatable)")
    ] = None,
) -> None:
    """Re-run quarantined records through the current mappings (after a fix)."""
    from hub.exchange.replay import replay_quarantine

    if not channel and not ids:
        raise typer.BadParameter("give --channel or at least one --id")
    summary = replay_quarantine(store_engine(), ids=ids, channel=channel, actor="cli")
    if not summary["channels"]:
        console.print("no open quarantine entries to replay")
        return
    for name, counts in summary["channels"].items():
        console.print(
            f"{name}: replayed {counts['received']} record(s): resolved {counts['resolved']}, "
            f"still quarantined {counts['still_open']} (run {counts['run_id']})"
        )


@exchange_app.command("quality")
def quality(
    timely_hours: Annotated[
        float, typer.Option(help="hours within which a record counts as timely")
    ] = 24.0,
) -> None:
    """Per source and table: correct and wrong records, completeness, timeliness."""
    from hub.exchange.channels import default_registry
    from hub.exchange.quality import quality_report

    table = Table(title="data quality per source and table")
    for column in (
        "channel",
        "record type",
        "correct",
        "wrong",
        "error rate",
        "completeness",
        "timeliness",
    ):
        table.add_column(column)

    def percent(value: float | None) -> str:
        return "" if value is None else f"{value:.1%}"

    for row in quality_report(store_engine(), default_registry(), timely_hours=timely_hours):
        table.add_row(
            row.channel,
            row.record_type,
            f"{row.correct:,}",
            f"{row.wrong:,}",
            percent(row.error_rate),
            percent(row.completeness),
            percent(row.timeliness),
        )
    console.print(table)
