"""What the national side has accepted: the records, the receipts given and the day lists.

``submit`` is the one way in for both REST and SOAP: it parses a batch, lets
``formats`` judge it, applies the conforming records in order and answers a receipt, kept
under the ``Idempotency-Key`` so that the same key again gets the same receipt and changes
nothing (a different batch under a used key is a conflict). Records are applied one by one:
``i`` inserts or replaces, ``u`` and ``d`` need an accepted record under the key, and a key
may appear once per batch. ``reconcile`` answers what was accepted for a data type on a
batch date, with the checksum the sender compares against its own push log.

With a ``journal`` (a file path), every receipt given is appended to it as one JSON line
(key, digest, batch, receipt) and replayed at start, so that a simulator process stopped and
started again (the national system going down for a while) keeps what it accepted and
answers a re-sent key with the receipt it gave before.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from simulators.national.formats import (
    DATA_TYPES,
    RecordVerdict,
    batch_day,
    checksum,
    judge_batch,
)

BEIJING = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class Answer:
    """What a submission gets: HTTP status (200, 400, 409, 422) and the JSON document."""

    status: int
    document: dict[str, Any]
    replayed: bool = False


@dataclass(frozen=True)
class AcceptedRecord:
    """One record accepted from a batch (``data`` is None for a delete)."""

    data_type: str
    key: str
    op: str
    data: dict[str, Any] | None
    batch_number: str
    receipt_id: str


@dataclass(frozen=True)
class Reconciliation:
    """What ``reconcile`` answers: every key's count and checksum, and one page of keys."""

    data_type: str
    day: date
    count: int
    checksum: str
    page: int
    page_size: int
    keys: list[str]

    @property
    def has_more(self) -> bool:
        return self.page * self.page_size < self.count


def _refused(status: int, message: str, problems: list[str] | None = None) -> Answer:
    return Answer(status, {"code": status, "message": message, "errors": problems or [message]})


