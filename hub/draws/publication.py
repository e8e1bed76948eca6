"""Publishing inspection results (一公开) through the credit publicity channel, on time.

Every result must be published through the enterprise credit publicity system within 20
working days of the end of its inspection. The steps, each audited:

1. :func:`request_publication` writes the result's message to the outbox for the
   ``credit_publicity`` channel (国家企业信用信息公示系统 and 信用安徽 receive it through that
   one channel: it declares a single push endpoint for inspection results), in the caller's
   transaction; the outbox dispatcher sends it with the row's idempotency key.
2. :func:`record_receipts` marks a result published when its outbox row holds the remote's
   receipt (status ``sent``): ``published_at`` is when the receipt came back, on the result
   and on its inspection, which is what ``GET /api/v1/public/inspections`` lists.
3. :func:`check_publication_deadlines`, daily (``dags/hub_jobs.py``) and behind
   ``hub draw late``: records the receipts, then alerts the results still unpublished whose
   deadline is within ``HUB_PUBLICATION_ALERT_WORKING_DAYS`` working days (default 5) and
   lists the late ones, with where each stands (not queued, pending, rejected, dead).

The message carries what the publicity system shows: the entity's name and 统一社会信用代码
(a business's, public by law), the plan, the inspection, the date and the result category
with its label; never the findings' free text nor the inspectors.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.calendar import BEIJING, load_calendar
from hub.draws.result_categories import category_label
from hub.draws.results import audit_result, draw_plan_id
from hub.draws.service import Actor
from hub.exchange.outbox import enqueue
from hub.store.base import utcnow
from hub.store.models.actions import Inspection
from hub.store.models.exchange import OutboxMessage
from hub.store.models.inspection_results import InspectionResult

log = logging.getLogger(__name__)

CHANNEL = "credit_publicity"
MESSAGE_TYPE = "inspection_result"
"""The channel's ``push.paths`` key for inspection results (``/api/inspection-results``)."""
NOT_QUEUED = "not_queued"
SYSTEM_ACTOR = "system:publication"


class PublicationSettings(BaseSettings):
    """``HUB_PUBLICATION_*``: when the daily check starts alerting."""

    model_config = SettingsConfigDict(
        env_prefix="HUB_PUBLICATION_", env_file=".env", extra="ignore"
    )

    alert_working_days: int = Field(
        default=5,
        ge=0,
        description="Alert unpublished results due within this many working days.",
    )


def publication_key(result: InspectionResult) -> str:
    return f"{CHANNEL}:{MESSAGE_TYPE}:{result.result_number}"


def request_publication(
    session: Session, result: InspectionResult, actor: Actor, *, now: datetime | None = None
) -> bool:
    """Queue ``result``'s publication; False (and nothing written) when already queued."""
    if result.publication_key is not None:
        return False
    moment = now or utcnow()
    inspection = session.get_one(Inspection, result.inspection_id)
    result.publication_key = publication_key(result)
    result.publication_requested_at = moment
    enqueue(
        session,
        [
            {
                "destination": CHANNEL,
                "event_type": MESSAGE_TYPE,
                "payload": {"body": publication_message(result, inspection, moment)},
                "idempotency_key": result.publication_key,
            }
        ],
    )
    audit_result(
        session,
        result,
        "publication_request",
        actor.name,
        {"draw": result.draw_id, "channel": CHANNEL, "due": _day(result.publication_due_at)},
    )
    return True


def request_draw_publications(
    session: Session, draw_id: int, actor: Actor, *, now: datetime | None = None
) -> int:
    """Queue every recorded, not yet queued result of the draw that the actor's department
    recorded; the number queued."""
    results = session.scalars(
        select(InspectionResult)
        .where(
            InspectionResult.draw_id == draw_id,
            InspectionResult.department_code == actor.department_code,
            InspectionResult.publication_key.is_(None),
        )
        .order_by(InspectionResult.id)
    )
    return sum(request_publication(session, result, actor, now=now) for result in results)


def record_receipts(session: Session) -> int:
    """Mark published every queued result whose outbox message has its receipt."""
    rows = session.execute(
        select(InspectionResult, OutboxMessage)
        .join(OutboxMessage, OutboxMessage.idempotency_key == InspectionResult.publication_key)
        .where(InspectionResult.published_at.is_(None), OutboxMessage.status == "sent")
        .order_by(InspectionResult.id)
    ).all()
    for result, message in rows:
        published_at = _aware(message.sent_at or utcnow())
        result.published_at = published_at
        result.publication_receipt = _remote_id(message.receipt)
        session.get_one(Inspection, result.inspection_id).published_at = published_at
        audit_result(
            session,
            result,
            "published",
            SYSTEM_ACTOR,
            {
                "draw": result.draw_id,
                "due": _day(result.publication_due_at),
                "on_time": published_at <= _aware(result.publication_due_at),
            },
        )
    return len(rows)


@dataclass(frozen=True)
class PendingPublication:
    """An unpublished result, its deadline and where its publication stands."""

    result_id: int
    draw_id: int
    result_number: str
    department_code: str
    due_at: datetime
    provisional: bool
    state: str  # not_queued, or the outbox row's status: pending, rejected, dead
    working_days_left: int  # negative: working days late
    last_error: str | None


