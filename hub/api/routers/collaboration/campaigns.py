"""专项整治 under ``/collaboration/campaigns``: a campaign and its tasks per department and
region, their progress and results, and the lead's completion view."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, status
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.api.deps import CurrentPrincipal, SessionDep
from hub.api.routers.collaboration.common import (
    Department,
    Page,
    PageSize,
    ResultIn,
    Standing,
    State,
    Transition,
    conflict,
    held,
    holds,
    inbox_conditions,
    instance_for,
    instance_join,
    paged,
)
from hub.collaboration import campaigns
from hub.errors import NotFoundError, PermissionDenied
from hub.security.tokens import Principal
from hub.store.models.collaboration import Campaign, CampaignTask
from hub.store.models.workflow import WorkflowInstance
from hub.workflow import Actor

router = APIRouter()


class CampaignIn(BaseModel):
    name: str = Field(min_length=1, max_length=300)
    goal: str = Field(min_length=1, max_length=4000)
    starts_on: date
    ends_on: date
    departments: list[str] = Field(min_length=1, max_length=100)
    regions: list[Annotated[str, Field(pattern=r"^[0-9]{6}$")]] = Field(
        min_length=1, max_length=200
    )


class CampaignOut(BaseModel):
    id: int
    name: str
    goal: str
    starts_on: date
    ends_on: date
    lead_department: str
    departments: list[str]
    regions: list[str]


class TaskIn(BaseModel):
    department_code: str = Field(min_length=1, max_length=50)
    region_code: str = Field(pattern=r"^[0-9]{6}$")
    instructions: str = Field(min_length=1, max_length=4000)


class TasksIn(BaseModel):
    tasks: list[TaskIn] = Field(min_length=1, max_length=500)


class TaskOut(BaseModel):
    id: int
    campaign_id: int
    campaign_name: str
    department_code: str
    region_code: str
    instructions: str
    progress_percent: int
    result: str | None
    completed_at: datetime | None
    standing: Standing


class TaskPage(BaseModel):
    items: list[TaskOut]
    total: int


class ProgressIn(BaseModel):
    progress_percent: int = Field(ge=0, le=99)
    content: str = Field(min_length=1, max_length=4000)


class CompletionRowOut(BaseModel):
    department_code: str
    region_code: str
    tasks: int
    completed: int
    late: int
    escalated: int
    progress_percent: int


class CompletionOut(BaseModel):
    campaign: CampaignOut
    tasks: int
    completed: int
    late: int
    rows: list[CompletionRowOut]


def _campaign_out(campaign: Campaign) -> CampaignOut:
    return CampaignOut(
        id=campaign.id,
        name=campaign.name,
        goal=campaign.goal,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        lead_department=campaign.lead_department,
        departments=list(campaign.departments),
        regions=list(campaign.regions),
    )


def _task_out(task: CampaignTask, instance: WorkflowInstance, campaign: Campaign) -> TaskOut:
    return TaskOut(
        id=task.id,
        campaign_id=campaign.id,
        campaign_name=campaign.name,
        department_code=task.department_code,
        region_code=task.region_code,
        instructions=task.instructions,
        progress_percent=task.progress_percent,
        result=task.result,
        completed_at=task.completed_at,
        standing=Standing.of(instance),
    )


def _led_campaign(session: Session, principal: Principal, campaign_id: int) -> Campaign:
    """A campaign the caller leads, or oversees as a leader in its region (else 404)."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or not (
        holds(principal, campaign.lead_department) and principal.in_region(campaign.region_code)
    ):
        raise NotFoundError(f"no campaign {campaign_id}")
    return campaign


@router.post("/campaigns", response_model=CampaignOut, status_code=status.HTTP_201_CREATED)
def create_campaign(
    body: CampaignIn, session: SessionDep, principal: CurrentPrincipal
) -> CampaignOut:
    """Start a campaign led by your department, in your region."""
    campaign = campaigns.create_campaign(
        session,
        name=body.name,
        goal=body.goal,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        departments=body.departments,
        regions=body.regions,
        lead=Actor.of(principal),
        region_code=principal.region_code,
    )
    session.commit()
    return _campaign_out(campaign)


