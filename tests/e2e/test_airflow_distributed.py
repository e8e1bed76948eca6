"""The distributed Airflow stack, for real, on this machine: api-server, scheduler,
dag-processor and two Celery workers over RabbitMQ, with PostgreSQL as the metadata database.

The test builds a fresh ``AIRFLOW_HOME`` and metadata database, starts every component as its
own process (own process group, log file in the test's folder, killed at the end whatever
happens), triggers runs of a DAG through the api-server's REST API and checks that every run
succeeded and that both workers ran task instances (each reports its own hostname through
``[core] hostname_callable``, see ``worker_names.py``).

The DAG is ``channel__hotline_12345`` from ``dags/hub_channels.py`` (the repository's dags
folder, as deployed) against the 12345 hotline simulator started in the test, with the hub store
in a PostgreSQL database of its own, checked afterwards: every work order stored once, every
exchange run succeeded with balanced counts. Its pool comes from ``hub airflow pools``.

Components talk over a queue named for this run only, so a worker left over from another run
takes none of its tasks. Skipped when PostgreSQL or RabbitMQ cannot be reached. Prints the
stack's start time (until the api-server is healthy and both workers answer a ping) and the
peak resident memory summed over the stack's processes and their children.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

import psutil
import pytest
import requests
from sqlalchemy import URL, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from hub.store.engine import make_engine
from hub.store.migrate import upgrade
from hub.store.models.complaints import Complaint
from hub.store.models.exchange import ExchangeRun
from simulators.registry import start_simulator

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]

REPO_ROOT = Path(__file__).resolve().parents[2]
DAGS_FOLDER = REPO_ROOT / "dags"  # hub_channels.py: one DAG per channel file
CHANNEL = "hotline_12345"
DAG_ID = f"channel__{CHANNEL}"
AIRFLOW = Path(sys.executable).with_name("airflow")
HUB = Path(sys.executable).with_name("hub")
POSTGRES_SERVER = os.environ.get(
    "HUB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BROKER = "amqp://guest:guest@127.0.0.1:5672//"
WORKER_CONCURRENCY = 1  # two workers of one process each: 2 cores also carry the rest
# Triggered runs (the scheduler adds one for the channel's cron when the DAG is unpaused).
# max_active_runs=1 runs them one after the other; each run's exchange and dispatch tasks run
# side by side (two pool slots), and RabbitMQ hands the tasks to the idle workers in turn.
RUNS = 4
USER = "e2e"

STACK_START_TIMEOUT = 120.0
DAG_PARSE_TIMEOUT = 90.0
RUNS_TIMEOUT = 150.0
STOP_TIMEOUT = 20.0

T = TypeVar("T")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2.0):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _url(base: URL, *, driver: str, database: str) -> str:
    return base.set(drivername=driver, database=database).render_as_string(hide_password=False)


def _tail(path: Path, lines: int = 40) -> str:
    try:
        content = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(content[-lines:])


@dataclass
class Component:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    log_file: IO[bytes]


@dataclass
class Stack:
    """The running processes, their logs, and a sampler of their summed resident memory."""

    logs: Path
    components: list[Component] = field(default_factory=list)
    peak_rss: int = 0
    peak_pss: int = 0
    peak_rss_by_component: dict[str, int] = field(default_factory=dict)
    _stop_sampling: threading.Event = field(default_factory=threading.Event)
    _sampler: threading.Thread | None = None

    def start(self, name: str, args: list[str], env: dict[str, str], cwd: Path) -> None:
        log = self.logs / f"{name}.log"
        log_file = log.open("wb")
        process = subprocess.Popen(
            [str(AIRFLOW), *args],
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with every child
        )
        self.components.append(Component(name, process, log, log_file))

    def check_alive(self) -> None:
        for component in self.components:
            if component.process.poll() is not None:
                raise AssertionError(
                    f"{component.name} exited with {component.process.returncode}\n" + self.tails()
                )

    def tails(self) -> str:
        return "\n".join(
            f"--- {component.name} ({component.log}) ---\n{_tail(component.log)}"
            for component in self.components
        )

    def memory(self) -> dict[str, tuple[int, int]]:
        """Per component, the resident and proportional set sizes summed over its process tree
        (RSS counts pages shared by forked children once per process, PSS splits them)."""
        sizes: dict[str, tuple[int, int]] = {}
        for component in self.components:
            rss = pss = 0
            try:
                root = psutil.Process(component.process.pid)
                members = [root, *root.children(recursive=True)]
            except psutil.Error:
                members = []
            for member in members:
                try:
                    info = member.memory_full_info()
                except psutil.Error:
                    continue
                rss += info.rss
                pss += getattr(info, "pss", info.rss)
            sizes[component.name] = (rss, pss)
        return sizes

    def sample_memory(self, interval: float = 0.5) -> None:
        def sample() -> None:
            while not self._stop_sampling.is_set():
                sizes = self.memory()
                self.peak_rss = max(self.peak_rss, sum(rss for rss, _ in sizes.values()))
                self.peak_pss = max(self.peak_pss, sum(pss for _, pss in sizes.values()))
                for name, (rss, _) in sizes.items():
                    self.peak_rss_by_component[name] = max(
                        rss, self.peak_rss_by_component.get(name, 0)
                    )
                self._stop_sampling.wait(interval)

        self._sampler = threading.Thread(target=sample, name="memory-sampler", daemon=True)
        self._sampler.start()

    def stop(self) -> None:
        """SIGTERM to every process group, SIGKILL to what is left after STOP_TIMEOUT."""
        self._stop_sampling.set()
        if self._sampler is not None:
            self._sampler.join(timeout=5)
        for component in self.components:
            if component.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(component.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for component in self.components:
            with contextlib.suppress(subprocess.TimeoutExpired):
                component.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        for component in self.components:
            # The group outlives its leader when a child lingers: kill whatever is left of it.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(component.process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                component.process.wait(timeout=5)
            component.log_file.close()


def wait_for(what: str, probe: Callable[[], T | None], timeout: float, stack: Stack) -> T:
    """Poll ``probe`` until it returns something truthy; fail with the logs after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        stack.check_alive()
        try:
            result = probe()
        except (requests.RequestException, OSError):
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out after {timeout:.0f} s waiting for {what}\n" + stack.tails()
            )
        time.sleep(0.5)


