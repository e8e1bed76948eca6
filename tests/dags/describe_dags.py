"""Parse a DAG folder in this fresh process and write what Airflow found as JSON.

    python tests/dags/describe_dags.py DAGS_FOLDER RESULT_FILE

Run by ``test_parse.py`` in a subprocess, so that the modules found in ``sys.modules``
afterwards are those that Airflow and the DAG files imported, nothing a test imported before.
Every socket connection is refused from the start, and creating a SQLAlchemy engine once
Airflow has made its own; each attempt is recorded, so a DAG file reaching for a server or a
store at parse time shows up in the result (and as an import error).
"""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path
from typing import Any

ATTEMPTS: list[str] = []


def refuse(what: str) -> Any:
    def refused(*args: Any, **_kwargs: Any) -> Any:
        ATTEMPTS.append(f"{what}{args[1:] if what.startswith('socket') else args[:1]!r}")
        raise OSError(f"{what} refused while parsing DAG files")

    return refused


def schedule_of(dag: Any) -> Any:
    """A plain schedule as it is; an asset-or-time schedule as its cron and asset URIs."""
    schedule = dag.schedule
    if schedule is None or isinstance(schedule, str):
        return schedule
    return {
        "cron": schedule.timetable.expression,
        "assets": sorted(asset.uri for asset in schedule.asset_condition.objects),
    }


def describe_task(task: Any) -> dict[str, Any]:
    return {
        "pool": task.pool,
        "retries": task.retries,
        "retry_delay": task.retry_delay.total_seconds(),
        "execution_timeout": task.execution_timeout.total_seconds()
        if task.execution_timeout
        else None,
        "outlets": [outlet.uri for outlet in task.outlets],
        "alerts": bool(task.on_failure_callback),
    }


def main(folder: str, result: str) -> None:
    socket.socket.connect = refuse("socket.connect")  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse("socket.connect_ex")  # type: ignore[method-assign]
    import airflow  # noqa: F401  (makes Airflow's own, lazy, engine first)
    import sqlalchemy
    import sqlalchemy.engine
    import sqlalchemy.engine.create

    create_engine = refuse("create_engine")
    sqlalchemy.create_engine = create_engine
    sqlalchemy.engine.create_engine = create_engine
    sqlalchemy.engine.create.create_engine = create_engine
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(folder)
    dags = {
        dag_id: {
            "schedule": schedule_of(dag),
            "max_active_runs": dag.max_active_runs,
            "catchup": dag.catchup,
            "tags": sorted(dag.tags),
            "tasks": {task.task_id: describe_task(task) for task in dag.tasks},
        }
        for dag_id, dag in bag.dags.items()
    }
    Path(result).write_text(
        json.dumps(
            {
                "import_errors": bag.import_errors,
                "dags": dags,
                "modules": sorted(sys.modules),
                "attempts": ATTEMPTS,
            }
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
