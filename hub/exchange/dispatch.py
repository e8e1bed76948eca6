"""The outbox dispatcher: outbound work leaves the hub here, marked done only on a receipt.

Why it is built this way:

- One transaction per message. The row is claimed, its record read, the message pushed with
  the row's idempotency key and the outcome written in one transaction, so a row is marked
  ``sent`` only together with the receipt that proves it. A crash between the push and the
  commit leaves the row pending; it is sent again with the same key, which the remote
  recognises: at least once on the wire, once in effect.
- On PostgreSQL the claim is ``SELECT ... FOR UPDATE SKIP LOCKED`` and the lock is held
  through the push: another dispatcher skips a row being sent, and once it is committed
  sees it is no longer pending, so however many dispatchers run, none sends a row another
  is sending. SQLite (the embedded scale) runs one dispatcher; the key covers an overlap.
- Outcomes: a receipt accepted → ``sent``; a receipt not accepted → ``rejected`` with the
  remote's reasons; a message that cannot be rendered (``DataError``) → ``rejected`` with
  the reason; a transient failure (``RetryLater``) → pending again after an exponential
  backoff with jitter, ``dead`` once ``max_attempts`` tries failed. Rejected and dead rows
  stay for operators to see (``hub outbox list``) and go back to pending with ``replay``.
- A wrong channel file or refused credentials (``ConfigurationError``) are not the
  message's fault: that destination's rows are left as they are (no attempt counted, so
  they never die of it), the error is reported, and the other destinations go on.
- ``limit`` applies per destination, so one long backlog or one broken channel never
  starves the others.

The destination channel's optional ``outbox`` section tunes the retries::

    outbox: {backoff_seconds: 30, max_backoff_seconds: 3600, max_attempts: 8}
"""

from __future__ import annotations

import json
import logging
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, Engine, and_, select, update
from sqlalchemy.orm import Session, sessionmaker

from adapters.base import Adapter, Receipt
from hub.errors import ConfigurationError, DataError, NotFoundError, RetryLater
from hub.exchange.channels import ChannelConfig, ChannelRegistry
from hub.exchange.outbound import render
from hub.exchange.runner import build_adapter
from hub.store.base import utcnow
from hub.store.models.exchange import OutboxMessage

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 500
"""Messages per destination and dispatch run."""

Outcome = Literal["sent", "rejected", "retrying", "dead"]
OUTCOMES: tuple[Outcome, ...] = ("sent", "rejected", "retrying", "dead")


@dataclass(frozen=True)
class RetryPolicy:
    """How a destination's transient failures are retried (its channel's ``outbox``)."""

    backoff_seconds: float = 30.0
    max_backoff_seconds: float = 3600.0
    max_attempts: int = 8

    @classmethod
    def of(cls, channel: ChannelConfig) -> RetryPolicy:
        section = channel.raw.get("outbox", {})
        return cls(
            backoff_seconds=float(section.get("backoff_seconds", cls.backoff_seconds)),
            max_backoff_seconds=float(section.get("max_backoff_seconds", cls.max_backoff_seconds)),
            max_attempts=int(section.get("max_attempts", cls.max_attempts)),
        )

    def delay(self, attempts: int, retry_after: float | None = None) -> timedelta:
        """Doubling per try made, capped, drawn between half and all of it so that a backlog
        does not retry in step; never sooner than the remote's ``Retry-After``."""
        ceiling = min(self.max_backoff_seconds, self.backoff_seconds * 2 ** (attempts - 1))
        return timedelta(seconds=max(random.uniform(ceiling / 2, ceiling), retry_after or 0.0))


@dataclass
class DestinationReport:
    """One destination's outcomes in a run; ``error`` when its configuration stopped it."""

    destination: str
    sent: int = 0
    rejected: int = 0
    retrying: int = 0
    dead: int = 0
    error: str | None = None

    def count(self, outcome: Outcome) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


@dataclass
class DispatchReport:
    """Every outcome of one dispatch run, per destination."""

    run_uid: str = field(default_factory=lambda: str(uuid.uuid4()))
    destinations: dict[str, DestinationReport] = field(default_factory=dict)

    def destination(self, name: str) -> DestinationReport:
        return self.destinations.setdefault(name, DestinationReport(name))

    @property
    def failed(self) -> bool:
        """Something needs an operator: a rejected or dead message, or a broken channel."""
        return any(
            report.rejected or report.dead or report.error for report in self.destinations.values()
        )


def dispatch_outbox(
    engine: Engine,
    registry: ChannelRegistry,
    *,
    destination: str | None = None,
    limit: int = DEFAULT_LIMIT,
    now: datetime | None = None,
) -> DispatchReport:
    """Send the due pending messages (of ``destination``, or all), oldest first.

    ``now`` (default: the clock) decides which rows are due and when retries fall due.
    The run is audited once, when it had anything to do.
    """
    moment = _utc(now)
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    report = DispatchReport()
    due = _due(sessions, moment, destination, limit)
    try:
        for name, ids in due.items():
            _dispatch_destination(sessions, registry, ids, moment, report.destination(name))
    finally:
        if due:
            _audit_dispatch(sessions, report)
    return report


