"""Daily reconciliation with the national system: what the hub sent against what it holds.

For a batch date and a data type, the hub's side is the set of keys its push log records as
accepted from batches of that date; the national side is what its accepted-data query
(``GET /api/v1/accepted``, ``standards/national/accepted.json``) answers, asked over the
push's transport: HTTP through its signed REST adapter, or ``QueryAccepted`` through its
signed SOAP adapter (``transport: soap``). Counts and checksums (SHA-256 of the sorted keys,
``profile.checksum``) are compared first; only when they differ are the national keys paged
through, and every difference listed by key:

- **missing**: accepted according to the hub's receipts, absent on the national side. Each is
  re-sent (its current message, as ``i``) in a new batch numbered on that same date, so that
  both sides count it on the same day, and the day is compared again.
- **unexpected**: held by the national side, not accepted in the hub's log (a receipt the hub
  never got). Batches still pending are sent before comparing, which settles these when the
  national system answers their keys with the receipts it kept; what remains is listed.

    comparisons = reconcile(engine, days=[date(2026, 5, 1)])
    all(comparison.agrees for comparison in comparisons)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from adapters.rest.client import RestAdapter
from hub.errors import DataError, RemoteUnavailable
from hub.national.config import (
    NationalConfig,
    Transport,
    load_config,
    open_adapter,
    open_soap_adapter,
)
from hub.national.messages import current_messages
from hub.national.profile import DATA_TYPES, checksum, content_hash
from hub.national.push import (
    PlannedRecord,
    PushReport,
    china_day,
    claim_numbering,
    new_batch,
    send_pending,
)
from hub.national.soap_transport import query_accepted
from hub.store.models.national import NationalBatch, NationalSentRecord

KEYS_PAGE_SIZE = 10000


@dataclass
class DayComparison:
    """One data type on one batch date, both sides, and the keys that differ."""

    data_type: str
    day: date
    hub_count: int
    hub_checksum: str
    national_count: int
    national_checksum: str
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    resent: int = 0

    @property
    def agrees(self) -> bool:
        return self.hub_count == self.national_count and self.hub_checksum == self.national_checksum


def yesterday(now: datetime | None = None) -> date:
    """Yesterday in China Standard Time."""
    return china_day(now) - timedelta(days=1)


def days_with_data(engine: Engine) -> list[date]:
    """Every batch date the hub has sent something on, oldest first."""
    with sessionmaker(bind=engine)() as session:
        return list(
            session.scalars(
                select(NationalBatch.batch_day).distinct().order_by(NationalBatch.batch_day)
            )
        )


def reconcile(
    engine: Engine,
    config: NationalConfig | None = None,
    *,
    days: Iterable[date],
    data_types: Iterable[str] = DATA_TYPES,
) -> list[DayComparison]:
    """Compare every (data type, day); re-send what the national side lacks, then compare
    those again. The answer is the final state, with ``resent`` counting what was sent."""
    settings = config or load_config()
    send_pending(engine, settings, PushReport())
    pairs = [(data_type, day) for day in sorted(set(days)) for data_type in data_types]
    with _open_query(settings) as query:
        comparisons = [_compare(engine, query, *pair) for pair in pairs]
    lacking = [comparison for comparison in comparisons if comparison.missing]
    if not lacking:
        return comparisons
    resent = _resend(engine, settings, lacking)
    report = PushReport()
    send_pending(engine, settings, report)
    if report.stopped:
        raise RemoteUnavailable(report.stopped)
    with _open_query(settings) as query:
        final = [
            _compare(engine, query, c.data_type, c.day) if c.missing else c for c in comparisons
        ]
    for comparison in final:
        comparison.resent = resent.get((comparison.data_type, comparison.day), 0)
    return final


def hub_keys(session: Session, data_type: str, day: date) -> set[str]:
    """The keys the hub's log records as accepted from batches of ``day``."""
    query = (
        select(NationalSentRecord.record_key)
        .join(NationalBatch, NationalBatch.id == NationalSentRecord.batch_id)
        .where(
            NationalSentRecord.data_type == data_type,
            NationalSentRecord.status == "accepted",
            NationalBatch.batch_day == day,
        )
    )
    return set(session.scalars(query))


