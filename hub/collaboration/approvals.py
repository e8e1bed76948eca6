"""审批联动: licensing cases from the government services platform, claimed and supervised.

- **Intake** (:func:`take_new_licensing_events`, the job ``job__approvals_intake`` and
  ``hub collab approvals-intake``): every licensing case stored from the platform's channel
  that was granted on a reform track (先照后证, 多证合一, 告知承诺) and has no claim yet gets
  one, in the department :mod:`hub.collaboration.routing` makes responsible, on
  ``standards/workflows/approval_claim.yaml``. Idempotent: a case has at most one claim
  (unique ``licensing_id``), and only cases without one are read.
- **Claim** within the limit, or the hourly check escalates it (督办); a wrong routing is
  returned with its reason and re-routed by the dispatching centre (改派).
- **Supervision result**: recorded on the claim, published (``GET /api/v1/public/approvals``)
  and queued in the outbox, in the same transaction, for the platform's channel
  (``government_services``: ``outbound.approval.supervision_result``), whose dispatcher pushes
  it with an idempotency key per case and records the platform's receipt.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, exists, select
from sqlalchemy.orm import Session

from hub.collaboration.common import known_department, workflow_instance
from hub.collaboration.routing import LicensingFacts, route
from hub.errors import DataError
from hub.exchange.outbox import enqueue
from hub.store.models.actions import Licensing
from hub.store.models.collaboration import ApprovalClaim
from hub.store.models.entities import RegulatedEntity
from hub.store.models.workflow import WorkflowTransition
from hub.workflow import Actor, fire, load_workflow, start
from hub.workflow.timing import BEIJING, utc

WORKFLOW = "approval_claim"
SUBJECT = "approval_claim"
CHANNEL = "government_services"
EVENT_TYPE = "approval.supervision_result"
REFORM_TRACKS = (
    "licence_after_registration",
    "multiple_licences_in_one",
    "notification_commitment",
)
GRANTED = "granted"
NOTE_MAX_LENGTH = 2000


def take_new_licensing_events(
    engine: Engine | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """Open a claim for every granted reform-track licensing case without one (idempotent).

    Takes no argument when run as a job, so it reads the store of ``HUB_DATABASE_URL``.
    """
    from hub.store.engine import get_engine

    moment = utc(now)
    opened: Counter[str] = Counter()
    with Session(engine or get_engine()) as session, session.begin():
        industry = (
            select(RegulatedEntity.industry_code)
            .where(RegulatedEntity.uscc == Licensing.entity_uscc)
            .limit(1)
            .scalar_subquery()
        )
        waiting = session.execute(
            select(Licensing, industry)
            .where(
                Licensing.licence_kind.in_(REFORM_TRACKS),
                Licensing.decision == GRANTED,
                ~exists().where(ApprovalClaim.licensing_id == Licensing.id),
            )
            .order_by(Licensing.id)
        )
        for licensing, industry_code in waiting:
            claim = open_claim(session, licensing, industry_code, now=moment)
            opened[claim.department_code] += 1
    return {"opened": sum(opened.values()), "by_department": dict(sorted(opened.items()))}


def open_claim(
    session: Session,
    licensing: Licensing,
    industry_code: str | None,
    *,
    now: datetime | None = None,
) -> ApprovalClaim:
    """The claim of one licensing case, in the responsible department, started."""
    routed = route(
        LicensingFacts(
            item_name=licensing.action_name or "",
            accepting_department=licensing.department_code,
            industry_code=industry_code,
            entity_name=licensing.entity_name,
        )
    )
    moment = utc(now)
    claim = ApprovalClaim(
        licensing_id=licensing.id,
        action_number=licensing.action_number,
        licence_kind=licensing.licence_kind,
        item_name=licensing.action_name,
        accepting_department=licensing.department_code,
        department_code=routed.department_code,
        region_code=licensing.region_code,
        rule=routed.rule,
        rule_explanation=routed.explanation,
        created_at=moment,
    )
    session.add(claim)
    session.flush()
    start(
        session,
        load_workflow(WORKFLOW),
        SUBJECT,
        claim.id,
        actor=Actor.system("approvals"),
        attributes={"licence_kind": licensing.licence_kind},
        department_code=routed.department_code,
        region_code=licensing.region_code,
        now=moment,
    )
    return claim


def fire_claim(
    session: Session,
    claim: ApprovalClaim,
    transition: str,
    actor: Actor,
    *,
    expected_state: str | None = None,
    reason: str | None = None,
    department_code: str | None = None,
    now: datetime | None = None,
) -> WorkflowTransition:
    """Claim, return or re-route a claim (the result has :func:`report_supervision`)."""
    if transition == "report_result":
        raise DataError("a supervision result is reported with its result and note")
    target = known_department(department_code) if department_code else None
    instance = workflow_instance(session, WORKFLOW, SUBJECT, claim.id)
    fired = fire(
        session,
        instance,
        transition,
        actor,
        expected_state=expected_state,
        reason=reason,
        fields={"department_code": target},
        now=now,
    )
    if instance.department_code is not None:
        claim.department_code = instance.department_code
    return fired


def report_supervision(
    session: Session,
    claim: ApprovalClaim,
    actor: Actor,
    *,
    result: str,
    note: str | None = None,
    expected_state: str | None = None,
    now: datetime | None = None,
) -> WorkflowTransition:
    """Record the supervision result, publish it and queue it for the platform."""
    text = (note or "").strip() or None
    if text is not None and len(text) > NOTE_MAX_LENGTH:
        raise DataError(f"note: longer than {NOTE_MAX_LENGTH} characters")
    instance = workflow_instance(session, WORKFLOW, SUBJECT, claim.id)
    fired = fire(
        session,
        instance,
        "report_result",
        actor,
        expected_state=expected_state,
        fields={"result": result},
        now=now,
    )
    claim.result_code, claim.result_note = result, text
    claim.supervised_at = claim.published_at = fired.fired_at
    licensing = session.get_one(Licensing, claim.licensing_id)
    enqueue(
        session,
        [
            {
                "destination": CHANNEL,
                "event_type": EVENT_TYPE,
                "payload": {"body": result_message(claim, licensing)},
                "idempotency_key": f"{CHANNEL}:approval:{claim.action_number}:result",
            }
        ],
    )
    return fired


def result_label(code: str | None) -> str | None:
    """未发现问题 for ``no_problem``: the words of the workflow's dictionary."""
    if code is None:
        return None
    return load_workflow(WORKFLOW).dictionaries["supervision_results"].get(code, code)


def result_message(claim: ApprovalClaim, licensing: Licensing) -> dict[str, str]:
    """The platform's supervision result message (``simulators/government_services.py``)."""
    if claim.supervised_at is None:
        raise DataError(f"claim {claim.id} has no supervision result yet")
    message = {
        "case_number": claim.action_number,
        "entity_uscc": licensing.entity_uscc or "",
        "department_code": claim.department_code,
        "supervised_at": utc(claim.supervised_at).astimezone(BEIJING).isoformat(),
        "result": result_label(claim.result_code) or "",
    }
    if claim.result_note:
        message["note"] = claim.result_note
    return message
