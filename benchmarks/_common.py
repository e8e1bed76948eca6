"""Helpers shared by the benchmarks: timing, child processes with peak-RSS, fresh stores, output.

Every contender of a benchmark runs in a child process of its own (the same script started
again with ``--child NAME``), so that its peak memory is its own: the parent reaps the child
with ``os.wait4`` and reads ``ru_maxrss`` from the child's resource usage. The child writes
its measurements (rows, seconds, counts) to a JSON file the parent reads back.

The PostgreSQL server under test comes from ``HUB_BENCH_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``); every contender gets a fresh schema
there, dropped when it is done.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # `python benchmarks/x.py` puts benchmarks/ first, not the root
    sys.path.insert(0, str(REPO_ROOT))

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MB = 1024 * 1024


class BenchmarkFailure(RuntimeError):
    """A contender failed or produced wrong counts: the benchmark's numbers mean nothing."""


def fail(message: str) -> None:
    """Stop the benchmark loudly (stderr, exit status 1)."""
    print(f"\nBENCHMARK FAILED: {message}", file=sys.stderr, flush=True)
    raise SystemExit(1)


# --- PostgreSQL -----------------------------------------------------------------------------


def postgres_url() -> str:
    """The server under test, as a SQLAlchemy URL (psycopg 3 driver)."""
    return sqlalchemy_url(os.environ.get("HUB_BENCH_POSTGRES_URL") or DEFAULT_POSTGRES_URL)


def sqlalchemy_url(url: str, *, schema: str | None = None) -> str:
    """``url`` with the psycopg 3 driver, and ``search_path`` set to ``schema`` if given."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgresql+psycopg2", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if schema is not None:
        parsed = parsed.update_query_dict({"options": f"-csearch_path={schema}"})
    return parsed.render_as_string(hide_password=False)


def libpq_url(url: str) -> str:
    """``url`` as a plain libpq URI (``postgresql://...``) for psycopg and dlt."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def postgres_version(url: str) -> str:
    import psycopg

    with psycopg.connect(libpq_url(url), autocommit=True) as connection:
        row = connection.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


@contextmanager
def fresh_schema(url: str, label: str) -> Iterator[str]:
    """Create an empty schema ``bench_<label>_<random>``; drop it (CASCADE) on the way out.

    Also drops ``<schema>_staging``, where dlt stages merge loads.
    """
    import psycopg

    schema = f"bench_{re.sub(r'[^a-z0-9]+', '_', label.lower())}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(libpq_url(url), autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema
    finally:
        with psycopg.connect(libpq_url(url), autocommit=True) as connection:
            for name in (schema, f"{schema}_staging"):
                connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def create_hub_store(url: str) -> Any:
    """A canonical store at ``url`` with every table, as ``tests/conftest.py`` makes one."""
    import hub.store.models  # noqa: F401  (registers every table)
    from hub.store.base import Base
    from hub.store.engine import make_engine

    engine = make_engine(url)
    Base.metadata.create_all(engine)
    return engine


# --- timing and child processes -------------------------------------------------------------


class Timer:
    """``with Timer() as t: ...`` then ``t.seconds`` (wall clock, perf_counter)."""

    def __enter__(self) -> Timer:
        self.started = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *_exc: object) -> None:
        self.seconds = time.perf_counter() - self.started


@dataclass
class Result:
    """One contender's measurement, as the parent sees it."""

    name: str
    rows: int
    seconds: float
    peak_mb: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


def run_child(script: Path, name: str, args: list[str]) -> Result:
    """Run ``script --child NAME --result FILE ARGS`` and return its measurement.

    Peak memory is the child's ``ru_maxrss`` as reported by ``wait4`` (kilobytes on Linux),
    so it covers the whole child (interpreter, imports, the load) and nothing of the parent.
    """
    with tempfile.TemporaryDirectory(prefix="hub-bench-result-") as folder:
        result_file = Path(folder) / "result.json"
        command = [
            sys.executable,
            str(script),
            "--child",
            name,
            "--result",
            str(result_file),
            *args,
        ]
        process = subprocess.Popen(command)
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise BenchmarkFailure(f"contender {name} exited with status {process.returncode}")
        if not result_file.exists():
            raise BenchmarkFailure(f"contender {name} wrote no result")
        data = json.loads(result_file.read_text("utf-8"))
    peak_kb = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss / 1024
    # A contender's own worker processes run beside it: their peak counts too.
    workers_mb = float(data.get("details", {}).get("worker_peak_mb", 0.0))
    return Result(
        name=name,
        rows=int(data["rows"]),
        seconds=float(data["seconds"]),
        peak_mb=peak_kb / 1024 + workers_mb,
        details=data.get("details", {}),
    )


def write_child_result(path: Path, rows: int, seconds: float, details: dict[str, Any]) -> None:
    path.write_text(
        json.dumps({"rows": rows, "seconds": seconds, "details": details}, ensure_ascii=False),
        "utf-8",
    )


# --- output ---------------------------------------------------------------------------------


def machine_summary() -> str:
    """nproc, total memory, CPU model, OS and Python, in one line."""
    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:
        nproc = os.cpu_count() or 0
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        total = 0
    model = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"machine: nproc {nproc}, memory {total / 1024**3:.1f} GiB, CPU {model}; "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}"
    )


def ratio_line(ours: Result, baseline: Result, baseline_label: str | None = None) -> str:
    """``ratio: <ours> / <baseline> = X.XX (ours N/s, baseline M/s)``."""
    ratio = ours.rate / baseline.rate if baseline.rate else float("inf")
    return (
        f"ratio: {ours.name} / {baseline_label or baseline.name} = {ratio:.2f} "
        f"(ours {ours.rate:.0f}/s, baseline {baseline.rate:.0f}/s)"
    )


def human_bytes(size: float) -> str:
    return f"{size / MB:,.1f} MB"


def chosen_contenders(
    parser: argparse.ArgumentParser, only: str, contenders: Sequence[str]
) -> list[str]:
    """The contenders named by ``--only`` (comma-separated); an unknown name is a usage error."""
    names = [name.strip() for name in only.split(",") if name.strip()]
    unknown = [name for name in names if name not in contenders]
    if unknown:
        parser.error(f"unknown contender(s) {unknown}; known: {', '.join(contenders)}")
    return names


@contextmanager
def scratch_hub_settings(child: str) -> Iterator[Path]:
    """Point the hub's settings at a scratch folder for one child's run, so that its audit
    anchor and any store default never land in the repository's ``var/``."""
    with tempfile.TemporaryDirectory(prefix=f"hub-bench-{child}-") as scratch:
        os.environ["HUB_ENV"] = "development"
        os.environ["HUB_VAR_DIR"] = scratch
        os.environ["HUB_AUDIT_ANCHOR_PATH"] = f"{scratch}/audit-anchor.json"
        os.environ["HUB_DATABASE_URL"] = f"sqlite:///{scratch}/unused.db"
        yield Path(scratch)
