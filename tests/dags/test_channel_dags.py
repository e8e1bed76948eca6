"""Real runs of the channel DAGs and the outbox job: ``dag.test()`` against the simulators.

One Airflow home for the module, in a temporary folder (never ``~/airflow``): SQLite
metadata made by ``airflow db migrate``, the pools made by ``hub airflow pools``, the DAGs
serialised by ``airflow dags reserialize``, all in subprocesses; then each test runs a DAG in
this process with ``dag.test()``, which runs its tasks in-process (retries included, one after
the other, as soon as ``retry_delay`` allows) while the simulator serves on a thread.

The channel files are copies of the shipped ones in a mappings folder of the module, made
quick to fail: one retry, no delay, and an alert webhook read from ``HUB_TEST_ALERT_WEBHOOK``
(a local receiver in the tests that check alerts). Each test has its own migrated hub store.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pika
import pytest
import yaml
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from adapters.secrets import environment_overlay
from hub.cli.main import app
from hub.demo.power_lists import power_list_sample
from hub.demo.sample import generate_sample
from hub.exchange.outbox import enqueue
from hub.store.engine import get_engine
from hub.store.migrate import upgrade
from hub.store.models.actions import Inspection, Penalty
from hub.store.models.complaints import Complaint
from hub.store.models.credit import CreditRecord
from hub.store.models.entities import RegulatedEntity
from hub.store.models.exchange import ExchangeRun, OutboxMessage
from simulators.departmental import DepartmentalEvents, DepartmentalSimulator
from simulators.registry import start_simulator
from tests.conftest import clear_caches
from tests.integration.pipeline.helpers import csv_bytes, entity_row

pytestmark = pytest.mark.filterwarnings(
    # dag.test()'s in-process API server imports Starlette's test client, which prefers
    # httpx2 and warns (an error in this suite) when it falls back to httpx.
    "ignore::starlette.exceptions.StarletteDeprecationWarning"
)

REPO_ROOT = Path(__file__).resolve().parents[2]
DAGS = REPO_ROOT / "dags"
BROKER = "amqp://guest:guest@127.0.0.1:5672/%2F"
ALERT_VARIABLE = "HUB_TEST_ALERT_WEBHOOK"
QUICK_TO_FAIL = {
    "retries": 1,
    "retry_delay_seconds": 0,
    "timeout_seconds": 120,
    "alert_webhook": f"${{{ALERT_VARIABLE}}}",
}
HOTLINE = "channel__hotline_12345"
# The channels the tests below run one by one; every other shipped channel runs in
# test_every_other_channel_dag_runs_against_its_simulator_or_sample.
NAMED = {
    "hotline_12345",
    "platform_12315",
    "credit_platform",
    "market_registry",
    "departmental_events",
}
OTHER_CHANNELS = sorted(
    path.parent.name
    for path in (REPO_ROOT / "mappings").glob("*/channel.yaml")
    if path.parent.name not in NAMED
)


@dataclass
class AirflowHome:
    """The tests' Airflow: the DAGs parsed from ``dags/`` over the test channels' files."""

    mappings: Path
    inbox: Path
    amqp: dict[str, Any]
    dags: dict[str, Any]

    def run(self, dag_id: str) -> Any:
        """One run of the DAG (``dag.test()``): the finished DagRun."""
        return self.dags[dag_id].test()


def _copy_channel(mappings: Path, name: str, changes: dict[str, Any]) -> dict[str, Any]:
    """A copy of the shipped channel's folder, its channel file quick to fail and changed."""
    shutil.copytree(REPO_ROOT / "mappings" / name, mappings / name)
    path = mappings / name / "channel.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(QUICK_TO_FAIL)
    for key, value in changes.items():
        data[key] = {**data[key], **value} if isinstance(value, dict) else value
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return data


