"""``hub airflow pools``: the Airflow pools the channel DAGs run in.

Every task of a channel DAG (``dags/hub_channels.py``) runs in the pool ``hub_<system>`` of
its outside system, and Airflow's scheduler does not schedule a task whose pool does not exist
(the DAG shows a "non-existent pool" warning). Pools live in Airflow's metadata database,
which DAG files cannot write to in Airflow 3 (DAG processor and workers reach it only through
the API server), so they are made here, with Airflow's own CLI. Run it with the scheduler's
Airflow configuration (``AIRFLOW_HOME`` or ``AIRFLOW__DATABASE__SQL_ALCHEMY_CONN``) once after
``airflow db migrate``, and again whenever a channel file names a new system.

Pools that exist are left as they are, so slots an operator tuned survive. The missing ones
are created in one ``airflow pools import`` rather than one ``airflow pools set`` each: every
``airflow`` command spends seconds starting up.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from hub.cli.exchange import make_console
from hub.errors import ConfigurationError
from hub.scheduling.plan import mappings_dir, read_plans

airflow_app = typer.Typer(help="What Airflow needs besides the DAG files.", no_args_is_help=True)
console = make_console()


@airflow_app.command("pools")
def pools(
    slots: Annotated[
        int, typer.Option(min=1, help="slots of each pool created: tasks at once per system")
    ] = 1,
) -> None:
    """Create the pool hub_<system> of every outside system that has none yet."""
    plans = read_plans(mappings_dir())
    wanted = plans.pools()
    existing = existing_pools()
    missing = {name: channels for name, channels in wanted.items() if name not in existing}
    if missing:
        import_pools(
            {
                name: {"slots": slots, "description": f"hub: tasks of {', '.join(channels)}"}
                for name, channels in missing.items()
            }
        )
    table = Table(title="Airflow pools of the channel DAGs")
    for column in ("pool", "channels", "state"):
        table.add_column(column)
    for name, channels in sorted(wanted.items()):
        table.add_row(name, ", ".join(channels), "created" if name in missing else "exists")
    console.print(table)
    for broken in plans.broken:
        console.print(f"[red]broken channel file, no pool:[/red] {escape(broken.error)}")
    if plans.broken:
        raise typer.Exit(1)


def existing_pools() -> set[str]:
    """The names of the pools Airflow's metadata database holds."""
    output = run_airflow("pools", "list", "--output", "json")
    try:
        listed: list[dict[str, Any]] = json.loads(output)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"`airflow pools list` printed no JSON list: {output!r}") from exc
    return {str(pool["pool"]) for pool in listed}


def import_pools(pools: dict[str, dict[str, Any]]) -> None:
    """Create (or update) ``pools`` with one ``airflow pools import``."""
    with tempfile.TemporaryDirectory(prefix="hub-pools-") as folder:
        path = Path(folder) / "pools.json"
        path.write_text(json.dumps(pools, ensure_ascii=False), encoding="utf-8")
        run_airflow("pools", "import", str(path))


def run_airflow(*args: str) -> str:
    """Airflow's CLI of this interpreter's environment; its standard output."""
    command = [sys.executable, "-m", "airflow", *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip()[-2000:]
        raise ConfigurationError(
            f"`airflow {' '.join(args)}` failed (exit {done.returncode}); is the airflow extra "
            f"installed and its database migrated?\n{detail}"
        )
    return done.stdout
