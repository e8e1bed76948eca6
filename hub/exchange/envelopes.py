"""Envelopes: what arrived, stored once by checksum, raw bytes kept in sealed 1 MiB chunks."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.security.crypto import get_key_ring
from hub.store.models.exchange import Envelope, EnvelopeChunk

CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Arrival:
    """What an adapter hands over: raw bytes (a file path or bytes) and where they came from.

    Nothing is parsed here; the pipeline does that.
    """

    channel: str
    message_type: str
    payload: Path | bytes
    file_name: str | None = None
    remote_id: str | None = None
    offset: str | None = None
    content_type: str = ""

    def open(self) -> IO[bytes]:
        if isinstance(self.payload, Path):
            return self.payload.open("rb")
        return io.BytesIO(self.payload)


def _chunk_aad(envelope_id: int, seq: int) -> bytes:
    return f"envelope:{envelope_id}:{seq}".encode()


def checksum(arrival: Arrival) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with arrival.open() as stream:
        while block := stream.read(CHUNK_BYTES):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def store_envelope(
    session: Session, arrival: Arrival, *, personal: bool, run_id: int
) -> tuple[Envelope, bool]:
    """Store ``arrival`` unless the channel already holds the same bytes; returns (envelope, new).

    Re-delivery of the same bytes reuses the envelope, so a replayed file adds no second copy
    and its records keep their provenance.
    """
    sha256, size = checksum(arrival)
    existing = session.scalars(
        select(Envelope).where(Envelope.channel == arrival.channel, Envelope.sha256 == sha256)
    ).first()
    if existing is not None:
        return existing, False
    envelope = Envelope(
        channel=arrival.channel,
        message_type=arrival.message_type,
        remote_id=arrival.remote_id,
        file_name=arrival.file_name,
        offset=arrival.offset,
        content_type=arrival.content_type,
        sha256=sha256,
        size=size,
        encrypted=personal,
        first_run_id=run_id,
    )
    session.add(envelope)
    session.flush()
    ring = get_key_ring() if personal else None
    with arrival.open() as stream:
        seq = 0
        while block := stream.read(CHUNK_BYTES):
            data = ring.seal(block, _chunk_aad(envelope.id, seq)) if ring else block
            chunk = EnvelopeChunk(envelope_id=envelope.id, seq=seq, data=data)
            session.add(chunk)
            session.flush()
            session.expunge(chunk)  # keep at most one chunk in memory
            seq += 1
    return envelope, True


def iter_payload(session: Session, envelope: Envelope) -> Iterator[bytes]:
    """The envelope's raw bytes, chunk by chunk, opened when sealed."""
    ring = get_key_ring() if envelope.encrypted else None
    seqs = session.scalars(
        select(EnvelopeChunk.seq)
        .where(EnvelopeChunk.envelope_id == envelope.id)
        .order_by(EnvelopeChunk.seq)
    ).all()
    for seq in seqs:
        data = session.scalars(
            select(EnvelopeChunk.data).where(
                EnvelopeChunk.envelope_id == envelope.id, EnvelopeChunk.seq == seq
            )
        ).one()
        yield ring.open(data, _chunk_aad(envelope.id, seq)) if ring else bytes(data)


class ChunkStream(io.RawIOBase):
    """A readable binary stream over an iterator of byte chunks (for replaying envelopes)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


def open_payload(session: Session, envelope: Envelope) -> IO[bytes]:
    return io.BufferedReader(ChunkStream(iter_payload(session, envelope)), buffer_size=CHUNK_BYTES)
