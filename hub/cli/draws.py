"""``hub draw``: check a random inspection draw (双随机) from the command line.

    hub draw verify DRAW_ID    re-run the draw from the stored lists and the revealed seed

Exit codes of ``verify``: 0 the draw holds, 1 a check failed, 2 it could not be checked
(no such draw, seed not revealed yet, store not initialised). The steps of a draw (plan,
freeze, commit, public value, draw, reveal, teams) are taken in ``hub.draws.service``,
each by a named person.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from hub.cli.draw_publication import late_command
from hub.cli.exchange import make_console, store_engine
from hub.draws.verification import Verification, verify_draw
from hub.errors import HubError

draw_app = typer.Typer(
    help="Random inspection draws (双随机): verify that a draw holds.",
    no_args_is_help=True,
)
console = make_console()
draw_app.command("late")(late_command)


@draw_app.callback()
def _draw() -> None:
    """Draw commands (kept as a group even while ``verify`` is the only one)."""


@draw_app.command("verify")
def verify_command(draw_id: Annotated[int, typer.Argument(help="the draw's id")]) -> None:
    """Recompute every digest and the commitment, re-run the draw and the teams, compare."""
    try:
        with Session(store_engine()) as session:
            verification = verify_draw(session, draw_id)
    except HubError as exc:
        console.print(f"[red]cannot verify:[/red] {escape(str(exc))}", highlight=False)
        raise typer.Exit(code=2) from exc
    except SQLAlchemyError as exc:
        console.print(
            f"[red]cannot read the store:[/red] {escape(str(exc).splitlines()[0])} "
            "(is the database reachable and upgraded with `hub db upgrade`?)",
            highlight=False,
        )
        raise typer.Exit(code=2) from exc
    _print(verification)
    if not verification.ok:
        raise typer.Exit(code=1)


def _print(verification: Verification) -> None:
    """One line per check, then the verdict with the number of entities and teams."""
    for check in verification.checks:
        mark = "[green]ok[/green]  " if check.passed else "[red]FAIL[/red]"
        console.print(f"{mark} {check.name}: {escape(check.detail)}", highlight=False)
    drawn = sum(len(ranked) for ranked in verification.picks.values())
    teams = "" if verification.teams is None else f", {len(verification.teams)} team(s)"
    if verification.ok:
        console.print(
            f"[green]draw {verification.draw_id} holds: {drawn} entities{teams}[/green]",
            highlight=False,
        )
    else:
        failed = sum(not check.passed for check in verification.checks)
        console.print(
            f"[red]draw {verification.draw_id} does NOT hold: {failed} check(s) failed[/red]",
            highlight=False,
        )