AcceptedQuery = Callable[[str, date, int], dict[str, Any]]
"""One page of the national accepted-data query: (data type, day, page) → count, checksum,
keys and the next page (None on the last)."""


@contextmanager
def _open_query(config: NationalConfig) -> Iterator[AcceptedQuery]:
    """The accepted-data query over the transport ``config.transport`` names."""
    if config.transport is Transport.SOAP:
        with open_soap_adapter(config) as soap:
            yield lambda data_type, day, page: query_accepted(
                soap, data_type, day, page=page, page_size=KEYS_PAGE_SIZE
            )
        return
    with open_adapter(config) as adapter:
        yield lambda data_type, day, page: _accepted_page(
            adapter, config, data_type, day, page=page
        )


def _compare(engine: Engine, query: AcceptedQuery, data_type: str, day: date) -> DayComparison:
    with sessionmaker(bind=engine)() as session:
        ours = hub_keys(session, data_type, day)
    first = query(data_type, day, 1)
    comparison = DayComparison(
        data_type,
        day,
        len(ours),
        checksum(ours),
        int(first["count"]),
        str(first["checksum"]),
    )
    if comparison.agrees:
        return comparison
    theirs = set(first["keys"])
    page = 1
    while first["next"] is not None and len(theirs) < comparison.national_count:
        page += 1
        following = query(data_type, day, page)
        theirs.update(following["keys"])
        if following["next"] is None:
            break
    comparison.missing = sorted(ours - theirs)
    comparison.unexpected = sorted(theirs - ours)
    return comparison


def _accepted_page(
    adapter: RestAdapter, config: NationalConfig, data_type: str, day: date, *, page: int
) -> dict[str, Any]:
    """One page of the national accepted-data query (``accepted.json``, in ``data``)."""
    response = adapter.request(
        "GET",
        adapter.base_url + config.paths["accepted"],
        params={
            "data_type": data_type,
            "date": day.isoformat(),
            "page": str(page),
            "page_size": str(KEYS_PAGE_SIZE),
        },
    )
    data = response.json().get("data", {})
    return {
        "count": data.get("count", 0),
        "checksum": data.get("checksum", ""),
        "keys": list(data.get("keys", [])),
        "next": data.get("next"),
    }


def _resend(
    engine: Engine, config: NationalConfig, lacking: list[DayComparison]
) -> dict[tuple[str, date], int]:
    """Queue every missing key again, as its current message, in a batch of its own day."""
    resent: dict[tuple[str, date], int] = {}
    with sessionmaker(bind=engine).begin() as session:
        claim_numbering(session)
        for comparison in lacking:
            messages = current_messages(session, comparison.data_type)
            records = [
                PlannedRecord("i", key, messages[key], content_hash(messages[key]))
                for key in comparison.missing
                if key in messages
            ]
            for start in range(0, len(records), config.batch_size):
                chunk = records[start : start + config.batch_size]
                new_batch(session, config, comparison.data_type, chunk, None, day=comparison.day)
            resent[(comparison.data_type, comparison.day)] = len(records)
    return resent


def reconcile_yesterday() -> dict[str, int]:
    """The daily job (``dags/hub_jobs.py``): yesterday (China Standard Time), every data type.

    Raises ``DataError`` when differences remain after re-sending, so that the run fails and
    alerts an operator; otherwise answers the counts for XCom.
    """
    from hub.store.engine import get_engine

    comparisons = reconcile(get_engine(), days=[yesterday()])
    differing = [c for c in comparisons if not c.agrees]
    if differing:
        listed = ", ".join(f"{c.data_type} {c.day}" for c in differing)
        raise DataError(f"national reconciliation: differences remain for {listed}")
    return {
        "compared": len(comparisons),
        "resent": sum(c.resent for c in comparisons),
        "records": sum(c.hub_count for c in comparisons),
    }
