"""Parsing the DAG files: light, offline, and one DAG per channel file.

Airflow's DAG processor parses ``dags/`` again every few seconds, each time in a fresh
process, so what a DAG file imports or opens at parse time is paid over and over. Each test
parses in a fresh interpreter (``describe_dags.py``) with sockets and engine creation refused,
and reads back what Airflow found and which modules were loaded.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DAGS = REPO_ROOT / "dags"
DESCRIBE = Path(__file__).with_name("describe_dags.py")

# Libraries a scheduled task needs and a parse must not load: the adapters' transports, the
# store's driver and migrations, the mapping compiler's XML; and the hub's own modules that
# would pull them in. (SQLAlchemy, pydantic, httpx and jsonschema are Airflow's own imports.)
HEAVY = (
    "zeep",
    "paramiko",
    "pika",
    "psycopg",
    "psycopg2",
    "lxml",
    "requests",
    "alembic",
    "openpyxl",
    "fastapi",
    "uvicorn",
    "adapters.base",
    "adapters.registry",
    "hub.exchange.channels",
    "hub.exchange.pipeline",
    "hub.mapping",
    "hub.scheduling.tasks",
    "hub.settings",
    "hub.store",
    "simulators",
)


def parse(mappings: Path, tmp_path: Path) -> dict[str, Any]:
    """What a fresh interpreter's DagBag finds in ``dags/`` with ``mappings`` as channel files."""
    result = tmp_path / f"dags-{len(list(tmp_path.glob('dags-*.json')))}.json"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "HUB_"))},
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "HUB_MAPPINGS_DIR": str(mappings),
    }
    done = subprocess.run(
        [sys.executable, str(DESCRIBE), str(DAGS), str(result)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    parsed: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
    return parsed


def declared_jobs() -> set[str]:
    """The DAG ids of the jobs ``dags/hub_jobs.py`` declares (each ``Job(name=...)`` of
    ``JOBS``), read without importing it: every module adds its own periodic jobs there."""
    tree = ast.parse((DAGS / "hub_jobs.py").read_text(encoding="utf-8"))
    return {
        f"job__{keyword.value.value}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Job"
        for keyword in node.keywords
        if keyword.arg == "name" and isinstance(keyword.value, ast.Constant)
    }


def heavy_modules(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == h or m.startswith(f"{h}.") for h in HEAVY)]


def test_parsing_the_shipped_dags_loads_nothing_heavy_and_connects_nowhere(
    tmp_path: Path,
) -> None:
    mappings = REPO_ROOT / "mappings"
    names = [yaml.safe_load(p.read_text("utf-8"))["name"] for p in mappings.glob("*/channel.yaml")]

    parsed = parse(mappings, tmp_path)

    assert parsed["import_errors"] == {}
    assert parsed["attempts"] == []
    assert heavy_modules(parsed["modules"]) == []
    dags = parsed["dags"]
    assert "job__outbox_dispatch" in declared_jobs()
    assert set(dags) == {f"channel__{name}" for name in names} | declared_jobs()
    assert all(dag["max_active_runs"] == 1 and not dag["catchup"] for dag in dags.values())
    hotline = dags["channel__hotline_12345"]
    assert hotline["schedule"] == "*/15 * * * *"
    assert set(hotline["tasks"]) == {"exchange", "dispatch"}
    assert hotline["tasks"]["exchange"]["outlets"] == ["hub://channel/hotline_12345"]
    assert {task["pool"] for task in hotline["tasks"].values()} == {"hub_hotline_12345"}
    both_national = [dags[f"channel__national_{n}"] for n in ("catalog", "complaints")]
    assert {t["pool"] for dag in both_national for t in dag["tasks"].values()} == {"hub_national"}
    publicity = dags["channel__credit_publicity"]  # sends only, when triggered
    assert (publicity["schedule"], list(publicity["tasks"])) == (None, ["dispatch"])
    dispatch = dags["job__outbox_dispatch"]
    assert dispatch["schedule"]["cron"] == "* * * * *"
    assert dispatch["schedule"]["assets"] == sorted(
        outlet for dag in dags.values() for t in dag["tasks"].values() for outlet in t["outlets"]
    )


def _channel(
    mappings: Path, source: str, changes: dict[str, Any], drop: tuple[str, ...] = ()
) -> None:
    """A copy of a shipped channel's folder with ``changes`` made to, ``drop`` taken from,
    its channel file."""
    folder = mappings / source
    shutil.copytree(REPO_ROOT / "mappings" / source, folder)
    path = folder / "channel.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    for key in drop:
        data.pop(key, None)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_each_channel_file_makes_its_dag_with_its_settings(tmp_path: Path) -> None:
    mappings = tmp_path / "mappings"
    _channel(
        mappings,
        "hotline_12345",
        {
            "schedule": "@hourly",
            "retries": 5,
            "retry_delay_seconds": 7,
            "timeout_seconds": 99,
            "alert_webhook": "${HUB_ALERT_HOTLINE}",
        },
    )
    _channel(mappings, "market_registry", {}, drop=("schedule",))  # every default
    (mappings / "broken").mkdir()
    (mappings / "broken" / "channel.yaml").write_text("name: Not A Name\n", encoding="utf-8")

    dags = parse(mappings, tmp_path)["dags"]

    assert (
        set(dags)
        == {
            "channel__hotline_12345",
            "channel__market_registry",
            "channel_file__broken",
        }
        | declared_jobs()
    )
    hotline = dags["channel__hotline_12345"]
    assert hotline["schedule"] == "@hourly"
    exchange = hotline["tasks"]["exchange"]
    assert (exchange["retries"], exchange["retry_delay"], exchange["execution_timeout"]) == (
        5,
        7,
        99,
    )
    assert exchange["alerts"]
    registry = dags["channel__market_registry"]
    assert registry["schedule"] == "@daily"
    assert registry["tags"] == ["channel", "file", "hub", "market_supervision"]
    assert registry["tasks"] == {
        "exchange": {
            "pool": "hub_market_supervision",
            "retries": 3,
            "retry_delay": 300,
            "execution_timeout": 3600,
            "outlets": ["hub://channel/market_registry"],
            "alerts": True,
        }
    }
    broken = dags["channel_file__broken"]
    assert (broken["schedule"], list(broken["tasks"])) == ("@hourly", ["configuration"])

    shutil.rmtree(mappings / "market_registry")
    (mappings / "broken" / "channel.yaml").unlink()

    assert set(parse(mappings, tmp_path)["dags"]) == {"channel__hotline_12345"} | declared_jobs()
