"""``hub keys rotate``: re-seal every value sealed under an older key with the current key.

Put the new key first in ``HUB_DATA_KEYS`` (``k2:NEW,k1:OLD``), run the rotation, then drop
the old key. Sealed values live in three places: envelope chunks and quarantine entries of
personal-data channels, and every ``EncryptedText`` column of the canonical store.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Engine, LargeBinary, Table, select, type_coerce, update
from sqlalchemy.orm import Session

from hub.security.crypto import KeyRing, get_key_ring
from hub.store.base import Base
from hub.store.models.exchange import Envelope, EnvelopeChunk, QuarantineEntry
from hub.store.types import EncryptedText


def rotate_keys(engine: Engine, ring: KeyRing | None = None) -> Counter[str]:
    """Re-seal stale values; returns how many were re-sealed per place. Safe to re-run."""
    import hub.store.models  # noqa: F401  (every table with sealed columns)

    ring = ring or get_key_ring()
    counts: Counter[str] = Counter()
    with Session(engine) as session, session.begin():
        counts["envelope_chunks"] = _rotate_chunks(session, ring)
        counts["quarantine"] = _rotate_quarantine(session, ring)
        for table in Base.metadata.sorted_tables:
            for column in table.c:
                if isinstance(column.type, EncryptedText):
                    counts[f"{table.name}.{column.name}"] = _rotate_column(
                        session, ring, table, column.name
                    )
    return counts


def _rotate_chunks(session: Session, ring: KeyRing) -> int:
    rotated = 0
    chunks = session.execute(
        select(EnvelopeChunk.envelope_id, EnvelopeChunk.seq, EnvelopeChunk.data)
        .join(Envelope, Envelope.id == EnvelopeChunk.envelope_id)
        .where(Envelope.encrypted.is_(True))
    ).all()
    for envelope_id, seq, data in chunks:
        if not ring.needs_rotation(data):
            continue
        aad = f"envelope:{envelope_id}:{seq}".encode()
        session.execute(
            update(EnvelopeChunk)
            .where(EnvelopeChunk.envelope_id == envelope_id, EnvelopeChunk.seq == seq)
            .values(data=ring.seal(ring.open(data, aad), aad))
        )
        rotated += 1
    return rotated


def _rotate_quarantine(session: Session, ring: KeyRing) -> int:
    rotated = 0
    entries = session.execute(
        select(QuarantineEntry.id, QuarantineEntry.raw).where(QuarantineEntry.encrypted.is_(True))
    ).all()
    for entry_id, raw in entries:
        if ring.needs_rotation(raw):
            session.execute(
                update(QuarantineEntry)
                .where(QuarantineEntry.id == entry_id)
                .values(raw=ring.seal(ring.open(raw)))
            )
            rotated += 1
    return rotated


def _rotate_column(session: Session, ring: KeyRing, table: Table, name: str) -> int:
    """Read the sealed bytes as bytes (bypassing the column type) and re-seal stale ones."""
    rotated = 0
    sealed = type_coerce(table.c[name], LargeBinary)
    rows = session.execute(select(table.c.id, sealed).where(table.c[name].is_not(None))).all()
    for row_id, data in rows:
        if ring.needs_rotation(data):
            session.execute(
                update(table)
                .where(table.c.id == row_id)
                .values({name: type_coerce(ring.seal(ring.open(data)), LargeBinary)})
            )
            rotated += 1
    return rotated
