"""Per-record work of the pipeline, up to the store: validate, map, validate, hash, chunk.

It depends on the channel's configuration only, not on the database, so the same code runs
in the process that stores (small arrivals, replays) or in a worker process beside it (large
files: see ``hub.exchange.workers``), which hands over finished chunks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from hub.errors import DataError
from hub.exchange.channels import ChannelConfig
from hub.exchange.parsers import SourceRecord
from hub.exchange.quarantine import QuarantinedRecord, quarantine_entry
from hub.exchange.schemas import RecordValidator, record_validator
from hub.exchange.upsert import KeyTuple, Row
from hub.mapping.compiler import CompiledMapping
from hub.store.records import RecordType, record_type


def content_hash(record: Row) -> str:
    """Digest of a mapped record's content; ``source_version`` is left out so a re-export of
    unchanged data counts as a duplicate.

    Field names and values are joined with separators that cannot occur in them; a value
    that is not text is marked and written as its ``repr`` (numbers, booleans, None and lists
    of text have a stable one), so ``"None"`` and ``None`` differ. ``repr`` of Chinese text is
    slow, hence text is taken as it is.
    """
    parts: list[str] = []
    for name, value in record.items():
        if name != "source_version":
            parts.append(name)
            parts.append(value if value.__class__ is str else "\x00" + repr(value))
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


@dataclass
class Chunk:
    """Records of one chunk waiting for the store, keyed so each key appears once, with the
    chunk's share of the run's counts and its failures."""

    rows: dict[KeyTuple, tuple[Row, int]] = field(default_factory=dict)
    raws: dict[KeyTuple, bytes] = field(default_factory=dict)
    received: int = 0
    duplicates: int = 0
    passed_positions: list[int] = field(default_factory=list)
    quarantined: list[QuarantinedRecord] = field(default_factory=list)


class RecordProcessor:
    """Turns source records of one message type into canonical rows or failures."""

    def __init__(self, channel: ChannelConfig, message: str) -> None:
        self.channel = channel
        self.mapping: CompiledMapping = channel.mappings[message]
        self.target: RecordType = record_type(self.mapping.target)
        self.source_validator: RecordValidator | None = (
            record_validator(self.mapping.source.schema, "validate_source")
            if self.mapping.source.schema
            else None
        )
        self.canonical_validator = record_validator(self.target.schema, "validate_canonical")
        # Codes that fail their check but are allow-listed are kept and flagged (DOMAIN.md).
        self.flags_code_checks = (
            self.mapping.uses_code_checks and "code_check_failed" in self.target.model.__table__.c
        )
        self.derived = tuple(self.target.derived.items())
        self.columns = [
            *self.mapping.fields,
            *(["code_check_failed"] if self.flags_code_checks else []),
            *(name for name, _ in self.derived if name not in self.mapping.fields),
        ]
        self.key = self.target.key
        self.is_xml = self.mapping.source.format == "xml"

    def key_of(self, row: Row) -> KeyTuple:
        return tuple(row.get(name) for name in self.key)

    def process(self, record: SourceRecord, default_version: str) -> Row | QuarantinedRecord:
        """The canonical row of ``record``, or the failure to quarantine."""
        if record.error is not None:
            return self.failure(record.position, "parse", record.error, record.raw)
        try:
            if self.source_validator is not None:
                self.source_validator.check(record.data)
            row = self.mapping.map(record.node if self.is_xml else record.data)
            if row.get("source_version") is None:
                row["source_version"] = default_version
            if self.flags_code_checks:
                row.setdefault("code_check_failed", False)
            self.canonical_validator.check({k: v for k, v in row.items() if v is not None})
        except DataError as error:
            return self.failure(record.position, error.step, str(error), record.raw)
        row["content_hash"] = content_hash(row)
        for name, derive in self.derived:
            if row.get(name) is None:
                row[name] = derive(row)
        return row

    def failure(self, position: int, step: str, reason: str, raw: bytes) -> QuarantinedRecord:
        return quarantine_entry(self.channel.personal_data, position, step, reason, raw)

    def chunks(
        self, records: Iterable[SourceRecord], default_version: str, chunk_size: int
    ) -> Iterator[Chunk]:
        """Processed records in chunks of at most ``chunk_size`` distinct keys.

        An identical repeat of a key within a chunk is a duplicate; a changed repeat closes
        the chunk, so records of one key are stored in file order (the later one wins).
        """
        chunk = Chunk()
        for record in records:
            chunk.received += 1
            outcome = self.process(record, default_version)
            if isinstance(outcome, QuarantinedRecord):
                chunk.quarantined.append(outcome)
                continue
            row = outcome
            key = self.key_of(row)
            previous = chunk.rows.get(key)
            if previous is not None:
                if previous[0]["content_hash"] == row["content_hash"]:
                    chunk.duplicates += 1
                    chunk.passed_positions.append(record.position)
                    continue
                chunk.received -= 1  # this record opens the next chunk
                yield chunk
                chunk = Chunk(received=1)
            chunk.rows[key] = (row, record.position)
            chunk.raws[key] = record.raw
            if len(chunk.rows) >= chunk_size:
                yield chunk
                chunk = Chunk()
        yield chunk
