"""The hub modules' periodic jobs: one DAG each, ``job__<name>``, calling one hub function.

A job is one entry of ``JOBS``: the function (``package.module:function``, no arguments,
returning something small for XCom; imported when the task runs, never when this file is
parsed), its cron schedule (China Standard Time), and whether fresh channel data should start
it too. The function's
hub errors become Airflow outcomes as for the channels (``hub.scheduling.tasks``): transient
ones are retried, configuration and data errors fail at once; a failure posts an alert to
``HUB_ALERT_WEBHOOK``.

Only functions that exist are scheduled. The issues that add the other modules' periodic
work add their entries here with it: case time-limit checks, late-publication checks,
national reconciliation, credit, risk and evaluation scoring.

Jobs that depend on fresh data are scheduled on assets: ``after_channels`` adds "whenever a
channel stored something" (any ``hub://channel/<name>`` asset updated, see
``dags/hub_channels.py``) to the job's time schedule. The outbox dispatch uses it: a channel
run writes its domain events to the outbox in the same transaction as its records, so
dispatching right after sends them on without waiting for the minute; the minute still
catches retries falling due and messages queued by the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from airflow.sdk import (
    DAG,
    Asset,
    AssetAny,
    AssetOrTimeSchedule,
    CronTriggerTimetable,
    task,
)

from hub.scheduling.alerts import failure_alert
from hub.scheduling.plan import SCHEDULE_TIMEZONE, START_DATE, mappings_dir, read_plans


@dataclass(frozen=True)
class Job:
    """One periodic job: which hub function, how often, and how persistently."""

    name: str
    call: str
    cron: str
    doc: str
    after_channels: bool = False
    retries: int = 2
    retry_delay: timedelta = timedelta(seconds=30)
    timeout: timedelta = timedelta(minutes=30)

    @property
    def dag_id(self) -> str:
        return f"job__{self.name}"


JOBS = (
    Job(
        name="outbox_dispatch",
        call="hub.scheduling.tasks:dispatch",
        cron="* * * * *",
        after_channels=True,
        timeout=timedelta(minutes=10),
        doc="Send every destination's due outbox messages (`hub outbox dispatch`).",
    ),
    Job(
        name="cases_intake",
        call="hub.cases.intake:take_new_complaints",
        cron="*/15 * * * *",
        after_channels=True,
        doc="Turn stored complaints into cases: merge, route, triage (`hub cases intake`).",
    ),
    Job(
        name="approvals_intake",
        call="hub.collaboration.approvals:take_new_licensing_events",
        cron="*/30 * * * *",
        after_channels=True,
        doc="Open a claim (审批联动) for every new granted licensing case (`hub collab approvals-intake`).",
    ),
    Job(
        name="workflow_time_limits",
        call="hub.workflow.deadlines:check_time_limits",
        cron="5 * * * *",
        doc="Send due reminders (催办) and escalations (督办), once each (`hub cases check-deadlines`).",
    ),
    Job(
        name="publication_deadlines",
        call="hub.draws.publication:check_publication_deadlines",
        cron="30 8 * * *",
        doc="Record publication receipts, alert results due soon, list late ones (`hub draw late`).",
    ),
    Job(
        name="national_reconcile",
        call="hub.national.reconcile:reconcile_yesterday",
        cron="30 2 * * *",
        doc="Compare yesterday's pushes with the national system, re-send what it lacks "
        "(`hub national reconcile`).",
    ),
)


def schedule(job: Job, channel_assets: list[str]) -> Any:
    """The job's cron, or with ``after_channels`` the cron or any channel asset updated."""
    if not job.after_channels or not channel_assets:
        return job.cron
    return AssetOrTimeSchedule(
        timetable=CronTriggerTimetable(job.cron, timezone=SCHEDULE_TIMEZONE),
        assets=AssetAny(*(Asset(uri) for uri in channel_assets)),
    )


def job_dag(job: Job, channel_assets: list[str]) -> None:
    with DAG(
        dag_id=job.dag_id,
        description=job.doc,
        schedule=schedule(job, channel_assets),
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        tags=["hub", "job"],
        doc_md=f"{job.doc}\n\nCalls `{job.call}`.",
    ):

        @task(
            task_id="run",
            retries=job.retries,
            retry_delay=job.retry_delay,
            execution_timeout=job.timeout,
            on_failure_callback=failure_alert(None),
        )
        def run() -> Any:
            from hub.scheduling import tasks

            return tasks.run_job(job.call)

        run()


CHANNEL_ASSETS = read_plans(mappings_dir()).asset_uris()
for periodic_job in JOBS:
    job_dag(periodic_job, CHANNEL_ASSETS)
