"""The benchmark scripts, run small: each runs its contenders to the end in child processes,
checks what they stored (a script exits 1 when a count is off or a check fails) and prints its
ratios. What they measure is not asserted here (no timed tests); that they still run against
the code they measure is: a renamed function the cases benchmark times, for one, stops it.

PostgreSQL contenders run when ``HUB_TEST_POSTGRES_URL`` is set (the scripts' own server
setting, ``HUB_BENCH_POSTGRES_URL``, is pointed at it); the AMQP benchmark needs it and
RabbitMQ, as the suite does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL

BENCHMARKS = Path(__file__).resolve().parents[3] / "benchmarks"
needs_postgres = pytest.mark.skipif(POSTGRES_URL is None, reason="HUB_TEST_POSTGRES_URL not set")


def _run(script: str, *args: str, folder: Path) -> str:
    """The script's output; its exit status must be 0."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("HUB_")}
    if POSTGRES_URL is not None:
        env["HUB_BENCH_POSTGRES_URL"] = POSTGRES_URL
    finished = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    return finished.stdout


def _engines(*contenders: str) -> str:
    """The contenders of the engines this run has (``-pg`` ones only with PostgreSQL)."""
    return ",".join(c for c in contenders if POSTGRES_URL is not None or not c.endswith("-pg"))


def test_the_cases_benchmark_takes_every_complaint_in_and_times_each_step(tmp_path: Path) -> None:
    contenders = _engines("pipeline-sqlite", "cases-sqlite", "pipeline-pg", "cases-pg")
    out = _run(
        "cases.py",
        *("--rows", "3000", "--batch", "1000", "--only", contenders, "--breakdown"),
        folder=tmp_path,
    )
    for engine in ("sqlite", "pg") if POSTGRES_URL is not None else ("sqlite",):
        assert f"ratio: cases-{engine} / pipeline-{engine} = " in out
    assert out.count("cases 2,700 (routed 2,700, triage 0), merged 300") == contenders.count(
        "cases-"
    )
    assert out.count("audit chain verified (3,003 entries") == contenders.count("cases-")
    assert "_start_workflows" in out and "intake_pending" in out  # the breakdown


def test_the_ingest_benchmark_stores_or_quarantines_every_record(tmp_path: Path) -> None:
    out = _run(
        "ingest.py",
        *("--rows", "2000", "--only", _engines("pipeline-sqlite", "pipeline-pg")),
        folder=tmp_path,
    )
    balanced = "stored 1,980 + quarantined 20 = 2,000"  # the generator's 1 % of bad rows
    assert out.count(balanced) == (2 if POSTGRES_URL is not None else 1)


@needs_postgres
def test_the_draw_benchmark_draws_on_both_engines(tmp_path: Path) -> None:
    out = _run("draw.py", "--rows", "2000", folder=tmp_path)
    assert "ratio: draw-pg / order-by-random-pg = " in out
    assert "ratio: draw-sqlite / order-by-random-sqlite = " in out


@needs_postgres
def test_the_amqp_benchmark_publishes_and_consumes_through_rabbitmq(tmp_path: Path) -> None:
    out = _run("amqp.py", "--rows", "500", folder=tmp_path)
    assert "ratio: consume-hub / consume-pika = " in out
    assert "targets: publish " in out


def test_the_dag_parse_benchmark_parses_the_hub_dags(tmp_path: Path) -> None:
    out = _run("dag_parse.py", "--runs", "1", folder=tmp_path)
    assert "ratio: hub-dags / trivial-dags = " in out
