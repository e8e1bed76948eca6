"""Append-only, hash-chained audit log with its head anchored outside the database.

The chain
    Every entry (``hub.store.models.audit.AuditEntry``) holds ``prev_hash``, the previous
    entry's ``entry_hash``, and its own ``entry_hash``, a SHA-256 over its canonical content.
    ``seq`` is assigned here as head + 1, so entries are numbered 1, 2, 3, ... without holes.
    ``verify`` recomputes every hash, checks every link and the numbering, so an edited row
    (hash mismatch), an edited row with a recomputed hash (the next link breaks) and a deleted
    middle row (a gap) are all found in the table alone.

The anchor
    What the table alone cannot show is that its last rows were deleted, or that the tail
    was rewritten with consistent hashes: whoever can write the table can do both. So the
    head (seq and hash) is also written outside the table, to an ``AuditAnchor`` that the
    database role cannot rewrite: a file on another host or volume, or a WORM store.
    ``verify`` then requires the row at the anchored seq to exist with the anchored hash;
    an anchor ahead of the table means last entries were deleted. The anchor is written only
    after the transaction commits (``anchor_after_commit``), so it never records an entry
    that was rolled back; it therefore lags the table by design, and entries after the
    anchor are reported as a warning, not a failure. The anchor never moves backwards.

Writers are serialised so that two processes never claim the same seq: on PostgreSQL by a
transaction-scoped advisory lock, on SQLite by taking the database's single write lock before
the head is read. Both are held until the caller's transaction ends, so keep transactions
that append short. ``append_many`` writes a batch of entries (a bulk job's thousands of
transitions) under one lock and one head read, each entry still an entry of its own.

The audit log holds no personal data; ``append`` refuses details that look like a mainland
mobile number or a citizen ID number.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, cast, runtime_checkable

import orjson
from sqlalchemy import Table, event, select, text
from sqlalchemy.orm import Session, SessionTransaction

from hub.errors import HubError
from hub.store.bulk import insert_values
from hub.store.models.audit import (
    GENESIS_HASH,
    AuditEntry,
    canonical_json,
    compute_entry_hash,
    format_timestamp,
)

if sys.platform != "win32":
    import fcntl

__all__ = [
    "AUDIT_LOCK_KEY",
    "GENESIS_HASH",
    "AnchorError",
    "AnchorState",
    "AuditAnchor",
    "AuditEntry",
    "AuditRecord",
    "FileAnchor",
    "VerifyReport",
    "anchor_after_commit",
    "append",
    "append_many",
    "check_no_personal_data",
    "default_anchor",
    "verify",
]

log = logging.getLogger(__name__)

AUDIT_LOCK_KEY = 0x6875_622D_6175_6474
"""PostgreSQL advisory lock key serialising audit writers (ASCII ``hub-audt``)."""

_PENDING_KEY = "hub.audit.pending"  # session.info: this root transaction appended
_HEAD_KEY = "hub.audit.head"  # session.info: head read just before the root commit
_ANCHORS_KEY = "hub.audit.anchors"  # session.info: anchors to update after commit

_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_CITIZEN_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


class AnchorError(HubError):
    """The anchor cannot be read or written (unreadable file, malformed content)."""


# ---------------------------------------------------------------------------------------------
# Anchors


@dataclass(frozen=True)
class AnchorState:
    """The chain's head as last recorded outside the database."""

    seq: int
    entry_hash: str
    updated_at: datetime


@runtime_checkable
class AuditAnchor(Protocol):
    """Somewhere the database role cannot rewrite, holding the chain's committed head."""

    def read(self) -> AnchorState | None:
        """The recorded head, or ``None`` when nothing was anchored yet."""
        ...

    def write(self, state: AnchorState) -> None:
        """Record ``state`` unless a head with a higher or equal seq is already recorded."""
        ...