def _write_channels(mappings: Path, inbox: Path, amqp_prefix: str) -> dict[str, Any]:
    """The test's channels; returns the AMQP channel's adapter settings."""
    _copy_channel(mappings, "hotline_12345", {"adapter": {"retry": {"attempts": 1}}})
    _copy_channel(mappings, "platform_12315", {})
    _copy_channel(mappings, "credit_platform", {})
    _copy_channel(mappings, "market_registry", {"adapter": {"inbox": str(inbox)}})
    amqp = _copy_channel(
        mappings,
        "departmental_events",
        {
            "adapter": {
                "exchange": f"{amqp_prefix}.events",
                "queue": f"{amqp_prefix}.queue",
                "dead_letter_exchange": f"{amqp_prefix}.dead",
                "idle_seconds": 0.3,
                "reconnect_backoff_seconds": 0.1,
            }
        },
    )
    for name in OTHER_CHANNELS:  # file channels read an inbox of their own
        shipped = yaml.safe_load((REPO_ROOT / "mappings" / name / "channel.yaml").read_text())
        own_inbox = {"adapter": {"inbox": str(inbox.parent / name)}}
        _copy_channel(mappings, name, own_inbox if shipped["adapter"]["type"] == "file" else {})
    return {**amqp["adapter"], "url": BROKER}


def _airflow(*args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "airflow", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, (
        f"airflow {' '.join(args)}:\n{done.stdout[-2000:]}{done.stderr[-3000:]}"
    )


@pytest.fixture(scope="module")
def airflow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowHome]:
    """Set up once for the module (not the session: its environment, the test channels'
    ``HUB_MAPPINGS_DIR`` among it, must not outlive these tests)."""
    if "airflow" in sys.modules:  # its configuration would already point elsewhere
        pytest.fail("airflow was imported before the test set AIRFLOW_HOME")
    home = tmp_path_factory.mktemp("airflow-home")
    mappings = tmp_path_factory.mktemp("mappings")
    inbox = tmp_path_factory.mktemp("inbox")
    amqp = _write_channels(mappings, inbox, f"t{uuid.uuid4().hex[:10]}")
    with pytest.MonkeyPatch.context() as patch:
        for variable in [name for name in os.environ if name.startswith("AIRFLOW")]:
            patch.delenv(variable)
        patch.setenv("AIRFLOW_HOME", str(home))
        patch.setenv("AIRFLOW__CORE__DAGS_FOLDER", str(DAGS))
        patch.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
        patch.setenv("HUB_MAPPINGS_DIR", str(mappings))
        _airflow("db", "migrate")
        pools = CliRunner().invoke(app, ["airflow", "pools"])
        assert pools.exit_code == 0, pools.output
        _airflow("dags", "reserialize")
        from airflow.dag_processing.dagbag import DagBag

        bag = DagBag(str(DAGS))
        assert bag.import_errors == {}
        yield AirflowHome(mappings, inbox, amqp, dict(bag.dags))


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """A hub store of the test's own, migrated as ``hub db upgrade`` does."""
    monkeypatch.setenv("HUB_DATABASE_URL", f"sqlite:///{tmp_path / 'hub.db'}")
    clear_caches()
    engine = get_engine()
    upgrade(engine)
    return engine