@dataclass(frozen=True)
class DeadlineReport:
    """The daily check's findings: receipts recorded, results due soon, late ones."""

    receipts_recorded: int
    alert_working_days: int
    due_soon: list[PendingPublication]
    late: list[PendingPublication]

    def summary(self) -> dict[str, Any]:
        """Small enough for XCom: counts, and the late results' ids."""
        return {
            "receipts_recorded": self.receipts_recorded,
            "alert_working_days": self.alert_working_days,
            "due_soon": len(self.due_soon),
            "late": len(self.late),
            "late_result_ids": [pending.result_id for pending in self.late[:100]],
        }


def pending_publications(
    session: Session, now: datetime, *, department_code: str | None = None
) -> list[PendingPublication]:
    """Every unpublished result, earliest deadline first."""
    query = (
        select(InspectionResult, OutboxMessage)
        .outerjoin(OutboxMessage, OutboxMessage.idempotency_key == InspectionResult.publication_key)
        .where(InspectionResult.published_at.is_(None))
        .order_by(InspectionResult.publication_due_at, InspectionResult.id)
    )
    if department_code is not None:
        query = query.where(InspectionResult.department_code == department_code)
    calendar = load_calendar()
    today = now.astimezone(BEIJING).date()
    pending = []
    for result, message in session.execute(query):
        due_at = _aware(result.publication_due_at).astimezone(BEIJING)
        pending.append(
            PendingPublication(
                result_id=result.id,
                draw_id=result.draw_id,
                result_number=result.result_number,
                department_code=result.department_code,
                due_at=due_at,
                provisional=result.publication_provisional,
                state=message.status if message is not None else NOT_QUEUED,
                working_days_left=calendar.working_days_between(today, due_at.date()),
                last_error=message.last_error if message is not None else None,
            )
        )
    return pending


def deadline_report(
    session: Session, now: datetime, alert_working_days: int, *, department_code: str | None = None
) -> DeadlineReport:
    """Record the receipts, then sort the unpublished results into due soon and late."""
    receipts = record_receipts(session)
    pending = pending_publications(session, now, department_code=department_code)
    late = [item for item in pending if _is_late(item, now)]
    due_soon = [
        item
        for item in pending
        if not _is_late(item, now) and item.working_days_left <= alert_working_days
    ]
    return DeadlineReport(receipts, alert_working_days, due_soon, late)


def check_publication_deadlines() -> dict[str, Any]:
    """The daily job: record receipts, alert what is due soon, list what is late."""
    from hub.scheduling.alerts import send_alert
    from hub.store.engine import session_factory

    settings = PublicationSettings()
    with session_factory().begin() as session:
        report = deadline_report(session, utcnow(), settings.alert_working_days)
    for item in report.late:
        log.warning(
            "publication of inspection result %s (draw %s, %s) is late: due %s, %s",
            item.result_number,
            item.draw_id,
            item.department_code,
            item.due_at.date(),
            item.state,
        )
    if report.due_soon or report.late:
        send_alert(None, _alert(report))
    return report.summary()


def _alert(report: DeadlineReport) -> dict[str, Any]:
    def listed(items: Iterable[PendingPublication]) -> list[dict[str, Any]]:
        return [
            {
                "result": item.result_number,
                "department": item.department_code,
                "due": item.due_at.isoformat(),
                "working_days_left": item.working_days_left,
                "state": item.state,
            }
            for item in items
        ]

    return {
        "dag": "job__publication_deadlines",
        "task": "run",
        "error": f"{len(report.late)} inspection result(s) late, {len(report.due_soon)} due "
        f"within {report.alert_working_days} working days",
        "late": listed(report.late),
        "due_soon": listed(report.due_soon),
    }


def publication_message(
    result: InspectionResult, inspection: Inspection, moment: datetime
) -> dict[str, Any]:
    """The credit publicity system's inspection result (``standards/national``'s profile)."""
    return {
        "result_number": result.result_number,
        "plan_id": draw_plan_id(result.draw_id),
        "entity_name": inspection.entity_name or result.entity_uscc,
        "entity_uscc": result.entity_uscc,
        "inspection_number": inspection.action_number,
        "inspected_on": _day(result.inspection_ended_at),
        "result_code": result.result_code,
        "result_description": category_label(result.result_code),
        "published_at": _aware(moment).astimezone(BEIJING).isoformat(timespec="seconds"),
    }


def _is_late(item: PendingPublication, now: datetime) -> bool:
    return item.due_at < now


def _remote_id(receipt: str | None) -> str | None:
    if not receipt:
        return None
    remote_id = json.loads(receipt).get("remote_id")
    return str(remote_id)[:200] if remote_id is not None else None


def _day(moment: datetime) -> str:
    """The Beijing date of ``moment``, ISO."""
    return _aware(moment).astimezone(BEIJING).date().isoformat()


def _aware(moment: datetime) -> datetime:
    """SQLite hands timestamps back naive, in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