@router.post("/campaigns/{campaign_id}/tasks", response_model=list[TaskOut], status_code=201)
def deploy_tasks(
    campaign_id: int, body: TasksIn, session: SessionDep, principal: CurrentPrincipal
) -> list[TaskOut]:
    """Deploy tasks per department and region (the lead department only)."""
    campaign = _led_campaign(session, principal, campaign_id)
    if campaign.lead_department != principal.department_code:
        raise PermissionDenied(f"tasks of campaign {campaign_id} are deployed by its lead")
    tasks = campaigns.deploy_tasks(
        session,
        campaign,
        [campaigns.TaskDraft(t.department_code, t.region_code, t.instructions) for t in body.tasks],
        Actor.of(principal),
    )
    session.commit()
    return [_task_out(task, instance_for(session, campaigns, task.id), campaign) for task in tasks]


@router.get("/campaigns/tasks/inbox", response_model=TaskPage)
def task_inbox(
    session: SessionDep,
    principal: CurrentPrincipal,
    state: State = None,
    department: Department = None,
    page: Page = 1,
    page_size: PageSize = 50,
) -> TaskPage:
    """Campaign tasks deployed to your department."""
    query = (
        select(CampaignTask, WorkflowInstance, Campaign)
        .join(WorkflowInstance, instance_join(CampaignTask, campaigns.WORKFLOW, campaigns.SUBJECT))
        .join(Campaign, Campaign.id == CampaignTask.campaign_id)
        .where(*inbox_conditions(principal, department, state))
    )
    total, rows = paged(session, query, page, page_size)
    return TaskPage(items=[_task_out(t, i, c) for t, i, c in rows], total=total)


def _task_action(
    session: Session,
    principal: Principal,
    task_id: int,
    act: Callable[[CampaignTask], object],
) -> TaskOut:
    task = held(session, principal, CampaignTask, task_id, campaigns.WORKFLOW, campaigns.SUBJECT)
    with conflict(session):
        act(task)
    campaign = session.get_one(Campaign, task.campaign_id)
    return _task_out(task, instance_for(session, campaigns, task.id), campaign)


@router.post("/campaigns/tasks/{task_id}/receive", response_model=TaskOut)
def receive_task(
    task_id: int, body: Transition, session: SessionDep, principal: CurrentPrincipal
) -> TaskOut:
    """签收 a task."""
    actor = Actor.of(principal)
    return _task_action(
        session,
        principal,
        task_id,
        lambda task: campaigns.receive_task(
            session, task, actor, expected_state=body.expected_state
        ),
    )


@router.post("/campaigns/tasks/{task_id}/progress", response_model=TaskOut)
def report_progress(
    task_id: int, body: ProgressIn, session: SessionDep, principal: CurrentPrincipal
) -> TaskOut:
    """Report progress (as often as needed)."""
    actor = Actor.of(principal)
    return _task_action(
        session,
        principal,
        task_id,
        lambda task: campaigns.report_progress(
            session, task, actor, progress_percent=body.progress_percent, content=body.content
        ),
    )


@router.post("/campaigns/tasks/{task_id}/result", response_model=TaskOut)
def report_task_result(
    task_id: int, body: ResultIn, session: SessionDep, principal: CurrentPrincipal
) -> TaskOut:
    """Report the task's result: it is completed and the lead department is told."""
    actor = Actor.of(principal)
    return _task_action(
        session,
        principal,
        task_id,
        lambda task: campaigns.report_result(
            session, task, actor, result=body.result, expected_state=body.expected_state
        ),
    )


@router.get("/campaigns/{campaign_id}/completion", response_model=CompletionOut)
def campaign_completion(
    campaign_id: int, session: SessionDep, principal: CurrentPrincipal
) -> CompletionOut:
    """Per department and region: tasks, completed, late, escalated, mean progress."""
    campaign = _led_campaign(session, principal, campaign_id)
    rows = campaigns.completion(session, campaign)
    return CompletionOut(
        campaign=_campaign_out(campaign),
        tasks=sum(row.tasks for row in rows),
        completed=sum(row.completed for row in rows),
        late=sum(row.late for row in rows),
        rows=[
            CompletionRowOut(
                department_code=row.department_code,
                region_code=row.region_code,
                tasks=row.tasks,
                completed=row.completed,
                late=row.late,
                escalated=row.escalated,
                progress_percent=row.progress_percent,
            )
            for row in rows
        ],
    )