@pytest.fixture
def alerts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """The JSON bodies posted to the alert webhook (a local HTTP server) during the test."""
    received: list[dict[str, Any]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv(ALERT_VARIABLE, f"http://127.0.0.1:{server.server_port}/alerts")
    yield received
    server.shutdown()
    server.server_close()
    thread.join()


@contextmanager
def simulated(name: str) -> Iterator[Any]:
    """The simulator running, and its ``${ENV}`` values pointing its channel at it."""
    simulator = start_simulator(name)
    try:
        with environment_overlay(dict(simulator.environment)):
            yield simulator
    finally:
        simulator.stop()


def tasks(run: Any) -> dict[str, tuple[str, int]]:
    """Each task of a DagRun: its final state and how many tries it took."""
    return {ti.task_id: (str(ti.state), ti.try_number) for ti in run.get_task_instances()}


def exchange_runs(engine: Engine, channel: str) -> list[ExchangeRun]:
    with Session(engine) as session:
        return list(session.scalars(select(ExchangeRun).where(ExchangeRun.channel == channel)))


def rows(engine: Engine, *models: type[Any]) -> int:
    with Session(engine) as session:
        return sum(
            int(session.scalar(select(func.count()).select_from(model)) or 0) for model in models
        )


def assert_stored(engine: Engine, channel: str, *models: type[Any]) -> int:
    """Every exchange run of ``channel`` succeeded and balanced, and what they stored is in
    the record tables; returns how many records that is."""
    runs = exchange_runs(engine, channel)
    assert runs, f"no exchange run of {channel}"
    for run in runs:
        assert run.status == "succeeded", run.error
        assert run.received == run.stored + run.duplicates + run.quarantined
    stored = sum(run.stored for run in runs)
    assert rows(engine, *models) == stored > 0
    return stored


def test_every_task_has_its_pool(airflow: AirflowHome) -> None:
    from airflow.models.pool import Pool
    from airflow.utils.session import create_session

    with create_session() as session:
        pools = set(session.scalars(select(Pool.pool)))
    used = {task.pool for dag in airflow.dags.values() for task in dag.tasks}
    assert used <= pools, f"missing pools: {sorted(used - pools)}"
    again = CliRunner().invoke(app, ["airflow", "pools"])  # pools that exist stay as they are
    assert again.exit_code == 0 and "created" not in again.output, again.output


def test_rest_channel_stores_then_skips_when_nothing_is_new(
    airflow: AirflowHome, store: Engine
) -> None:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session

    with simulated("hotline_12345") as hotline:
        first = airflow.run(HOTLINE)
        second = airflow.run(HOTLINE)

    assert first.state == "success"
    assert tasks(first) == {"exchange": ("success", 1), "dispatch": ("success", 1)}
    stored = assert_stored(store, "hotline_12345", Complaint)
    assert stored == len(hotline.book.orders)
    assert second.state == "success"
    assert tasks(second)["exchange"] == ("skipped", 1)  # nothing new: no asset event
    with create_session() as session:
        events = list(
            session.scalars(
                select(AssetEvent)
                .join(AssetModel, AssetEvent.asset_id == AssetModel.id)
                .where(AssetModel.uri == "hub://channel/hotline_12345")
                .where(AssetEvent.source_run_id.in_([first.run_id, second.run_id]))
            )
        )
    assert [event.extra["stored"] for event in events] == [stored]


def test_soap_channel(airflow: AirflowHome, store: Engine) -> None:
    with simulated("platform_12315"):
        run = airflow.run("channel__platform_12315")

    assert run.state == "success", tasks(run)
    assert tasks(run) == {"exchange": ("success", 1), "dispatch": ("success", 1)}
    assert_stored(store, "platform_12315", Complaint)


def test_sftp_channel(airflow: AirflowHome, store: Engine) -> None:
    with simulated("credit_platform"):
        run = airflow.run("channel__credit_platform")

    assert run.state == "success", tasks(run)
    assert tasks(run) == {"exchange": ("success", 1)}
    assert_stored(store, "credit_platform", CreditRecord)


@pytest.mark.rabbitmq
def test_amqp_channel_on_the_local_broker(airflow: AirflowHome, store: Engine) -> None:
    events = DepartmentalEvents(7, 200)
    publisher = DepartmentalSimulator(airflow.amqp, events)
    try:
        publisher.start().wait(timeout=60)
        with environment_overlay(publisher.environment):
            run = airflow.run("channel__departmental_events")
    finally:
        _delete_topology(airflow.amqp)

    assert run.state == "success", tasks(run)
    stored = assert_stored(store, "departmental_events", Inspection, Penalty)
    assert stored == events.planted[("inspection", "good")] + events.planted[("penalty", "good")]


def _delete_topology(settings: dict[str, Any]) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(BROKER))
    broker = connection.channel()
    for queue in (settings["queue"], f"{settings['queue']}.dead"):
        broker.queue_delete(queue)
    for exchange in (settings["exchange"], settings["dead_letter_exchange"]):
        broker.exchange_delete(exchange)
    connection.close()


