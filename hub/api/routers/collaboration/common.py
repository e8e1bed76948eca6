"""What the collaboration routers share: the standing of an instance, transition bodies,
and the department and region scoping every endpoint applies."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import HTTPException, Query, status
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from hub.api.deps import scope_clauses
from hub.collaboration.common import workflow_instance
from hub.errors import NotFoundError, PermissionDenied
from hub.security.tokens import Principal
from hub.store.base import Base
from hub.store.models.workflow import WorkflowInstance
from hub.workflow import StaleState

MAX_PAGE_SIZE = 200
DISPATCHING_LINE = "SJZY"
Page = Annotated[int, Query(ge=1)]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
Department = Annotated[str | None, Query(max_length=50)]
State = Annotated[str | None, Query(pattern=r"^[a-z_]+$")]
Subject = TypeVar("Subject", bound=Base)


class Standing(BaseModel):
    """Where a workflow instance stands."""

    state: str
    department_code: str | None
    due_at: datetime | None
    provisional: bool
    escalation_level: int

    @classmethod
    def of(cls, instance: WorkflowInstance) -> Standing:
        return cls(
            state=instance.state,
            department_code=instance.department_code,
            due_at=instance.due_at,
            provisional=instance.provisional,
            escalation_level=instance.escalation_level,
        )


class Transition(BaseModel):
    """A transition's inputs: the state the caller saw, and the reason or result it needs."""

    expected_state: str | None = Field(default=None, max_length=30)
    reason: str | None = Field(default=None, max_length=4000)
    result: str | None = Field(default=None, max_length=4000)


class ResultIn(BaseModel):
    expected_state: str | None = Field(default=None, max_length=30)
    result: str = Field(min_length=1, max_length=4000)


def holds(principal: Principal, department_code: str | None) -> bool:
    """Whether the caller acts for ``department_code`` (leaders and admins for any)."""
    return principal.sees_all_departments or department_code == principal.department_code


def dispatches(principal: Principal) -> bool:
    """Whether the caller works for the dispatching centre (数据资源管理局, line SJZY)."""
    return principal.department_code.partition("-")[0] == DISPATCHING_LINE


def instance_join(model: type[Any], workflow: str, subject_type: str) -> ColumnElement[bool]:
    """The join of a subject table to its workflow instances."""
    return (
        (WorkflowInstance.subject_id == model.id)
        & (WorkflowInstance.subject_type == subject_type)
        & (WorkflowInstance.workflow == workflow)
    )


def instance_for(session: Session, module: Any, subject_id: int) -> WorkflowInstance:
    """The instance of a subject of ``module`` (one of the collaboration modules)."""
    return workflow_instance(session, module.WORKFLOW, module.SUBJECT, subject_id)


def inbox_conditions(
    principal: Principal, department: str | None, state: str | None
) -> list[ColumnElement[bool]]:
    """Conditions of an inbox: held by the caller's department (or, for a leader, the named
    one), within the caller's region, optionally in ``state``."""
    holder = department or principal.department_code
    if holder != principal.department_code and not principal.sees_all_departments:
        raise PermissionDenied(f"you act for {principal.department_code}, not {holder}")
    conditions = [
        WorkflowInstance.department_code == holder,
        *scope_clauses(principal, region=WorkflowInstance.region_code),
    ]
    if state:
        conditions.append(WorkflowInstance.state == state)
    return conditions


def paged(
    session: Session, query: Select[*tuple[Any, ...]], page: int, page_size: int
) -> tuple[int, list[Any]]:
    """The total and one page of ``query``, soonest due first."""
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(WorkflowInstance.due_at, WorkflowInstance.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return int(total), [tuple(row) for row in rows]


def held(
    session: Session,
    principal: Principal,
    model: type[Subject],
    subject_id: int,
    workflow: str,
    subject_type: str,
) -> Subject:
    """A subject whose instance the caller's department holds, in its region (else 404)."""
    subject = session.get(model, subject_id)
    if subject is not None:
        instance = workflow_instance(session, workflow, subject_type, subject_id)
        if holds(principal, instance.department_code) and principal.in_region(instance.region_code):
            return subject
    raise NotFoundError(f"no {subject_type} {subject_id}")


@contextmanager
def conflict(session: Session) -> Iterator[None]:
    """Commit what the block did; a stale state is HTTP 409, anything else rolls back."""
    try:
        yield
    except StaleState as exc:
        session.rollback()
        raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=str(exc)) from None
    except Exception:
        session.rollback()
        raise
    session.commit()
