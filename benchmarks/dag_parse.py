"""DAG parse time: the hub's ``dags/`` folder against trivial DAGs, one per channel.

    python benchmarks/dag_parse.py [--runs 7]

Airflow's DAG processor parses every DAG file again and again, each time in a fresh process,
so what a DAG file does at parse time (read the channel files, build its DAGs, and above all
what it imports) is paid on every parse. Each parse here runs in a child process of its own,
the contenders alternating:

- ``hub-dags``: ``DagBag("dags/")``, ``dags/hub_channels.py`` and ``dags/hub_jobs.py`` over
  the channel files of ``HUB_MAPPINGS_DIR`` (default ``mappings/``);
- ``trivial-dags``: ``DagBag`` of a folder generated in a temp dir: one file holding one DAG
  per channel file, each with one no-op ``@task``, and nothing else read or imported.

Timed: the ``DagBag`` construction alone, in a child that has already imported Airflow (as
the DAG processor has); not the interpreter's start or Airflow's import, which both pay
alike. The figure is the median over ``--runs`` parses; the ratio compares DAGs parsed per
second, so the job DAGs the hub adds are counted, not held against it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

from _common import (
    REPO_ROOT,
    Result,
    Timer,
    fail,
    machine_summary,
    ratio_line,
    run_child,
    write_child_result,
)

CONTENDERS = ("hub-dags", "trivial-dags")

TRIVIAL_DAGS = '''"""One trivial DAG per channel: the parse-time baseline of benchmarks/dag_parse.py."""

from datetime import datetime

from airflow.sdk import DAG, task

for name in {names!r}:
    with DAG(dag_id=f"channel__{{name}}", schedule=None, start_date=datetime(2025, 1, 1)):

        @task(task_id="exchange")
        def exchange() -> None:
            """Nothing."""

        exchange()
'''


def channel_names() -> list[str]:
    import yaml

    from hub.scheduling.plan import CHANNEL_FILE_GLOB, mappings_dir

    paths = sorted(mappings_dir().glob(CHANNEL_FILE_GLOB))
    return [str(yaml.safe_load(path.read_text(encoding="utf-8"))["name"]) for path in paths]


def child(folder: Path, result: Path) -> None:
    """Parse ``folder`` once (Airflow already imported) and write the DAG count and seconds."""
    from airflow.dag_processing.dagbag import DagBag

    with Timer() as timer:
        bag = DagBag(str(folder))
    if bag.import_errors:
        raise SystemExit(f"import errors in {folder}: {bag.import_errors}")
    write_child_result(result, len(bag.dags), timer.seconds, {})


def measure(runs: int, folders: dict[str, Path]) -> dict[str, Result]:
    """Alternating fresh-process parses of each contender; the median of each."""
    seconds: dict[str, list[float]] = {name: [] for name in folders}
    dags: dict[str, int] = {}
    for _ in range(runs):
        for name, folder in folders.items():
            parsed = run_child(Path(__file__), name, ["--folder", str(folder)])
            seconds[name].append(parsed.seconds)
            dags[name] = parsed.rows
    return {
        name: Result(
            name=name,
            rows=dags[name],
            seconds=statistics.median(times),
            details={"min": min(times), "max": max(times)},
        )
        for name, times in seconds.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="parses per contender")
    parser.add_argument("--child", choices=CONTENDERS, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.folder, args.result)
        return

    print(machine_summary())
    with tempfile.TemporaryDirectory(prefix="hub-bench-dag-parse-") as scratch:
        os.environ["AIRFLOW_HOME"] = str(Path(scratch) / "airflow")  # never ~/airflow
        os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
        trivial = Path(scratch) / "trivial_dags"
        trivial.mkdir()
        names = channel_names()
        (trivial / "trivial_dags.py").write_text(TRIVIAL_DAGS.format(names=names), "utf-8")
        results = measure(args.runs, {"hub-dags": REPO_ROOT / "dags", "trivial-dags": trivial})
    for result in results.values():
        print(
            f"{result.name}: {result.rows} DAGs parsed in {result.seconds * 1000:.0f} ms "
            f"(median of {args.runs} fresh processes; min {result.details['min'] * 1000:.0f}, "
            f"max {result.details['max'] * 1000:.0f} ms)"
        )
    if results["trivial-dags"].rows != len(names):
        fail(f"the baseline parsed {results['trivial-dags'].rows} DAGs, not {len(names)}")
    print(ratio_line(results["hub-dags"], results["trivial-dags"]))


if __name__ == "__main__":
    main()