def test_file_channel_takes_its_inbox(airflow: AirflowHome, store: Engine) -> None:
    (airflow.inbox / "a_entities.csv").write_bytes(csv_bytes([entity_row(1), entity_row(2)]))
    (airflow.inbox / "b_entities.csv").write_bytes(csv_bytes([entity_row(3)]))

    run = airflow.run("channel__market_registry")

    assert run.state == "success", tasks(run)
    assert assert_stored(store, "market_registry", RegulatedEntity) == 3
    assert sorted(p.name for p in (airflow.inbox / "done").iterdir()) == [
        "a_entities.csv",
        "b_entities.csv",
    ]


def test_outbox_dispatch_job_sends_the_due_messages(airflow: AirflowHome, store: Engine) -> None:
    channel = yaml.safe_load((airflow.mappings / "hotline_12345" / "channel.yaml").read_text())
    sample = channel["conformance"]["push_sample"]
    with Session(store) as session, session.begin():
        enqueue(
            session,
            [
                {
                    "destination": "hotline_12345",
                    "event_type": sample["message_type"],
                    "payload": {"body": sample["payload"]},
                    "idempotency_key": f"dags-test:{uuid.uuid4()}",
                }
            ],
        )

    with simulated("hotline_12345"):
        run = airflow.run("job__outbox_dispatch")

    assert run.state == "success", tasks(run)
    with Session(store) as session:
        assert list(session.scalars(select(OutboxMessage.status))) == ["sent"]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_remote_that_is_down_is_retried_then_alerted(
    airflow: AirflowHome,
    store: Engine,
    alerts: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HUB_HOTLINE_12345_URL", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("HUB_HOTLINE_12345_KEY", "any")

    run = airflow.run(HOTLINE)

    assert run.state == "failed"
    assert tasks(run)["exchange"] == ("failed", 2)  # the try and its one retry
    (alert,) = alerts
    assert (alert["dag"], alert["task"], alert["run"]) == (HOTLINE, "exchange", run.run_id)
    assert alert["error_type"] == "RemoteUnavailable"
    assert "127.0.0.1" in alert["error"]


def test_a_configuration_error_fails_at_once(
    airflow: AirflowHome,
    store: Engine,
    alerts: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HUB_HOTLINE_12345_URL", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.delenv("HUB_HOTLINE_12345_KEY", raising=False)

    run = airflow.run(HOTLINE)

    assert run.state == "failed"
    assert tasks(run)["exchange"] == ("failed", 1)  # no retry: the secret will not appear
    (alert,) = alerts
    assert (alert["dag"], alert["task"]) == (HOTLINE, "exchange")
    assert alert["error_type"] == "MissingSecretError"
    assert "HUB_HOTLINE_12345_KEY" in alert["error"]
    assert exchange_runs(store, "hotline_12345") == []


@pytest.mark.parametrize("name", OTHER_CHANNELS)
def test_every_other_channel_dag_runs_against_its_simulator_or_sample(
    airflow: AirflowHome, store: Engine, name: str, tmp_path: Path
) -> None:
    """Each remaining channel's DAG: against its simulator, or (a file channel) with the demo
    sample's file for it dropped in its inbox; every exchange run succeeds and balances."""
    config = yaml.safe_load((airflow.mappings / name / "channel.yaml").read_text())
    if config.get("simulator"):
        with simulated(config["simulator"]):
            run = airflow.run(f"channel__{name}")
    else:
        inbox = Path(config["adapter"]["inbox"])
        inbox.mkdir(parents=True, exist_ok=True)
        files = generate_sample(tmp_path / "sample", entities=100)
        for sample in [*files, *power_list_sample(tmp_path / "sample", files)]:
            if sample.channel == name:
                shutil.copy(sample.path, inbox / sample.path.name)
        run = airflow.run(f"channel__{name}")

    assert run.state == "success", tasks(run)
    if "exchange" in tasks(run):
        runs = exchange_runs(store, name)
        assert runs and all(r.status == "succeeded" for r in runs), [r.error for r in runs]
        assert all(r.received == r.stored + r.duplicates + r.quarantined for r in runs)
        assert sum(r.stored for r in runs) > 0