@dataclass
class AcceptedStore:
    """The national side's state of one province's pushes (thread-safe)."""

    province: str
    log: list[AcceptedRecord] = field(default_factory=list)
    current: dict[tuple[str, str], dict[str, Any] | None] = field(default_factory=dict)
    batches_applied: int = 0
    journal: Path | None = None
    _by_day: dict[tuple[str, date], set[str]] = field(default_factory=dict)
    _receipts: dict[str, tuple[str, Answer]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.journal is not None and self.journal.exists():
            with self.journal.open(encoding="utf-8") as lines:
                for line in lines:
                    try:
                        entry = json.loads(line)
                    except ValueError:
                        break  # the tail torn by a process killed mid-write: never answered
                    self._restore(entry)

    def _restore(self, entry: dict[str, Any]) -> None:
        """Apply what a journalled receipt accepted (not judged again: the verdict is in the
        receipt) and keep the receipt for its key."""
        batch, receipt = entry["batch"], entry["receipt"]
        data_type, day = batch["data_type"], batch_day(batch["batch_number"])
        self.batches_applied += 1
        restored: set[int] = set()
        for result in receipt["results"]:
            if not result["accepted"] or result["index"] in restored:
                continue  # a repeated result (the duplicate_receipts fault) applied once
            restored.add(result["index"])
            record = batch["records"][result["index"]]
            data = None if record["op"] == "d" else record["data"]
            self.current[(data_type, record["key"])] = data
            self._by_day.setdefault((data_type, day), set()).add(record["key"])
            self.log.append(
                AcceptedRecord(
                    data_type,
                    record["key"],
                    record["op"],
                    data,
                    batch["batch_number"],
                    result["receipt_id"],
                )
            )
        self._receipts[entry["key"]] = (entry["digest"], Answer(200, receipt))

    def _record(
        self, key: str, digest: str, batch: dict[str, Any], receipt: dict[str, Any]
    ) -> None:
        if self.journal is None:
            return
        line = json.dumps(
            {"key": key, "digest": digest, "batch": batch, "receipt": receipt}, ensure_ascii=False
        )
        with self.journal.open("a", encoding="utf-8") as journal:
            journal.write(line + "\n")

    def submit(self, idempotency_key: str, body: bytes, *, repeat_result: bool = False) -> Answer:
        """Judge and apply a batch once per key; ``repeat_result`` spoils the receipt (a fault)."""
        if not idempotency_key:
            return _refused(400, "Idempotency-Key is required")
        try:
            document = json.loads(body)
        except (UnicodeDecodeError, ValueError):
            return _refused(400, "the batch is not JSON")
        digest = hashlib.sha256(
            json.dumps(document, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
        with self._lock:
            if idempotency_key in self._receipts:
                seen, answer = self._receipts[idempotency_key]
                if seen != digest:
                    return _refused(409, "Idempotency-Key was used for a different batch")
                return Answer(answer.status, answer.document, replayed=True)
            problems, verdicts = judge_batch(document, self.province)
            if problems:
                return _refused(422, "the batch envelope is invalid", problems)
            answer = Answer(200, self._apply(document, verdicts, repeat_result))
            self._receipts[idempotency_key] = (digest, answer)
            self._record(idempotency_key, digest, document, answer.document)
            return answer

    def _apply(
        self, batch: dict[str, Any], verdicts: list[RecordVerdict], repeat_result: bool
    ) -> dict[str, Any]:
        self.batches_applied += 1
        receipt_id = f"NR{batch['batch_number']}{self.batches_applied:05d}"
        data_type, day = batch["data_type"], batch_day(batch["batch_number"])
        first_at: dict[str, int] = {}
        results = []
        for verdict in verdicts:
            reasons, key = list(verdict.reasons), verdict.key
            if key is not None:
                if key in first_at:
                    reasons.append(f"key: {key!r} already came in record {first_at[key]}")
                else:
                    first_at[key] = verdict.index
                if (
                    not reasons
                    and verdict.op in ("u", "d")
                    and self.current.get((data_type, key)) is None
                ):
                    action = "update" if verdict.op == "u" else "delete"
                    reasons.append(f"op: no accepted {data_type} {key!r} to {action}")
            record_receipt = None
            if not reasons and key is not None and verdict.op is not None:
                record_receipt = f"{receipt_id}-{verdict.index + 1:04d}"
                self.current[(data_type, key)] = None if verdict.op == "d" else verdict.data
                self._by_day.setdefault((data_type, day), set()).add(key)
                self.log.append(
                    AcceptedRecord(
                        data_type,
                        key,
                        verdict.op,
                        verdict.data,
                        batch["batch_number"],
                        record_receipt,
                    )
                )
            results.append(
                {
                    "index": verdict.index,
                    "key": key,
                    "accepted": record_receipt is not None,
                    "reasons": reasons,
                    "receipt_id": record_receipt,
                }
            )
        accepted = sum(1 for result in results if result["accepted"])
        if repeat_result and results:
            results.append(dict(results[0]))
        status = "partially_accepted"
        if accepted == len(verdicts):
            status = "accepted"
        elif accepted == 0:
            status = "rejected"
        return {
            "batch_number": batch["batch_number"],
            "status": status,
            "receipt_id": receipt_id,
            "received_at": datetime.now(BEIJING).isoformat(timespec="seconds"),
            "accepted_count": accepted,
            "rejected_count": len(verdicts) - accepted,
            "results": results,
        }

    def reconcile(self, data_type: str, day: str, *, page: int, page_size: int) -> Reconciliation:
        """The keys of ``data_type`` accepted from batches dated ``day`` (``ValueError`` for a
        data type or date the national side does not know)."""
        if data_type not in DATA_TYPES:
            raise ValueError(f"data_type must be one of {', '.join(DATA_TYPES)}")
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", day):
            raise ValueError("date must be YYYY-MM-DD")
        try:
            when = date.fromisoformat(day)
        except ValueError:
            raise ValueError(f"date {day} is not a date") from None
        if page < 1 or page_size < 1:
            raise ValueError("page and page_size must be positive")
        with self._lock:
            keys = sorted(self._by_day.get((data_type, when), set()))
        return Reconciliation(
            data_type,
            when,
            len(keys),
            checksum(keys),
            page,
            page_size,
            keys[(page - 1) * page_size : page * page_size],
        )
