"""专项整治: a campaign with its goal, period, departments and regions; tasks deployed per
department and region; progress and results reported; a completion view.

Each task is an instance of ``standards/workflows/campaign_task.yaml`` held by its
department. The receipt (签收) has a limit in working days; the work is due at the end of
the campaign's period, which is a date, not a count of working days, so after each transition
this module sets the instance's deadline to the last day's end (23:59:59 Beijing time): the
hourly check then escalates a task still open after the campaign ended (督办). Progress
reports are records (any number of them); only the first moves the task to ``in_progress``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.calendar import BEIJING
from hub.catalog.dictionaries import department
from hub.collaboration.common import (
    known_department,
    required_text,
    send_feedback,
    workflow_instance,
)
from hub.errors import DataError
from hub.store.models.collaboration import Campaign, CampaignReport, CampaignTask
from hub.store.models.workflow import WorkflowInstance, WorkflowTransition
from hub.workflow import Actor, fire, load_workflow, start
from hub.workflow.timing import aware, utc

WORKFLOW = "campaign_task"
SUBJECT = "campaign_task"
WORK_STATES = ("received", "in_progress")
"""States whose deadline is the campaign's end."""


@dataclass(frozen=True)
class TaskDraft:
    department_code: str
    region_code: str
    instructions: str


def create_campaign(
    session: Session,
    *,
    name: str,
    goal: str,
    starts_on: date,
    ends_on: date,
    departments: Sequence[str],
    regions: Sequence[str],
    lead: Actor,
    region_code: str,
    now: datetime | None = None,
) -> Campaign:
    """A campaign led by ``lead``'s department; its tasks are deployed next."""
    if lead.department_code is None:
        raise DataError("a campaign is led by a department")
    if ends_on < starts_on:
        raise DataError(f"ends_on: {ends_on} is before starts_on {starts_on}")
    covered = sorted({known_department(code.strip()) for code in departments})
    areas = sorted({code.strip() for code in regions if code.strip()})
    if not covered:
        raise DataError("departments: at least one")
    if not areas:
        raise DataError("regions: at least one")
    outside = [area for area in areas if not area.startswith(_prefix(region_code))]
    if outside:
        raise DataError(f"regions: {', '.join(outside)} outside the lead's region {region_code}")
    campaign = Campaign(
        name=required_text("name", name, 300),
        goal=required_text("goal", goal, 4000),
        starts_on=starts_on,
        ends_on=ends_on,
        lead_department=lead.department_code,
        region_code=region_code,
        departments=covered,
        regions=areas,
        created_by=lead.name,
        created_at=utc(now),
    )
    session.add(campaign)
    session.flush()
    return campaign


def _prefix(region_code: str) -> str:
    prefix = region_code
    while prefix.endswith("00"):
        prefix = prefix[:-2]
    return prefix


def deploy_tasks(
    session: Session,
    campaign: Campaign,
    drafts: Sequence[TaskDraft],
    actor: Actor,
    *,
    now: datetime | None = None,
) -> list[CampaignTask]:
    """Deploy one task per draft; each department and region must be the campaign's, and a
    task already deployed to the same department and region is refused."""
    problems: list[str] = []
    for draft in drafts:
        if draft.department_code not in campaign.departments:
            problems.append(f"{draft.department_code}: not a department of the campaign")
        if not any(draft.region_code.startswith(_prefix(area)) for area in campaign.regions):
            problems.append(f"{draft.region_code}: not in the campaign's regions")
        elif not department(draft.department_code).covers(draft.region_code):
            problems.append(f"{draft.region_code}: outside the area of {draft.department_code}")
    pairs = [(draft.department_code, draft.region_code) for draft in drafts]
    deployed = set(
        session.execute(
            select(CampaignTask.department_code, CampaignTask.region_code).where(
                CampaignTask.campaign_id == campaign.id
            )
        )
    )
    problems += [f"{d} in {r}: deployed already" for d, r in pairs if (d, r) in deployed]
    if len(set(pairs)) != len(pairs):
        problems.append("the same department and region twice")
    if not drafts:
        problems.append("tasks: at least one")
    if problems:
        raise DataError("cannot deploy: " + "; ".join(problems))
    moment = utc(now)
    definition = load_workflow(WORKFLOW)
    tasks = []
    for draft in drafts:
        task = CampaignTask(
            campaign_id=campaign.id,
            department_code=draft.department_code,
            region_code=draft.region_code,
            instructions=required_text("instructions", draft.instructions, 4000),
        )
        session.add(task)
        session.flush()
        start(
            session,
            definition,
            SUBJECT,
            task.id,
            actor=actor,
            department_code=task.department_code,
            region_code=task.region_code,
            now=moment,
        )
        tasks.append(task)
    return tasks


def campaign_deadline(campaign: Campaign) -> datetime:
    """The end of the campaign's last day, Beijing time, in UTC."""
    return datetime.combine(campaign.ends_on, time(23, 59, 59), BEIJING).astimezone(UTC)


def receive_task(
    session: Session,
    task: CampaignTask,
    actor: Actor,
    *,
    expected_state: str | None = None,
    now: datetime | None = None,
) -> WorkflowTransition:
    """The department signs for its task (签收)."""
    return _fire(session, task, "receive", actor, expected_state=expected_state, now=now)