class FileAnchor:
    """The head in a small JSON file: ``{"seq": ..., "entry_hash": ..., "updated_at": ...}``.

    Place the file where the database role cannot write: in production on a different host
    or volume (an NFS export the database server does not mount, a WORM/object-lock bucket
    synchronised from it); a file beside the database protects against nothing but mistakes.

    Writes are atomic (temporary file, fsync, ``os.replace``, fsync of the folder) so a crash
    leaves the old or the new head, never half a file, and run under an exclusive lock on a
    ``.lock`` file beside it so that two processes committing at once cannot move the head
    backwards.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"FileAnchor({str(self.path)!r})"

    def read(self) -> AnchorState | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise AnchorError(f"cannot read audit anchor {self.path}: {exc}") from exc
        try:
            data = json.loads(raw)
            seq = data["seq"]
            entry_hash = data["entry_hash"]
            updated_at = datetime.fromisoformat(data["updated_at"])
        except (ValueError, KeyError, TypeError) as exc:
            raise AnchorError(f"audit anchor {self.path} is malformed: {exc}") from exc
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
            raise AnchorError(f"audit anchor {self.path} is malformed: seq {seq!r}")
        if not isinstance(entry_hash, str) or not re.fullmatch(r"[0-9a-f]{64}", entry_hash):
            raise AnchorError(f"audit anchor {self.path} is malformed: entry_hash")
        return AnchorState(seq=seq, entry_hash=entry_hash, updated_at=updated_at)

    def write(self, state: AnchorState) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._locked():
            current = self.read()
            if current is not None and current.seq >= state.seq:
                if current.seq == state.seq and current.entry_hash != state.entry_hash:
                    log.error(
                        "audit anchor %s keeps head %d %s; refused a different hash %s",
                        self.path,
                        current.seq,
                        current.entry_hash,
                        state.entry_hash,
                    )
                return
            body = {
                "seq": state.seq,
                "entry_hash": state.entry_hash,
                "updated_at": state.updated_at.astimezone(UTC).isoformat(),
            }
            self._replace(json.dumps(body, indent=2).encode("utf-8") + b"\n")

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold an exclusive lock on ``<anchor>.lock`` (no-op where ``fcntl`` is missing)."""
        lock_path = self.path.with_name(self.path.name + ".lock")
        with open(lock_path, "a+b") as handle:
            if sys.platform != "win32":
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                if sys.platform != "win32":
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _replace(self, content: bytes) -> None:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "wb") as tmp:
                tmp.write(content)
                tmp.flush()
                os.fsync(tmp.fileno())
            os.replace(tmp_name, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise
        if sys.platform != "win32":
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)


def default_anchor() -> FileAnchor:
    """The anchor configured by ``HUB_AUDIT_ANCHOR_PATH`` (default ``var/audit-anchor.json``)."""
    from hub.settings import get_settings

    return FileAnchor(get_settings().anchor_path)


# ---------------------------------------------------------------------------------------------
# Writing


def check_no_personal_data(details: Any, *, path: str = "details") -> None:
    """Refuse values that look like a mainland mobile number or a citizen ID number.

    A guard against accidents, not a classifier: it looks at every string (and integer, since
    a phone number is easily passed as one) at any depth, and at the keys. The error names the
    key but never repeats the value, which would put the personal data into logs instead.
    """
    if isinstance(details, dict):
        for key, value in details.items():
            key_path = f"{path}[{key!r}]"
            _check_scalar(key, f"{key_path} (the key itself)")
            check_no_personal_data(value, path=key_path)
    elif isinstance(details, list | tuple):
        for index, value in enumerate(details):
            check_no_personal_data(value, path=f"{path}[{index}]")
    else:
        _check_scalar(details, path)


def _check_scalar(value: Any, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return
    text_value = str(value)
    if _PHONE.search(text_value):
        raise ValueError(
            f"{where} looks like a mobile phone number; the audit log holds no personal data"
        )
    if _CITIZEN_ID.search(text_value):
        raise ValueError(
            f"{where} looks like a citizen ID number; the audit log holds no personal data"
        )


def _normalise_details(details: dict[str, Any] | None) -> dict[str, Any]:
    """A JSON round trip, so the stored value is exactly the value that was hashed."""
    if details is None:
        return {}
    if not isinstance(details, dict):
        raise ValueError(f"details must be a JSON object, not {type(details).__name__}")
    try:
        normalised: dict[str, Any] = json.loads(canonical_json(details))
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"details must be plain JSON (str, number, bool, list, dict): {exc}"
        ) from exc
    return normalised


