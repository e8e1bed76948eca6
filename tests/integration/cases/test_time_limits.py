"""Complaint time limits per source, region and category: a province's overrides in
``standards/workflows/complaint.yaml`` (local practice) reach each case's deadlines through
the intake, counted in working days on the official calendar.

The shipped file only overrides by source and kind (DOMAIN.md's national rules); a copy with
the local overrides a province would add stands in for it here. The hourly check that sends
late cases up runs as the DAG ``job__workflow_time_limits``."""

from __future__ import annotations

import ast
import itertools
import shutil
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
import yaml
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hub.cases.handling import case_instance, fire_case
from hub.cases.intake import take_in
from hub.workflow import Actor, definition, load_workflow
from hub.workflow.timing import aware
from tests.unit.cases.complaints import RECEIVED, store_complaint

BEIJING = ZoneInfo("Asia/Shanghai")
REPO_ROOT = Path(__file__).resolve().parents[3]
_callers = itertools.count(1)
LOCAL_OVERRIDES = [
    {
        "note": "food safety complaints are handled within 5 working days",
        "when": {"category_code": "food_safety"},
        "states": {"handling": 5},
    },
    {
        "note": "in Wuhu (3402) food safety gets 8, and every dispatch 2 days to sign for",
        "when": {"region_code": "3402", "category_code": "food_safety"},
        "states": {"handling": 8},
    },
    {"when": {"region_code": "3402"}, "states": {"assigned": 2}},
]


@pytest.fixture
def local_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The shipped workflows, with ``LOCAL_OVERRIDES`` added to the complaint's limits."""
    folder = tmp_path / "workflows"
    shutil.copytree(definition.WORKFLOWS_DIR, folder)
    path = folder / "complaint.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["time_limits"]["overrides"] += LOCAL_OVERRIDES
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(definition, "WORKFLOWS_DIR", folder)
    load_workflow.cache_clear()
    yield
    load_workflow.cache_clear()


def end_of(day: date) -> datetime:
    """The end of a working day in Beijing, as deadlines are."""
    return datetime.combine(day, time(23, 59, 59), BEIJING)


def _due(engine: Engine, start: bool, **fields: object) -> datetime:
    """Take in a complaint received on Monday 11 May 2026 (from a caller of its own, so that
    it opens a case); the due time of its state after assignment (and after
    ``start_handling`` when ``start``)."""
    phone = f"139{next(_callers):08d}"
    with Session(engine) as session, session.begin():
        complaint = store_complaint(session, **{"complainant_phone": phone, **fields})
        case = take_in(session, complaint, now=RECEIVED)
        instance = case_instance(session, case)
        assert instance.state == "assigned", case.triage_reason
        if start:
            holder = Actor("officer", instance.department_code, "officer")
            fire_case(session, case, "start_handling", holder, now=RECEIVED)
        assert instance.due_at is not None
        return aware(instance.due_at).astimezone(BEIJING).replace(microsecond=0)


@pytest.mark.usefixtures("local_limits")
def test_handling_limits_follow_the_category_then_the_region(engine: Engine) -> None:
    pricing = {"category": "价格", "title": "未明码标价", "content": "某超市商品未明码标价"}
    # the default: 13 working days from Monday the 11th
    assert _due(engine, True, **pricing) == end_of(date(2026, 5, 28))
    # food safety anywhere: 5
    assert _due(engine, True) == end_of(date(2026, 5, 18))
    # food safety in Wuhu: the later, more specific override wins
    assert _due(engine, True, region_code="340202") == end_of(date(2026, 5, 21))


@pytest.mark.usefixtures("local_limits")
def test_a_region_prefix_sets_the_limit_of_another_state(engine: Engine) -> None:
    assert _due(engine, False) == end_of(date(2026, 5, 12))  # assigned: 1 working day
    assert _due(engine, False, region_code="340202") == end_of(date(2026, 5, 13))


def test_the_shipped_limits_follow_the_source(engine: Engine) -> None:
    assert _due(engine, True) == end_of(date(2026, 5, 28))  # 12345: 13 working days
    # 12315: mediation within 45 working days, the Dragon Boat Festival (19 June) skipped
    platform = _due(engine, True, source="platform_12315")
    assert platform == end_of(date(2026, 7, 14))


def run_job(call: str) -> Any:
    """What a job's DAG task runs (``hub.scheduling.tasks.run_job``), imported here, not at
    collection: it imports Airflow, which the DAG tests must import after setting
    ``AIRFLOW_HOME``."""
    from hub.scheduling.tasks import run_job as run

    return run(call)


def _declared_job(name: str) -> dict[str, str]:
    """The string arguments of ``Job(name=name, ...)`` in ``dags/hub_jobs.py``, read without
    importing Airflow."""
    tree = ast.parse((REPO_ROOT / "dags" / "hub_jobs.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Job":
            arguments = {
                keyword.arg: str(keyword.value.value)
                for keyword in node.keywords
                if keyword.arg and isinstance(keyword.value, ast.Constant)
            }
            if arguments.get("name") == name:
                return arguments
    raise AssertionError(f"dags/hub_jobs.py declares no job {name!r}")


def test_the_hourly_check_runs_as_a_dag_sending_late_cases_up(engine: Engine) -> None:
    job = _declared_job("workflow_time_limits")
    minute, hour, *every_day = job["cron"].split()
    assert minute.isdigit() and hour == "*" and every_day == ["*", "*", "*"]  # once an hour
    with Session(engine) as session, session.begin():
        take_in(session, store_complaint(session), now=RECEIVED)  # assigned: due on the 12th
    with time_machine.travel(end_of(date(2026, 5, 13)), tick=False):
        report = run_job(job["call"])  # what the DAG's task runs
    assert (report["checked"], report["escalations"]) == (1, 1)


@pytest.mark.parametrize("region", [None, "350102"], ids=["no region", "outside the province"])
def test_a_case_waiting_in_triage_without_a_region_of_the_province_is_chased_by_the_province(
    engine: Engine, region: str | None
) -> None:
    from hub.store.models.workflow import WorkflowAlert

    with Session(engine) as session, session.begin():
        case = take_in(session, store_complaint(session, region_code=region), now=RECEIVED)
        assert case_instance(session, case).state == "triage"
    # triage: 2 working days, due on Wednesday the 13th; a reminder as it falls due, then
    # escalations once it is late
    with time_machine.travel(datetime(2026, 5, 13, 12, 0, tzinfo=BEIJING), tick=False):
        run_job(_declared_job("workflow_time_limits")["call"])
    with time_machine.travel(end_of(date(2026, 5, 20)), tick=False):
        run_job(_declared_job("workflow_time_limits")["call"])
    with Session(engine) as session:
        alerts = {
            (alert.kind, alert.addressee_department) for alert in session.query(WorkflowAlert).all()
        }
    assert alerts and {addressee for _, addressee in alerts} == {"SJZY-34"}
    assert {kind for kind, _ in alerts} == {"reminder", "escalation"}
