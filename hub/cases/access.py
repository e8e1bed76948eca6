"""Who sees which case, and who sees a complainant's personal data.

- The department holding a case sees it, and only it sees the complainants' personal data in
  full; every such view is audited (``case.view_personal``).
- Leaders and admins see every case in their area (an admin of ``000000`` sees all).
- The dispatching centre (the complaint workflow's ``dispatcher`` role, e.g. the ``SJZY``
  line) sees every case in its area, and also the cases no area claims (no region, or a
  region outside the province), which would otherwise sit in triage unseen.
- Anyone else sees nothing, and is answered as if the case did not exist.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, true

from hub.cases.settings import case_settings
from hub.security.tokens import Principal
from hub.store.models.cases import Case
from hub.store.models.workflow import WorkflowInstance
from hub.workflow import Actor, load_workflow
from hub.workflow.roles import holds

DISPATCHER_ROLE = "dispatcher"


def is_dispatcher(principal: Principal) -> bool:
    """Whether the principal belongs to the dispatching centre (its role does not depend on
    the case)."""
    role = load_workflow("complaint").roles[DISPATCHER_ROLE]
    return holds(role, None, Actor.of(principal))


def visible_clause(principal: Principal) -> ColumnElement[bool]:
    """SQL condition on ``Case`` joined with its ``WorkflowInstance``: the cases the
    principal may see (see the module docstring)."""
    own = WorkflowInstance.department_code == principal.department_code
    if principal.sees_all_regions:
        area: ColumnElement[bool] = true()
    elif principal.region_prefix:
        area = Case.region_code.startswith(principal.region_prefix, autoescape=True)
    else:
        area = false()
    if principal.sees_all_departments:
        return or_(own, area)
    if is_dispatcher(principal):
        province = case_settings().province_region_prefix
        unclaimed = or_(
            Case.region_code.is_(None),
            ~Case.region_code.startswith(province, autoescape=True),
        )
        return or_(own, area, unclaimed)
    return own


def sees_personal_data(principal: Principal, instance: WorkflowInstance) -> bool:
    """Only the department holding the case sees its complainants in full."""
    return (
        instance.department_code is not None
        and principal.department_code == instance.department_code
    )