def _lock_writers(session: Session) -> None:
    """Serialise audit writers until the caller's transaction ends.

    PostgreSQL: a transaction-scoped advisory lock; the statement that reads the head runs
    after it is granted and, under READ COMMITTED, sees the previous holder's commit.
    SQLite: a write that matches no row makes the driver open the transaction and SQLite
    grant its single write lock (waiting up to ``busy_timeout``) before the head is read,
    which is what ``BEGIN IMMEDIATE`` would do.
    """
    dialect = session.connection().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
    elif dialect == "sqlite":
        session.execute(text("UPDATE audit_log SET seq = seq WHERE 1 = 0"))
    else:  # pragma: no cover - the hub supports SQLite and PostgreSQL only
        raise NotImplementedError(f"audit log writer lock for {dialect!r}")


def _read_head(session: Session) -> tuple[int, str] | None:
    row = session.execute(
        select(AuditEntry.seq, AuditEntry.entry_hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    return None if row is None else (int(row[0]), str(row[1]))


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    department_code: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add the next entry of the chain in the caller's transaction and flush it.

    The entry becomes visible (and anchorable) when the caller commits; if the caller rolls
    back, the entry and its seq vanish together. Call ``anchor_after_commit`` on the session
    so that the committed head is also written to the anchor.

    Raises ``ValueError`` when ``details`` is not a plain JSON object or holds something that
    looks like personal data.
    """
    for name, value in (("actor", actor), ("action", action), ("object_type", object_type)):
        if not value:
            raise ValueError(f"{name} must not be empty")
    normalised = _normalise_details(details)
    check_no_personal_data(normalised)

    _lock_writers(session)
    head = _read_head(session)
    seq, prev_hash = (1, GENESIS_HASH) if head is None else (head[0] + 1, head[1])
    entry = AuditEntry(
        seq=seq,
        recorded_at=datetime.now(UTC),
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        department_code=department_code,
        details=normalised,
        prev_hash=prev_hash,
    )
    entry.entry_hash = entry.compute_hash()
    session.add(entry)
    session.flush()
    session.info[_PENDING_KEY] = True
    return entry


@dataclass(frozen=True)
class AuditRecord:
    """What one entry says, before the chain gives it a seq and hashes (see ``append``)."""

    actor: str
    action: str
    object_type: str
    object_id: str
    department_code: str | None = None
    details: dict[str, Any] | None = None


def append_many(session: Session, records: Sequence[AuditRecord]) -> int:
    """Append ``records`` as consecutive entries of the chain in one locked step; returns how
    many were appended.

    Each record becomes an entry of its own, exactly as ``append`` would write it (same
    checks, same digest, seq head + 1, head + 2, ...), so ``verify`` proves every one of
    them; only the writer lock and the head are taken once, and the rows are inserted in one
    statement. All the entries share one ``recorded_at``. Nothing is appended when a record
    is refused (``ValueError``, as ``append``).

    Built for jobs that append thousands at once: each record's details are serialised
    canonically once, and that text serves the personal-data guard (``_clear_of_personal_data``)
    and the digest (``_entry_digest``) both; a list or object several records share is
    serialised and checked once (``_CheckedDetails``).
    """
    if not records:
        return 0
    prepared: list[tuple[AuditRecord, dict[str, Any], str]] = []
    checked = _CheckedDetails()
    for record in records:
        for name in ("actor", "action", "object_type"):
            if not getattr(record, name):
                raise ValueError(f"{name} must not be empty")
        prepared.append((record, *checked(record.details)))

    _lock_writers(session)
    head = _read_head(session)
    seq, prev_hash = (0, GENESIS_HASH) if head is None else head
    recorded_at = datetime.now(UTC)
    stamp = format_timestamp(recorded_at)
    rows: list[tuple[Any, ...]] = []
    for record, normalised, canonical in prepared:
        seq += 1
        object_id = str(record.object_id)
        entry_hash = _entry_digest(seq, stamp, record, object_id, canonical, prev_hash)
        rows.append(
            (
                seq,
                recorded_at,
                record.actor,
                record.action,
                record.object_type,
                object_id,
                record.department_code,
                normalised,
                prev_hash,
                entry_hash,
            )
        )
        prev_hash = entry_hash
    insert_values(session, cast(Table, AuditEntry.__table__), _ENTRY_COLUMNS, rows)
    session.info[_PENDING_KEY] = True
    return len(rows)


_ENTRY_COLUMNS = (
    "seq",
    "recorded_at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "department_code",
    "details",
    "prev_hash",
    "entry_hash",
)
"""The columns ``append_many`` writes of each entry, in the order it gives them."""


def _canonical_details(details: dict[str, Any] | None) -> tuple[dict[str, Any], str]:
    """``_normalise_details`` and the canonical JSON of its result, serialising once where
    that is the same text: when every key is a string (orjson refuses any other key), the
    round trip changes no key, so neither the order of the sorted keys, and the details
    serialise as the value they read back as (a tuple as a list), so they are kept as given."""
    if details is None:
        return {}, "{}"
    if not isinstance(details, dict):
        raise ValueError(f"details must be a JSON object, not {type(details).__name__}")
    try:
        text = canonical_json(details)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"details must be plain JSON (str, number, bool, list, dict): {exc}"
        ) from exc
    try:
        orjson.dumps(details)
    except orjson.JSONEncodeError:
        normalised: dict[str, Any] = json.loads(text)
        return normalised, canonical_json(normalised).decode("utf-8")
    return details, text.decode("utf-8")


class _CheckedDetails:
    """Records' details as ``append_many`` stores and hashes them: normalised, their canonical
    JSON, checked for personal data; a list or object shared by several records (the steps of
    a bulk start, alike for every instance that walked alike) written out and checked once.

    A dict with string keys is written out part by part, exactly as ``canonical_json`` writes
    it (keys in sorted order, ``"key":value`` joined by commas; a run of digits never spans two
    parts); anything else, or a part that is not plain JSON, goes the way of
    ``_canonical_details``. Shared parts are known by their id, held here so the id stays
    theirs; the records do not change while they are appended.
    """

    def __init__(self) -> None:
        self._shared: dict[int, tuple[Any, str | None, bool]] = {}

    def __call__(self, details: dict[str, Any] | None) -> tuple[dict[str, Any], str]:
        if type(details) is dict and all(type(key) is str for key in details):
            items, clear = [], True
            for key in sorted(details):
                text, part_clear = self._part(details[key])
                if text is None:
                    break
                items.append(f"{_json_string(key)}:{text}")
                clear = clear and part_clear and _clear_of_personal_data(key)
            else:
                if not clear:
                    check_no_personal_data(details)
                return details, "{" + ",".join(items) + "}"
        normalised, canonical = _canonical_details(details)
        if not _clear_of_personal_data(canonical):
            check_no_personal_data(normalised)
        return normalised, canonical

    def _part(self, value: Any) -> tuple[str | None, bool]:
        """A value's canonical JSON (None: not written out here) and whether it is certainly
        clear of personal data."""
        kind = type(value)
        if value is None:
            return "null", True
        if kind is bool:
            return ("true" if value else "false"), True
        if kind is str:
            text = _json_string(value)
        elif kind is int:
            text = str(value)
        elif kind is float and math.isfinite(value):
            text = repr(value)
        elif kind is list or kind is dict:
            shared = self._shared.get(id(value))
            if shared is None:
                shared = self._shared[id(value)] = (value, *_plain_part(value))
            return shared[1], shared[2]
        else:
            return None, False
        return text, _clear_of_personal_data(text)


def _plain_part(value: list[Any] | dict[str, Any]) -> tuple[str | None, bool]:
    """``_CheckedDetails._part`` of a list or object: its canonical JSON when it reads back as
    written (orjson refuses a key that is not a string), else None."""
    try:
        orjson.dumps(value)
        text = canonical_json(value).decode("utf-8")
    except (orjson.JSONEncodeError, TypeError, ValueError):
        return None, False
    return text, _clear_of_personal_data(text)


_MAYBE_PERSONAL = re.compile(r"\d{11}")
"""Eleven digits in a row: what every value ``_check_scalar`` refuses holds."""


def _clear_of_personal_data(canonical: str) -> bool:
    """Whether details whose canonical JSON is ``canonical`` certainly pass
    ``check_no_personal_data``: JSON writes digits and ``X`` as they are, so a key or value
    the check refuses shows its digits in the text. False only says: walk them."""
    return _MAYBE_PERSONAL.search(canonical) is None


_json_string = json.encoder.encode_basestring  # json.dumps(str, ensure_ascii=False), quoted


def _json_scalar(value: Any) -> str:
    if isinstance(value, str):
        return _json_string(value)
    if value is None:
        return "null"
    return canonical_json(value).decode("utf-8")


def _entry_digest(
    seq: int, stamp: str, record: AuditRecord, object_id: str, canonical: str, prev_hash: str
) -> str:
    """``compute_entry_hash`` of an entry whose details are already canonical JSON: the same
    canonical payload (keys in sorted order, no whitespace), written directly."""
    payload = (
        f'{{"action":{_json_scalar(record.action)},"actor":{_json_scalar(record.actor)},'
        f'"department_code":{_json_scalar(record.department_code)},"details":{canonical},'
        f'"object_id":{_json_string(object_id)},"object_type":{_json_scalar(record.object_type)},'
        f'"prev_hash":{_json_string(prev_hash)},"recorded_at":{_json_string(stamp)},"seq":{seq}}}'
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------
# Anchoring after commit


def anchor_after_commit(session: Session, anchor: AuditAnchor) -> None:
    """Write the committed head to ``anchor`` whenever this session commits an append.

    Call it once per session (again with the same anchor is a no-op; several anchors may be
    registered). Just before the outermost commit the head is read inside the transaction,
    where the writer lock still holds it; after the commit it is written to each anchor.
    Savepoints neither write nor clear it, and a rollback discards it.

    An anchor that cannot be written is logged, not raised: the data is committed by then
    and the caller must not believe otherwise. ``verify`` reports the lag.
    """
    anchors: list[AuditAnchor] = session.info.setdefault(_ANCHORS_KEY, [])
    if any(existing is anchor for existing in anchors):
        return
    anchors.append(anchor)
    if len(anchors) > 1:
        return  # listeners already registered; they write to every anchor in the list
    event.listen(session, "before_commit", _before_commit)
    event.listen(session, "after_commit", _after_commit)
    event.listen(session, "after_transaction_end", _after_transaction_end)


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction() or not session.info.get(_PENDING_KEY):
        return
    head = _read_head(session)
    if head is not None:
        session.info[_HEAD_KEY] = head


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    head: tuple[int, str] | None = session.info.pop(_HEAD_KEY, None)
    session.info.pop(_PENDING_KEY, None)
    if head is None:
        return
    state = AnchorState(seq=head[0], entry_hash=head[1], updated_at=datetime.now(UTC))
    for anchor in session.info.get(_ANCHORS_KEY, []):
        try:
            anchor.write(state)
        except Exception:
            log.exception("could not anchor audit head %d to %r", state.seq, anchor)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING_KEY, None)
        session.info.pop(_HEAD_KEY, None)


# ---------------------------------------------------------------------------------------------
# Verifying


@dataclass
class VerifyReport:
    """Outcome of ``verify``: ``ok`` is false as soon as there is one problem.

    ``problems`` name the seq and what is wrong; ``warnings`` do not fail the check (entries
    after the anchor, which lags until commit by design).
    """

    ok: bool
    entries_checked: int
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    head_seq: int | None = None
    head_hash: str | None = None
    anchor: AnchorState | None = None


def _missing(first: int, last: int) -> str:
    if first == last:
        return f"entry {first} is missing"
    return f"entries {first} to {last} are missing"


def verify(session: Session, anchor: AuditAnchor, *, max_problems: int = 1000) -> VerifyReport:
    """Check the whole chain and its head against ``anchor``.

    The anchor is read before the table: it only ever holds committed heads, so a table read
    afterwards contains at least the anchored entry, even while others append. Run it in a
    fresh transaction (an older snapshot could predate the anchor). Rows are streamed, so the
    log's size does not matter; past ``max_problems`` only a count is kept.
    """
    problems: list[str] = []
    warnings: list[str] = []
    dropped = 0

    def problem(message: str) -> None:
        nonlocal dropped
        if len(problems) < max_problems:
            problems.append(message)
        else:
            dropped += 1

    anchor_state: AnchorState | None = None
    anchor_readable = True
    try:
        anchor_state = anchor.read()
    except AnchorError as exc:
        anchor_readable = False
        problem(f"anchor unreadable: {exc}")

    table = AuditEntry.__table__
    rows = session.execute(select(table).order_by(table.c.seq).execution_options(yield_per=1000))
    checked = 0
    prev_seq = 0
    prev_hash = GENESIS_HASH
    anchored_row_hash: str | None = None
    for row in rows:
        checked += 1
        seq = int(row.seq)
        expected = compute_entry_hash(
            seq=seq,
            recorded_at=row.recorded_at,
            actor=row.actor,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            department_code=row.department_code,
            details=row.details,
            prev_hash=row.prev_hash,
        )
        if expected != row.entry_hash:
            problem(f"entry {seq} was altered (hash mismatch)")
        if seq != prev_seq + 1:
            if prev_seq == 0:
                problem(f"{_missing(1, seq - 1)} (chain starts at {seq})")
            else:
                problem(f"{_missing(prev_seq + 1, seq - 1)} (gap between {prev_seq} and {seq})")
        elif row.prev_hash != prev_hash:
            if prev_seq == 0:
                problem(f"entry {seq} prev_hash is not the genesis hash")
            else:
                problem(f"entry {seq} prev_hash does not match entry {prev_seq}")
        if anchor_state is not None and seq == anchor_state.seq:
            anchored_row_hash = row.entry_hash
        prev_seq = seq
        prev_hash = row.entry_hash

    head_seq = prev_seq if checked else None
    head_hash = prev_hash if checked else None

    if anchor_state is None:
        if checked and anchor_readable:
            problem(
                f"no anchor recorded: cannot show that entries after {prev_seq} were not "
                "deleted (was anchor_after_commit used, or was the anchor removed?)"
            )
    elif anchor_state.seq > prev_seq:
        if checked:
            problem(
                f"chain ends at {prev_seq} but the anchor records head {anchor_state.seq}: "
                "last entries deleted"
            )
        else:
            problem(
                f"audit log is empty but the anchor records head {anchor_state.seq}: "
                "entries deleted"
            )
    else:
        if anchored_row_hash is None:
            problem(f"entry {anchor_state.seq} recorded by the anchor is missing")
        elif anchored_row_hash != anchor_state.entry_hash:
            problem(
                f"entry {anchor_state.seq} does not match the anchor (hash differs): "
                "the chain was rewritten after it was anchored"
            )
        if anchor_state.seq < prev_seq:
            first = anchor_state.seq + 1
            span = (
                f"entry {first} after the anchor is"
                if first == prev_seq
                else f"entries {first} to {prev_seq} after the anchor are"
            )
            warnings.append(f"{span} not yet anchored (anchor head {anchor_state.seq})")

    if dropped:
        problems.append(f"... and {dropped} more problems")
    return VerifyReport(
        ok=not problems,
        entries_checked=checked,
        problems=problems,
        warnings=warnings,
        head_seq=head_seq,
        head_hash=head_hash,
        anchor=anchor_state,
    )
