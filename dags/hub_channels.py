"""One Airflow DAG per channel file of the mappings folder (``HUB_MAPPINGS_DIR``).

Adding ``mappings/<system>/channel.yaml`` adds the DAG ``channel__<name>``; removing the file
removes it. The DAGs are thin: each task calls one hub function (``hub.scheduling.tasks``),
imported when the task runs. Parsing this file reads the channel files (YAML, checked against
their schema) and nothing else: no store, no adapter, no connection.

Tasks
    ``exchange`` (channels that fetch): ``run_channel``, the whole run in one task. A run
    fetches batch after batch and, for each, commits its records, then moves the cursor, then
    acknowledges (AMQP ack, SFTP move to ``done/``): ack after commit is what makes a crash
    replay the batch instead of losing it. Splitting fetch, ingest and commit over tasks would
    carry the payloads through XCom and acknowledge deliveries before they were stored, so the
    three stay inside one task. The task's outlet is the asset ``hub://channel/<name>``: a run
    that stored something updates it (jobs waiting for fresh data start), one that found
    nothing new is skipped.
    ``dispatch`` (channels that send: ``subscribe`` or an adapter ``push`` section): the
    outbox's due messages to this channel.

Settings, from the channel file (defaults in ``hub.scheduling.plan``)
    ``schedule`` (China Standard Time; null: only when triggered), ``retries`` and ``retry_delay_seconds`` (for
    transient failures, ``RetryLater``; a wrong configuration or wrong data fails at once),
    ``timeout_seconds`` (each try's ``execution_timeout``) and ``alert_webhook`` (posted JSON
    once a task has failed for good; else ``HUB_ALERT_WEBHOOK``). ``max_active_runs=1``: a
    channel never runs twice at once, so its cursor has one writer.

Pools
    Every task of a channel runs in the pool ``hub_<system>``, one per outside system, shared
    by all its channels, so that the hub never talks to one system more often at once than
    the pool's slots allow. Airflow does not schedule a task whose pool does not exist (it
    warns of it on the DAG); ``hub airflow pools`` creates the missing ones, and is run once
    after ``airflow db migrate`` and again whenever a channel file names a new system.

A channel file that fails its schema becomes the DAG ``channel_file__<folder>``, whose one
task fails hourly with the hub's message, rather than an import error of this file: Airflow
would stop scheduling every channel for one broken file.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import DAG, Asset, task

from hub.scheduling.alerts import failure_alert
from hub.scheduling.plan import (
    START_DATE,
    BrokenChannelFile,
    ChannelPlan,
    mappings_dir,
    read_plans,
)

BROKEN_FILE_SCHEDULE = "@hourly"


def task_options(plan: ChannelPlan) -> dict[str, Any]:
    """What every task of the channel shares: its pool, retries, timeout and alert."""
    return {
        "pool": plan.pool,
        "retries": plan.retries,
        "retry_delay": plan.retry_delay,
        "execution_timeout": plan.timeout,
        "on_failure_callback": failure_alert(plan.alert_webhook),
    }


def exchange_task(plan: ChannelPlan) -> None:
    asset = Asset(plan.asset_uri)

    @task(task_id="exchange", outlets=[asset], **task_options(plan))
    def exchange(*, outlet_events: Any = None) -> dict[str, Any]:
        from hub.scheduling import tasks

        return tasks.exchange(plan.name, outlet_events[asset])

    exchange()


def dispatch_task(plan: ChannelPlan) -> None:
    @task(task_id="dispatch", **task_options(plan))
    def dispatch() -> dict[str, Any]:
        from hub.scheduling import tasks

        return tasks.dispatch(plan.name)

    dispatch()


def channel_dag(plan: ChannelPlan) -> None:
    with DAG(
        dag_id=plan.dag_id,
        description=plan.title,
        schedule=plan.schedule,
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        tags=["hub", "channel", plan.adapter_type, plan.system],
        doc_md=f"Channel `{plan.name}` ({plan.path}): {plan.title}",
    ):
        if plan.fetches:
            exchange_task(plan)
        if plan.sends:
            dispatch_task(plan)


def broken_file_dag(broken: BrokenChannelFile) -> None:
    with DAG(
        dag_id=broken.dag_id,
        description=f"broken channel file {broken.path}",
        schedule=BROKEN_FILE_SCHEDULE,
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        tags=["hub", "channel", "broken"],
        doc_md=f"```\n{broken.error}\n```",
    ):

        @task(task_id="configuration", retries=0, on_failure_callback=failure_alert(None))
        def configuration() -> None:
            from airflow.sdk.exceptions import AirflowFailException

            raise AirflowFailException(broken.error)

        configuration()


PLANS = read_plans(mappings_dir())
for channel_plan in PLANS.channels:
    channel_dag(channel_plan)
for broken_file in PLANS.broken:
    broken_file_dag(broken_file)
