"""Who fires a transition, and which of a workflow's roles they hold on an instance.

Roles are not stored on accounts: they follow from the principal and the instance. The
department holding the instance is its ``handler``; a department of a listed line (the
data bureau's 12345 centre, ``SJZY``) or listed by code is a ``dispatcher``; leaders and
admins are ``supervisor``; the hub's own jobs act as ``system``. Each workflow file says
which condition makes which role (``roles:``), so another workflow names its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.security.tokens import Principal
from hub.store.models.workflow import WorkflowInstance
from hub.workflow.definition import RoleSpec, WorkflowDefinition

SYSTEM_ROLE = "system"


@dataclass(frozen=True)
class Actor:
    """Whoever fires a transition: a person or client (from its token) or a hub job."""

    name: str
    department_code: str | None
    principal_role: str

    @property
    def is_system(self) -> bool:
        return self.principal_role == SYSTEM_ROLE

    @property
    def department_line(self) -> str | None:
        """``SCJG`` of ``SCJG-3401``."""
        return self.department_code.partition("-")[0] if self.department_code else None

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        return cls(principal.name, principal.department_code, principal.role)

    @classmethod
    def system(cls, job: str) -> Actor:
        """A hub job acting on its own (``system:intake``, ``system:deadlines``)."""
        return cls(f"system:{job}", None, SYSTEM_ROLE)


def holds(role: RoleSpec, holding_department: str | None, actor: Actor) -> bool:
    """Whether ``actor`` holds ``role`` on an instance held by ``holding_department``."""
    if role.system:
        return actor.is_system
    if actor.is_system:
        return False
    if (
        role.handling_department
        and holding_department is not None
        and actor.department_code == holding_department
    ):
        return True
    if actor.department_code in role.departments or actor.department_line in role.department_lines:
        return True
    return actor.principal_role in role.principal_roles


def roles_of(
    definition: WorkflowDefinition, instance: WorkflowInstance, actor: Actor
) -> frozenset[str]:
    """The names of every role ``actor`` holds on ``instance``."""
    return frozenset(
        name
        for name, role in definition.roles.items()
        if holds(role, instance.department_code, actor)
    )