def report_progress(
    session: Session,
    task: CampaignTask,
    actor: Actor,
    *,
    progress_percent: int,
    content: str,
    now: datetime | None = None,
) -> CampaignReport:
    """Record a progress report (any number); the first one starts the work."""
    instance = workflow_instance(session, WORKFLOW, SUBJECT, task.id)
    if not 0 <= progress_percent < 100:
        raise DataError("progress_percent: from 0 to 99 (100 is reported as the result)")
    if instance.state == "received":
        _fire(session, task, "start_work", actor, expected_state="received", now=now)
    elif instance.state != "in_progress" or instance.department_code != actor.department_code:
        raise DataError(
            f"task {task.id} is {instance.state!r}: progress is reported by its department "
            "once it is received and until its result"
        )
    return _record(session, task, actor, "progress", progress_percent, content, now)


def report_result(
    session: Session,
    task: CampaignTask,
    actor: Actor,
    *,
    result: str,
    expected_state: str | None = None,
    now: datetime | None = None,
) -> CampaignReport:
    """The task's result: the task is completed and the campaign's lead is told."""
    fired = _fire(
        session,
        task,
        "complete",
        actor,
        expected_state=expected_state,
        fields={"result": result},
        now=now,
    )
    task.result = str(fired.payload["result"])
    task.completed_at = fired.fired_at
    campaign = session.get_one(Campaign, task.campaign_id)
    send_feedback(
        session,
        subject_type=SUBJECT,
        subject_id=task.id,
        kind="campaign_task_completed",
        to_department=campaign.lead_department,
        from_department=task.department_code,
        message=f"{task.department_code}（{task.region_code}）完成《{campaign.name}》任务：{task.result}",
        now=fired.fired_at,
    )
    return _record(session, task, actor, "result", 100, task.result, now)


def _fire(
    session: Session,
    task: CampaignTask,
    transition: str,
    actor: Actor,
    *,
    expected_state: str | None,
    fields: dict[str, str] | None = None,
    now: datetime | None,
) -> WorkflowTransition:
    instance = workflow_instance(session, WORKFLOW, SUBJECT, task.id)
    fired = fire(
        session, instance, transition, actor, expected_state=expected_state, fields=fields, now=now
    )
    if instance.state in WORK_STATES:
        _due_at_campaign_end(session, instance, session.get_one(Campaign, task.campaign_id))
    return fired


def _due_at_campaign_end(session: Session, instance: WorkflowInstance, campaign: Campaign) -> None:
    """Set the deadline the engine cannot count: the campaign's end (see the module doc).

    Conditioned on the version just written, like the engine's own updates."""
    session.execute(
        update(WorkflowInstance)
        .where(WorkflowInstance.id == instance.id, WorkflowInstance.version == instance.version)
        .values(due_at=campaign_deadline(campaign), provisional=False)
        .execution_options(synchronize_session=False)
    )
    session.refresh(instance)


def _record(
    session: Session,
    task: CampaignTask,
    actor: Actor,
    kind: str,
    progress_percent: int,
    content: str,
    now: datetime | None,
) -> CampaignReport:
    report = CampaignReport(
        task_id=task.id,
        kind=kind,
        progress_percent=progress_percent,
        content=required_text("content", content, 4000),
        reported_by=actor.name,
        reported_at=utc(now),
    )
    task.progress_percent = progress_percent
    session.add(report)
    session.flush()
    return report


@dataclass
class CompletionRow:
    """One department in one region: its tasks, how many are done, late, and its progress."""

    department_code: str
    region_code: str
    tasks: int = 0
    completed: int = 0
    late: int = 0
    escalated: int = 0
    progress_total: int = 0

    @property
    def progress_percent(self) -> int:
        """The mean progress of the tasks (a completed task counts 100)."""
        return round(self.progress_total / self.tasks) if self.tasks else 0


def completion(
    session: Session, campaign: Campaign, now: datetime | None = None
) -> list[CompletionRow]:
    """Per department and region: tasks, completed, late (open past their deadline or
    completed after the campaign's end), escalated, mean progress."""
    moment, end = utc(now), campaign_deadline(campaign)
    rows: dict[tuple[str, str], CompletionRow] = {}
    pairs = session.execute(
        select(CampaignTask, WorkflowInstance)
        .join(
            WorkflowInstance,
            (WorkflowInstance.subject_id == CampaignTask.id)
            & (WorkflowInstance.subject_type == SUBJECT)
            & (WorkflowInstance.workflow == WORKFLOW),
        )
        .where(CampaignTask.campaign_id == campaign.id)
        .order_by(CampaignTask.department_code, CampaignTask.region_code)
    )
    for task, instance in pairs:
        key = (task.department_code, task.region_code)
        row = rows.setdefault(key, CompletionRow(*key))
        row.tasks += 1
        row.progress_total += task.progress_percent
        if instance.escalation_level:
            row.escalated += 1
        if task.completed_at is not None:
            row.completed += 1
            row.late += aware(task.completed_at) > end
        elif instance.due_at is not None and moment > aware(instance.due_at):
            row.late += 1
    return list(rows.values())
