"""Every change of a catalog item kept as a full snapshot, and the two questions asked of them:
what changed between two revisions (:func:`diff`), and the item's whole life (:func:`history`).

A snapshot is the item's elements plus the regions that claimed it and the knowledge-base
articles its legal basis cites; technical columns (ids, timestamps, content hash) are left
out because they change without the item changing. An item the pipeline stored (from a
channel) has no revision yet: the first change made here records its state as it arrived
(action ``imported``) before recording its own.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.audit import anchor_after_commit, append, default_anchor
from hub.catalog.errors import CatalogRefused
from hub.errors import NotFoundError
from hub.store.models.catalog import CatalogClaim, CatalogItem, CatalogItemVersion
from hub.store.models.knowledge import CatalogBasis

# The item's elements as the national format carries them (``export`` round-trips these).
ELEMENT_FIELDS = (
    "code",
    "parent_code",
    "is_main",
    "name",
    "department_code",
    "department_name",
    "supervision_type",
    "supervision_manner",
    "measures",
    "objects",
    "legal_basis",
    "process",
    "result",
    "level",
    "region_code",
    "status",
    "version",
    "origin",
)
# A version's snapshot: the elements and what the province adds to them.
ITEM_FIELDS = (
    *ELEMENT_FIELDS,
    "source_kind",
    "licensing_item",
    "responsible_department",
    "responsibility_rule",
    "responsibility_reason",
)
CLAIM_FIELDS = (
    "region_code",
    "department_code",
    "level",
    "supervision_manner",
    "measures",
    "objects",
    "process",
    "result",
)
IMPORTED_BY = "system:exchange"


@dataclass(frozen=True)
class Actor:
    """Who takes a step: a person's or client's name and their department."""

    name: str
    department_code: str | None = None


@dataclass(frozen=True)
class FieldChange:
    """One element's value before and after."""

    before: Any
    after: Any


@dataclass(frozen=True)
class HistoryEntry:
    """One revision as people read it: the step, who, when, why, and what it changed."""

    revision: int
    action: str
    status: str
    actor: str
    actor_department: str | None
    reason: str
    recorded_at: datetime
    changed: tuple[str, ...]
    snapshot: dict[str, Any]


def require_reason(reason: str | None, action: str) -> str:
    """Every recorded step says why; an empty reason is refused."""
    text = (reason or "").strip()
    if not text:
        raise CatalogRefused(f"{action} needs a reason: say why")
    return text


def snapshot(session: Session, item: CatalogItem) -> dict[str, Any]:
    """The item's elements, its claims and its cited articles, as JSON-ready data."""
    data: dict[str, Any] = {name: getattr(item, name) for name in ITEM_FIELDS}
    claims = session.scalars(
        select(CatalogClaim)
        .where(CatalogClaim.catalog_code == item.code)
        .order_by(CatalogClaim.region_code)
    )
    data["claims"] = [{name: getattr(claim, name) for name in CLAIM_FIELDS} for claim in claims]
    bases = session.execute(
        select(CatalogBasis.law_code, CatalogBasis.article_number)
        .where(CatalogBasis.catalog_code == item.code)
        .order_by(CatalogBasis.law_code, CatalogBasis.article_number)
    )
    data["bases"] = [{"law_code": law, "article_number": article} for law, article in bases]
    return data


def digest(data: dict[str, Any]) -> str:
    """A 32-character digest of a snapshot, used as the content hash of items made here."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def last_revision(session: Session, code: str) -> int:
    """The item's latest revision number; 0 when the hub never changed it."""
    return int(
        session.scalar(
            select(func.coalesce(func.max(CatalogItemVersion.revision), 0)).where(
                CatalogItemVersion.catalog_code == code
            )
        )
        or 0
    )


def record_change(
    session: Session, item: CatalogItem, *, action: str, actor: Actor, reason: str
) -> CatalogItemVersion:
    """Append the item's current state as its next revision, and the step to the audit log.

    The audit entry carries codes and the revision, not the reason: reasons are free text
    and the audit log holds no personal data (``hub.audit``).
    """
    session.flush()
    return record_snapshot(
        session, item.code, snapshot(session, item), action=action, actor=actor, reason=reason
    )


def record_snapshot(
    session: Session,
    code: str,
    state: dict[str, Any],
    *,
    action: str,
    actor: Actor,
    reason: str,
) -> CatalogItemVersion:
    """Append ``state`` as the next revision of item ``code``, audited like any change.

    For a change made outside this module's objects (a national update arriving through the
    pipeline), where the state is known before it is stored.
    """
    version = _append_snapshot(session, code, state, action=action, actor=actor, reason=reason)
    anchor_after_commit(session, default_anchor())
    append(
        session,
        actor=actor.name,
        action=f"catalog.{action}",
        object_type="catalog_item",
        object_id=code,
        department_code=actor.department_code,
        details={"revision": version.revision, "status": state["status"]},
    )
    return version


def _append_snapshot(
    session: Session, code: str, state: dict[str, Any], *, action: str, actor: Actor, reason: str
) -> CatalogItemVersion:
    version = CatalogItemVersion(
        catalog_code=code,
        revision=last_revision(session, code) + 1,
        action=action,
        status=state["status"],
        actor=actor.name,
        actor_department=actor.department_code,
        reason=reason,
        snapshot=state,
    )
    session.add(version)
    session.flush()
    return version


def ensure_baseline(session: Session, item: CatalogItem) -> None:
    """Record an item stored by the pipeline as it arrived, before its first change here."""
    if last_revision(session, item.code) == 0:
        session.flush()
        _append_snapshot(
            session,
            item.code,
            snapshot(session, item),
            action="imported",
            actor=Actor(IMPORTED_BY),
            reason="stored by the exchange pipeline",
        )


def versions(session: Session, code: str) -> list[CatalogItemVersion]:
    """Every revision of the item, oldest first (empty for an item never changed here)."""
    return list(
        session.scalars(
            select(CatalogItemVersion)
            .where(CatalogItemVersion.catalog_code == code)
            .order_by(CatalogItemVersion.revision)
        )
    )


def _revision(session: Session, code: str, revision: int) -> CatalogItemVersion:
    found = session.scalars(
        select(CatalogItemVersion).where(
            CatalogItemVersion.catalog_code == code, CatalogItemVersion.revision == revision
        )
    ).one_or_none()
    if found is None:
        raise NotFoundError(f"catalog item {code} has no revision {revision}")
    return found


def compare(before: dict[str, Any], after: dict[str, Any]) -> dict[str, FieldChange]:
    """The elements whose values differ, in the order of the snapshot."""
    names = [*before, *(name for name in after if name not in before)]
    return {
        name: FieldChange(before.get(name), after.get(name))
        for name in names
        if before.get(name) != after.get(name)
    }


def diff(session: Session, code: str, first: int, second: int) -> dict[str, FieldChange]:
    """What changed from revision ``first`` to revision ``second`` (either order)."""
    return compare(
        _revision(session, code, first).snapshot, _revision(session, code, second).snapshot
    )


def history(session: Session, code: str) -> list[HistoryEntry]:
    """The item's life, revision by revision, each with what it changed from the one before."""
    entries: list[HistoryEntry] = []
    previous: dict[str, Any] = {}
    for version in versions(session, code):
        entries.append(
            HistoryEntry(
                revision=version.revision,
                action=version.action,
                status=version.status,
                actor=version.actor,
                actor_department=version.actor_department,
                reason=version.reason,
                recorded_at=version.recorded_at,
                changed=tuple(compare(previous, version.snapshot)),
                snapshot=version.snapshot,
            )
        )
        previous = version.snapshot
    return entries