def replay(
    engine: Engine,
    ids: Iterable[int] | None = None,
    destination: str | None = None,
    status: Iterable[str] = ("dead", "rejected"),
    *,
    actor: str = "system:outbox",
) -> list[int]:
    """Put messages back to pending, due now, with their attempts reset; returns their ids.

    Chosen by ``status`` and by ``ids`` and/or ``destination``. Asked ids of which none is
    in ``status`` raise ``NotFoundError``.
    """
    from hub.audit import anchor_after_commit, append, default_anchor

    wanted = sorted(set(ids or ()))
    statuses = sorted(set(status))
    chosen_by: list[ColumnElement[bool]] = [OutboxMessage.status.in_(statuses)]
    if wanted:
        chosen_by.append(OutboxMessage.id.in_(wanted))
    if destination:
        chosen_by.append(OutboxMessage.destination == destination)
    with sessionmaker(bind=engine).begin() as session:
        chosen = list(
            session.scalars(select(OutboxMessage.id).where(*chosen_by).order_by(OutboxMessage.id))
        )
        if wanted and not chosen:
            raise NotFoundError(f"no outbox messages {statuses} among ids {wanted}")
        if not chosen:
            return []
        session.execute(
            update(OutboxMessage)
            .where(*chosen_by, OutboxMessage.id.in_(chosen))
            .values(
                status="pending",
                attempts=0,
                next_attempt_at=utcnow(),
                last_error=None,
                receipt=None,
                sent_at=None,
            )
        )
        anchor_after_commit(session, default_anchor())
        append(
            session,
            actor=actor,
            action="outbox.replay",
            object_type="outbox",
            object_id=destination or "*",
            details={"replayed": len(chosen), "statuses": statuses, "requested_ids": wanted},
        )
    return chosen


def _utc(moment: datetime | None) -> datetime:
    """``moment`` in UTC (a naive one is taken as UTC, as SQLite hands them back)."""
    if moment is None:
        return utcnow()
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _due(
    sessions: sessionmaker[Session], now: datetime, destination: str | None, limit: int
) -> dict[str, list[int]]:
    """Ids of due pending rows per destination, oldest first, at most ``limit`` each."""
    due: ColumnElement[bool] = and_(
        OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now
    )
    with sessions() as session:
        names = (
            [destination]
            if destination
            else session.scalars(
                select(OutboxMessage.destination)
                .where(due)
                .distinct()
                .order_by(OutboxMessage.destination)
            ).all()
        )
        batches = {
            name: list(
                session.scalars(
                    select(OutboxMessage.id)
                    .where(due, OutboxMessage.destination == name)
                    .order_by(OutboxMessage.id)
                    .limit(limit)
                )
            )
            for name in names
        }
    return {name: ids for name, ids in batches.items() if ids}


def _dispatch_destination(
    sessions: sessionmaker[Session],
    registry: ChannelRegistry,
    ids: list[int],
    now: datetime,
    report: DestinationReport,
) -> None:
    """Send one destination's rows through one adapter; a configuration error stops it."""
    try:
        channel = registry.get(report.destination)
        policy = RetryPolicy.of(channel)
        with build_adapter(channel) as adapter:
            for message_id in ids:
                outcome = _dispatch_one(sessions, adapter, channel, policy, message_id, now)
                if outcome is not None:
                    report.count(outcome)
    except ConfigurationError as exc:
        report.error = str(exc)
        log.error("outbox: destination %s held back: %s", report.destination, exc)


def _dispatch_one(
    sessions: sessionmaker[Session],
    adapter: Adapter,
    channel: ChannelConfig,
    policy: RetryPolicy,
    message_id: int,
    now: datetime,
) -> Outcome | None:
    """Claim, render, push and settle one row in one transaction; None if it was taken."""
    with sessions.begin() as session:
        row = _claim(session, message_id, now)
        if row is None:
            return None  # sent, or being sent, by another dispatcher since it was listed
        row.attempts += 1
        try:
            receipt = adapter.push(render(session, channel, row))
        except RetryLater as exc:
            return _retry(row, policy, now, exc)
        except DataError as exc:
            return _reject(row, str(exc))
        if receipt.accepted:
            return _sent(row, receipt, now)
        return _reject(row, receipt.detail or "refused, without a reason", receipt)


def _claim(session: Session, message_id: int, now: datetime) -> OutboxMessage | None:
    """The row if still due; on PostgreSQL locked for this transaction, or skipped if another
    dispatcher holds it."""
    query = select(OutboxMessage).where(
        OutboxMessage.id == message_id,
        OutboxMessage.status == "pending",
        OutboxMessage.next_attempt_at <= now,
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.scalars(query).one_or_none()


def _sent(row: OutboxMessage, receipt: Receipt, now: datetime) -> Outcome:
    row.status, row.sent_at, row.last_error = "sent", now, None
    row.receipt = _receipt_text(receipt)
    return "sent"


def _reject(row: OutboxMessage, reason: str, receipt: Receipt | None = None) -> Outcome:
    row.status, row.last_error = "rejected", reason
    row.receipt = _receipt_text(receipt) if receipt else None
    return "rejected"


def _retry(row: OutboxMessage, policy: RetryPolicy, now: datetime, error: RetryLater) -> Outcome:
    row.last_error = str(error)
    if row.attempts >= policy.max_attempts:
        row.status = "dead"
        return "dead"
    row.next_attempt_at = now + policy.delay(row.attempts, error.retry_after)
    return "retrying"


def _receipt_text(receipt: Receipt) -> str:
    return json.dumps(
        {"accepted": receipt.accepted, "remote_id": receipt.remote_id, "detail": receipt.detail},
        ensure_ascii=False,
    )


def _audit_dispatch(sessions: sessionmaker[Session], report: DispatchReport) -> None:
    """One audit entry per run: counts per destination, never a message's content."""
    from hub.audit import anchor_after_commit, append, default_anchor

    details = {
        name: {
            **{outcome: getattr(tally, outcome) for outcome in OUTCOMES},
            "configuration_error": tally.error is not None,
        }
        for name, tally in report.destinations.items()
    }
    with sessions.begin() as session:
        anchor_after_commit(session, default_anchor())
        append(
            session,
            actor="system:outbox",
            action="outbox.dispatch",
            object_type="outbox_run",
            object_id=report.run_uid,
            details={"destinations": details},
        )
