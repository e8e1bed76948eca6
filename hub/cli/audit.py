"""``hub audit ...``: operator commands for the hash-chained audit log.

The sub-app is mounted by ``hub.cli.main`` as ``hub audit``; it lives apart so the audit log
can be checked (and tested) without the rest of the CLI.

Exit codes of ``hub audit verify``: 0 intact, 1 the chain or its anchor shows a problem,
2 the check could not run (database unreachable, table missing).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import SQLAlchemyError

from hub.audit import AuditAnchor, FileAnchor, VerifyReport, default_anchor, verify
from hub.store.engine import session_scope

audit_app = typer.Typer(
    help="Check the append-only, hash-chained audit log against its anchor.",
    no_args_is_help=True,
)


@audit_app.callback()
def _audit() -> None:
    """Audit log commands (kept as a group even while ``verify`` is the only one)."""


@audit_app.command("verify")
def verify_command(
    anchor_path: Annotated[
        Path | None,
        typer.Option(
            "--anchor",
            help="Anchor file to check against (default: HUB_AUDIT_ANCHOR_PATH).",
        ),
    ] = None,
) -> None:
    """Recompute every hash, check links, numbering and the head against the anchor."""
    console = Console(highlight=False)
    anchor: AuditAnchor = FileAnchor(anchor_path) if anchor_path else default_anchor()
    try:
        with session_scope() as session:
            report = verify(session, anchor)
    except SQLAlchemyError as exc:
        console.print(
            f"[red]cannot read the audit log:[/red] {escape(str(exc).splitlines()[0])} "
            "(is the database reachable and upgraded with `hub db upgrade`?)"
        )
        raise typer.Exit(code=2) from exc
    _print_report(console, report)
    if not report.ok:
        raise typer.Exit(code=1)


def _print_report(console: Console, report: VerifyReport) -> None:
    """One line per problem and warning, then a summary line."""
    for problem in report.problems:
        console.print(f"[red]PROBLEM[/red] {escape(problem)}")
    for warning in report.warnings:
        console.print(f"[yellow]warning[/yellow] {escape(warning)}")
    if report.ok:
        if report.head_seq is None:
            console.print("[green]audit log intact: 0 entries (empty)[/green]")
        else:
            console.print(
                f"[green]audit log intact: {report.entries_checked} entries, "
                f"head {report.head_seq} {(report.head_hash or '')[:12]}[/green]"
            )
    else:
        count = len(report.problems)
        console.print(
            f"[red]audit log NOT intact: {count} problem{'s' if count != 1 else ''} "
            f"in {report.entries_checked} entries[/red]"
        )
