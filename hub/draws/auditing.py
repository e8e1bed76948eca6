"""Every draw step in the hash-chained audit log, and the digests it pins.

Details carry counts and digests, never entity codes, certificate numbers or free text
(the audit log holds no personal data). Digests are written in groups of eight hex digits
(``1a2b3c4d-...``): a bare 64-digit hex string sometimes holds a run of eleven digits that
the audit log's personal-data guard would take for a mobile number, which would make a step
fail at random. ``ungrouped`` turns them back.

The entries of ``draw.commit`` and ``draw.public_value`` are what verification trusts: the
commitment as it was published, and the public value as it was entered, after it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit import anchor_after_commit, append, default_anchor
from hub.store.models.audit import AuditEntry
from hub.store.models.draws import Draw

OBJECT_TYPE = "draw"


def grouped(hex_digest: str) -> str:
    """``"1a2b3c4d5e6f..."`` → ``"1a2b3c4d-5e6f...."``, eight digits a group."""
    return "-".join(hex_digest[start : start + 8] for start in range(0, len(hex_digest), 8))


def ungrouped(text: str) -> str:
    return text.replace("-", "")


def record(session: Session, draw: Draw, step: str, actor: str, details: dict[str, Any]) -> None:
    """Append ``draw.<step>`` for ``draw`` in the caller's transaction; anchored on commit."""
    anchor_after_commit(session, default_anchor())
    append(
        session,
        actor=actor,
        action=f"{OBJECT_TYPE}.{step}",
        object_type=OBJECT_TYPE,
        object_id=str(draw.id),
        department_code=draw.department_code,
        details={"status": draw.status, **details},
    )


def recorded(session: Session, draw_id: int, step: str) -> AuditEntry | None:
    """The latest ``draw.<step>`` entry of the draw, or ``None``."""
    return session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.object_type == OBJECT_TYPE,
            AuditEntry.object_id == str(draw_id),
            AuditEntry.action == f"{OBJECT_TYPE}.{step}",
        )
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    ).first()