def ping_workers(names: set[str]) -> set[str]:
    """Which of the Celery nodes ``names`` answer a broadcast ping on the broker."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import kombu.pools
        from celery import Celery

        app = Celery("e2e-probe", broker=BROKER, set_as_current=False)
        try:
            with app.connection_for_write() as connection:
                replies = app.control.ping(timeout=1.0, connection=connection) or []
        finally:
            app.close()
            kombu.pools.reset()  # the producer pool's connection, else left unclosed
    return {node for reply in replies for node in reply} & names


def delete_queue(name: str) -> None:
    import pika

    connection = pika.BlockingConnection(
        pika.URLParameters("amqp://guest:guest@127.0.0.1:5672/%2F")
    )
    try:
        connection.channel().queue_delete(queue=name)
    finally:
        connection.close()


@pytest.fixture
def databases() -> Iterator[tuple[str, str]]:
    """Two new PostgreSQL databases, the metadata database and the hub store; dropped after."""
    server = make_url(POSTGRES_SERVER)
    if not _reachable(server.host or "127.0.0.1", server.port or 5432):
        pytest.skip(f"PostgreSQL is not reachable at {server.host}:{server.port}")
    if not _reachable("127.0.0.1", 5672):
        pytest.skip("RabbitMQ is not reachable at 127.0.0.1:5672")
    if not AIRFLOW.exists():
        pytest.skip(f"Airflow is not installed ({AIRFLOW}): pip install -e '.[airflow]'")
    token = uuid.uuid4().hex[:10]
    names = (f"e2e_airflow_{token}", f"e2e_hub_{token}")
    admin = create_engine(
        server.set(drivername="postgresql+psycopg", database="postgres"),
        isolation_level="AUTOCOMMIT",
    )
    try:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield names
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_two_celery_workers_share_the_runs_and_every_run_succeeds(
    databases: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    airflow_db, hub_db = databases
    server = make_url(POSTGRES_SERVER)
    hub_url = _url(server, driver="postgresql+psycopg", database=hub_db)
    hub_engine = make_engine(hub_url)
    upgrade(hub_engine)

    run_token = uuid.uuid4().hex[:8]
    queue = f"e2e_{run_token}"
    workers = {f"e2e-worker-a-{run_token}", f"e2e-worker-b-{run_token}"}
    home = tmp_path / "airflow"
    home.mkdir()
    password = secrets.token_urlsafe(16)
    passwords_file = home / "passwords.json"
    passwords_file.write_text(json.dumps({USER: password}), encoding="utf-8")
    port = _free_port()
    api = f"http://127.0.0.1:{port}"

    hotline = start_simulator(CHANNEL)
    stack = Stack(logs=tmp_path / "logs")
    stack.logs.mkdir()
    try:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("AIRFLOW", "HUB_"))
        }
        env.update(
            {
                "AIRFLOW_HOME": str(home),
                "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
                "AIRFLOW__CORE__FERNET_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
                "AIRFLOW__CORE__HOSTNAME_CALLABLE": "tests.e2e.worker_names.worker_hostname",
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api}/execution/",
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:admin",
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords_file),
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": _url(
                    server, driver="postgresql+psycopg", database=airflow_db
                ),
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": _url(
                    server, driver="postgresql+asyncpg", database=airflow_db
                ),
                "AIRFLOW__API__BASE_URL": api,
                "AIRFLOW__API__WORKERS": "1",
                "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
                "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
                "AIRFLOW__CELERY__BROKER_URL": BROKER,
                "AIRFLOW__CELERY__RESULT_BACKEND": "db+"
                + _url(server, driver="postgresql", database=airflow_db),
                "AIRFLOW__CELERY__SYNC_PARALLELISM": "1",
                "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
                "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
                # The task supervisor notices its task's end only at its next heartbeat
                # (default every 5 s): each task instance took 5 s however short.
                "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": "1",
                "PYTHONPATH": os.pathsep.join(
                    filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])
                ),
                "HUB_ENV": "development",
                "HUB_VAR_DIR": str(tmp_path / "var"),
                "HUB_DATABASE_URL": hub_url,
                "HUB_MAPPINGS_DIR": str(REPO_ROOT / "mappings"),
                **getattr(hotline, "environment", {}),
            }
        )

        started = time.monotonic()
        migrate = subprocess.run(
            [str(AIRFLOW), "db", "migrate"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert migrate.returncode == 0, migrate.stdout[-3000:] + migrate.stderr[-3000:]
        # The channel's tasks run in the pool hub_<system>, which must exist: two slots, so
        # that a run's exchange and dispatch tasks can go to both workers at once.
        pools = subprocess.run(
            [str(HUB), "airflow", "pools", "--slots", "2"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert pools.returncode == 0, pools.stdout[-3000:] + pools.stderr[-3000:]
        migrated = time.monotonic()

        stack.start(
            "api-server",
            ["api-server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
            env,
            tmp_path,
        )
        stack.start("scheduler", ["scheduler"], env, tmp_path)
        stack.start("dag-processor", ["dag-processor"], env, tmp_path)
        for worker in sorted(workers):
            stack.start(
                worker,
                [
                    "celery",
                    "worker",
                    "--celery-hostname",
                    worker,
                    "--concurrency",
                    str(WORKER_CONCURRENCY),
                    "--queues",
                    queue,
                    "--pid",
                    str(home / f"{worker}.pid"),
                    "--skip-serve-logs",
                ],
                {**env, "HUB_E2E_WORKER_NAME": worker},
                tmp_path,
            )
        stack.sample_memory()

        wait_for(
            "the api-server's health endpoint",
            lambda: requests.get(f"{api}/api/v2/monitor/health", timeout=5).ok,
            STACK_START_TIMEOUT,
            stack,
        )
        nodes = {f"celery@{worker}" for worker in workers}
        wait_for(
            "both workers to answer a ping",
            lambda: ping_workers(nodes) == nodes,
            STACK_START_TIMEOUT,
            stack,
        )
        up = time.monotonic()

        response = requests.post(
            f"{api}/auth/token", json={"username": USER, "password": password}, timeout=10
        )
        assert response.status_code == 201, response.text
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

        wait_for(
            f"the dag-processor to serialise {DAG_ID}",
            lambda: session.get(f"{api}/api/v2/dags/{DAG_ID}", timeout=10).ok,
            DAG_PARSE_TIMEOUT,
            stack,
        )
        parsed = time.monotonic()
        response = session.patch(
            f"{api}/api/v2/dags/{DAG_ID}", json={"is_paused": False}, timeout=10
        )
        assert response.ok, response.text
        for _ in range(RUNS):
            response = session.post(
                f"{api}/api/v2/dags/{DAG_ID}/dagRuns", json={"logical_date": None}, timeout=10
            )
            assert response.status_code == 200, response.text

        def finished_runs() -> list[dict[str, Any]] | None:
            runs = session.get(
                f"{api}/api/v2/dags/{DAG_ID}/dagRuns", params={"limit": 100}, timeout=10
            ).json()["dag_runs"]
            done = len(runs) >= RUNS and all(run["state"] in ("success", "failed") for run in runs)
            return runs if done else None

        runs = wait_for(f"{RUNS} runs of {DAG_ID} to finish", finished_runs, RUNS_TIMEOUT, stack)
        finished = time.monotonic()
        instances = session.get(
            f"{api}/api/v2/dags/{DAG_ID}/dagRuns/~/taskInstances",
            params={"limit": 1000},
            timeout=10,
        ).json()["task_instances"]

        failed = [run["dag_run_id"] for run in runs if run["state"] != "success"]
        assert not failed, f"runs not successful: {failed}\n" + stack.tails()
        # A channel run that found nothing new skips its exchange task: it still ran somewhere.
        ran_on = Counter(
            ti["hostname"] for ti in instances if ti["state"] in ("success", "skipped")
        )
        assert workers <= set(ran_on), (
            f"task instances ran on {dict(ran_on)}, expected both of {sorted(workers)}"
        )

        with Session(hub_engine) as store:
            complaints = store.scalar(select(func.count()).select_from(Complaint))
            exchange_runs = list(
                store.scalars(select(ExchangeRun).where(ExchangeRun.channel == CHANNEL))
            )
        orders = len(hotline.book.orders)  # type: ignore[attr-defined]
        assert complaints == orders
        assert exchange_runs, "no exchange run recorded for the channel"
        for run in exchange_runs:
            assert run.status == "succeeded", (run.run_uid, run.status, run.error)
            assert run.received == run.stored + run.duplicates + run.quarantined, (
                run.run_uid,
                run.received,
                run.stored,
                run.duplicates,
                run.quarantined,
            )
        assert sum(run.stored for run in exchange_runs if run.kind == "ingest") == orders

        with capsys.disabled():
            print(
                f"\n[airflow e2e] {DAG_ID}: db migrate + hub airflow pools"
                f" {migrated - started:.1f} s;"
                f" stack start {up - migrated:.1f} s (api-server healthy, both workers registered);"
                f" dag parsed after {parsed - up:.1f} s more;"
                f" {len(runs)} runs / {len(instances)} task instances in {finished - parsed:.1f} s;"
                f" peak memory of the stack {stack.peak_rss / 2**20:.0f} MiB RSS"
                f" ({stack.peak_pss / 2**20:.0f} MiB PSS);"
                f" task instances per worker {dict(sorted(ran_on.items()))};"
                f" {len(exchange_runs)} exchange runs, {complaints} work orders stored"
                "\n[airflow e2e] peak RSS by component: "
                + ", ".join(
                    f"{name} {size / 2**20:.0f} MiB"
                    for name, size in stack.peak_rss_by_component.items()
                )
            )
    finally:
        stack.stop()
        hotline.stop()
        hub_engine.dispose()
        try:
            delete_queue(queue)
        except Exception as exc:  # the broker may be gone; a leftover queue is harmless
            print(f"could not delete queue {queue}: {exc}")
