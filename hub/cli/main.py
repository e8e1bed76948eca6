"""The ``hub`` command line: set up the store, move data, run the API and the demo."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from hub.cli.airflow import airflow_app
from hub.cli.audit import audit_app
from hub.cli.calendar import calendar_app
from hub.cli.cases import cases_app
from hub.cli.catalog import catalog_app
from hub.cli.collaboration import collab_app
from hub.cli.conformance import conformance_command
from hub.cli.draws import draw_app
from hub.cli.exchange import exchange_app, ingest_command, make_console
from hub.cli.national import national_app
from hub.cli.outbox import outbox_app
from hub.cli.users import users_app
from hub.errors import ConfigurationError, HubError

app = typer.Typer(
    help="Integration hub for 互联网+监管: adapters, canonical store, exchange pipeline, modules.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The canonical store's schema.", no_args_is_help=True)
keys_app = typer.Typer(help="Keys that seal personal data at rest.", no_args_is_help=True)
simulators_app = typer.Typer(help="Stand-ins of the outside systems.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(exchange_app, name="exchange")
app.add_typer(outbox_app, name="outbox")
app.add_typer(users_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(calendar_app, name="calendar")
app.add_typer(catalog_app, name="catalog")
app.add_typer(draw_app, name="draw")
app.add_typer(cases_app, name="cases")
app.add_typer(collab_app, name="collab")
app.add_typer(national_app, name="national")
app.add_typer(airflow_app, name="airflow")
app.add_typer(keys_app, name="keys")
app.add_typer(simulators_app, name="simulators")
app.command("ingest")(ingest_command)
app.command("conformance")(conformance_command)

console = make_console()


@app.callback()
def _setup(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="log more")] = False,
) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("hub").setLevel(logging.DEBUG if verbose else logging.INFO)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="target revision")] = "head") -> None:
    """Create or migrate the store named by HUB_DATABASE_URL."""
    from hub.store.engine import get_engine
    from hub.store.migrate import current_revision, upgrade

    engine = get_engine()
    upgrade(engine, revision)
    console.print(
        f"store at {engine.url.render_as_string()} is at revision {current_revision(engine)}"
    )


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Re-seal personal data under the first key of HUB_DATA_KEYS."""
    from hub.security.crypto import get_key_ring
    from hub.security.rotation import rotate_keys
    from hub.store.engine import get_engine

    counts = rotate_keys(get_engine())
    total = sum(counts.values())
    for place, count in sorted(counts.items()):
        if count:
            console.print(f"  {place}: {count}")
    console.print(f"re-sealed {total} value(s) under key {get_key_ring().current_id!r}")


@simulators_app.command("list")
def simulators_list() -> None:
    """The simulators that can be served."""
    from simulators.registry import known_simulators

    for name in known_simulators():
        console.print(name)


@simulators_app.command("serve")
def simulators_serve(
    name: Annotated[str, typer.Argument(help="simulator name (see `hub simulators list`)")],
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on (0: any free one)")] = 0,
    seed: Annotated[int, typer.Option(help="seed of its data and of the injected faults")] = 2019,
) -> None:
    """Run one simulator alone until interrupted."""
    import time

    from simulators.registry import SimulatorOptions, start_simulator

    running = start_simulator(name, SimulatorOptions(host=host, port=port, seed=seed))
    console.print(f"{name} listening at {running.url}; Ctrl-C stops")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        running.stop()


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
) -> None:
    """Serve the REST API (work, public, national, Open311), /healthz, /metrics and /docs."""
    import uvicorn

    from hub.api.app import create_app

    uvicorn.run(create_app(), host=host, port=port, log_level="info")


@app.command("demo")
def demo(
    port: Annotated[int, typer.Option(help="port of the API served after the run")] = 8000,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="exit after printing the table")
    ] = False,
    entities: Annotated[int, typer.Option(help="number of sample entities")] = 3000,
    seed: Annotated[int, typer.Option(help="seed of the deterministic sample")] = 2019,
) -> None:
    """Create the SQLite store, generate a realistic sample, ingest it, print the counts, serve."""
    from hub.demo.runner import run_demo

    run_demo(console, entities=entities, seed=seed)
    if not no_serve:
        console.print(f"\nserving the API on http://127.0.0.1:{port} (docs at /docs); Ctrl-C stops")
        serve(host="127.0.0.1", port=port)


def main() -> None:
    """Entry point: hub errors become one clear line and exit code 2."""
    try:
        app()
    except ConfigurationError as exc:
        console.print(f"[red]configuration error:[/red] {exc}", highlight=False)
        raise SystemExit(2) from None
    except HubError as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False)
        raise SystemExit(2) from None
