"""Work endpoints of collaboration under ``/api/v1/collaboration`` (hub/collaboration).

抄告抄送 (``/notices``, :mod:`.notices`), 协查协办 (``/assistance``, :mod:`.assistance`),
专项整治 (``/campaigns``, :mod:`.campaigns`), 审批联动 (``/approvals``, :mod:`.approvals`),
the feedback each sends its sender (``/feedback``) and the reminders and escalations of the
engine's hourly check (``/alerts``, both :mod:`.feedback`). Every list is scoped to the
caller's department and region (:mod:`.common`); something held by another department is
answered like an unknown one (404), and asking for another department's inbox is refused
(403) unless the caller is a leader or admin. Every state change is a transition of the
workflow engine: a refusal (wrong state, role, missing field) is HTTP 422 with its reason, a
stale ``expected_state`` (someone acted first) HTTP 409.
"""

from __future__ import annotations

from fastapi import APIRouter

from hub.api.routers.collaboration import approvals, assistance, campaigns, feedback, notices

router = APIRouter(prefix="/collaboration", tags=["collaboration"])
for collaboration in (notices, assistance, campaigns, approvals, feedback):
    router.include_router(collaboration.router)
