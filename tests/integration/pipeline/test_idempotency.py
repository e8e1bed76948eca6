"""Replays change nothing; a newer source version wins and an older one never does.

Every run goes through ``helpers.run``, which checks received = stored + duplicates +
quarantined.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.exchange.channels import ChannelConfig
from hub.exchange.workers import WorkerFailed, chunks_from_worker
from hub.store.models.exchange import OutboxMessage, Provenance, QuarantineEntry
from tests.integration.pipeline.helpers import (
    channel,
    count,
    counts,
    csv_bytes,
    entities,
    entity_row,
    json_record,
    jsonl_bytes,
    make_uscc,
    quarantine,
    run,
    store_counts,
    xml_text,
)


@pytest.fixture
def registry() -> ChannelConfig:
    return channel("registry")


def _mixed_records() -> list[dict[str, object]]:
    """Five records: 1, 2 and 5 valid, 3 with an impossible date, 4 with a bad region."""
    return [
        json_record(1),
        json_record(2),
        json_record(3, established="2019年2月30日"),
        json_record(4, address={"region": "999999", "detail": "某地"}),
        json_record(5),
    ]


def _csv_file() -> bytes:
    return csv_bytes(
        [
            entity_row(1),
            entity_row(2),
            entity_row(3, 成立日期="2019年2月30日"),
            entity_row(4, 住所所在行政区划="999999"),
            entity_row(5),
        ]
    )


FILES: dict[str, Callable[[], bytes]] = {
    "entities_csv": _csv_file,
    "entities_json": lambda: json.dumps(
        {"data": {"items": _mixed_records()}}, ensure_ascii=False
    ).encode(),
    "entities_jsonl": lambda: jsonl_bytes(_mixed_records()),
    "entities_xml": lambda: xml_text(_mixed_records()).encode(),
}


@pytest.mark.parametrize("message", sorted(FILES))
def test_replaying_a_file_changes_nothing(
    engine: Engine, registry: ChannelConfig, message: str
) -> None:
    data = FILES[message]()

    first = run(engine, registry, message, data, subscribers=lambda _event: ["national"])
    after_first = store_counts(engine)
    outbox_after_first = count(engine, OutboxMessage)
    stored_before = {uscc: (e.content_hash, e.updated_at) for uscc, e in entities(engine).items()}
    second = run(engine, registry, message, data, subscribers=lambda _event: ["national"])

    assert counts(first) == (5, 3, 0, 2)
    assert counts(second) == (5, 0, 3, 2)
    assert (first.envelopes, second.envelopes) == (1, 1)
    assert after_first == {
        "entities": 3,
        "envelopes": 1,
        "envelope_chunks": 1,
        "provenance": 3,
        "quarantine": 2,
    }
    assert store_counts(engine) == after_first  # nothing doubled
    assert outbox_after_first == 3 and count(engine, OutboxMessage) == 3  # no second event
    assert {uscc: (e.content_hash, e.updated_at) for uscc, e in entities(engine).items()} == (
        stored_before
    )
    entries = quarantine(engine)
    assert [(e.position, e.step, e.status) for e in entries] == [
        (3, "map", "open"),
        (4, "check_codes", "open"),
    ]
    assert "not a real date" in entries[0].reason
    assert all(entry.run_id == second.run_id for entry in entries)  # seen again, not re-added


def test_replay_under_another_file_name_is_the_same_envelope(
    engine: Engine, registry: ChannelConfig
) -> None:
    data = _csv_file()
    run(engine, registry, "entities_csv", data, "2024-05-13.csv")
    before = store_counts(engine)

    again = run(engine, registry, "entities_csv", data, "2024-05-13 (1).csv")

    assert counts(again) == (5, 0, 3, 2)
    assert store_counts(engine) == before


@pytest.mark.parametrize("via_worker", [False, True], ids=["in-process", "worker-process"])
@pytest.mark.parametrize("chunk_size", [1, 2, 3, 5000])
def test_counts_do_not_depend_on_chunking(
    engine: Engine, registry: ChannelConfig, chunk_size: int, via_worker: bool, tmp_path: Path
) -> None:
    """Duplicates, changed rows and a key change land alike whether they share a chunk or not,
    and whether the records are processed in this process or in a worker process."""
    rows = [
        entity_row(1),
        entity_row(2),
        entity_row(1),  # identical: a duplicate
        entity_row(2, 企业名称="改名有限公司", 更新时间="2024-02-01 10:00:00"),  # changed
        entity_row(3, 内部序号="R000001"),  # R000001 is bound to entity 1
        entity_row(4),
    ]

    payload: bytes | Path = csv_bytes(rows)
    options: dict[str, int] = {"chunk_size": chunk_size}
    if via_worker:  # the worker reads files; threshold 0 sends every file to it
        payload = tmp_path / "entities.csv"
        payload.write_bytes(csv_bytes(rows))
        options["parallel_threshold"] = 0
    report = run(engine, registry, "entities_csv", payload, **options)
    replay = run(engine, registry, "entities_csv", payload, **options)

    assert counts(report) == (6, 4, 1, 1)
    assert counts(replay) == (6, 0, 5, 1)
    [entry] = quarantine(engine)
    assert (entry.position, entry.step) == (5, "upsert")
    stored = entities(engine)
    assert sorted(stored) == sorted(make_uscc(i) for i in (1, 2, 4))
    assert stored[make_uscc(2)].name == "改名有限公司"
    assert count(engine, Provenance) == 4


def _bad_files() -> dict[str, tuple[str, bytes]]:
    """One file of each kind of bad input (message, bytes); each holds good records too."""
    good = csv_bytes([entity_row(i) for i in range(1, 4)])
    document = json.dumps({"data": {"items": _mixed_records()}}, ensure_ascii=False).encode()
    xml = xml_text(_mixed_records()).encode()
    lines = good.split(b"\n")
    lines[2] = lines[2] + b"\xff"
    return {
        "csv cut mid-row": ("entities_csv", good[:-30]),
        "csv cut mid-quote": ("entities_csv", good + b'R9,"91350203'),
        "json cut": ("entities_json", document[: len(document) // 2]),
        "xml cut": ("entities_xml", xml[: xml.index(b'id="R000004"')]),
        "empty": ("entities_csv", b""),
        "invalid utf-8 row": ("entities_utf8", b"\n".join(lines)),
        "gbk": ("entities_csv", csv_bytes([entity_row(7)], "gbk")),
        "dtd": ("entities_xml", b'<!DOCTYPE e [<!ENTITY x "y">]>' + xml),
        "duplicates": ("entities_csv", csv_bytes([entity_row(1), entity_row(1)])),
        "key change": (
            "entities_csv",
            csv_bytes([entity_row(1), entity_row(2, 内部序号="R000001")]),
        ),
        "over-long": ("entities_csv", csv_bytes([entity_row(1, 企业名称="名" * 201)])),
    }


@pytest.mark.parametrize("case", sorted(_bad_files()))
def test_replaying_bad_input_changes_nothing(
    engine: Engine, registry: ChannelConfig, case: str
) -> None:
    message, data = _bad_files()[case]

    first = run(engine, registry, message, data)
    before = store_counts(engine)
    hashes = {uscc: e.content_hash for uscc, e in entities(engine).items()}
    second = run(engine, registry, message, data)

    assert first.quarantined + first.stored > 0
    assert counts(second) == (
        first.received,
        0,
        first.stored + first.duplicates,
        first.quarantined,
    )
    assert store_counts(engine) == before
    assert {uscc: e.content_hash for uscc, e in entities(engine).items()} == hashes


# --- source versions -------------------------------------------------------------------------


def _version(name: str, version: str) -> bytes:
    return csv_bytes([entity_row(1, 企业名称=name, 更新时间=version)])


def test_newer_version_wins_and_an_older_one_later_changes_nothing(
    engine: Engine, registry: ChannelConfig
) -> None:
    first = run(engine, registry, "entities_csv", _version("一版", "2024-01-01 10:00"))
    newer = run(engine, registry, "entities_csv", _version("三版", "2024-03-01 10:00"))
    stored = entities(engine)[make_uscc(1)]
    older = run(engine, registry, "entities_csv", _version("二版", "2024-02-01 10:00"))

    assert counts(first) == (1, 1, 0, 0)
    assert counts(newer) == (1, 1, 0, 0)
    assert counts(older) == (1, 0, 1, 0)
    after = entities(engine)[make_uscc(1)]
    assert (after.name, after.source_version) == ("三版", "2024-03-01T02:00:00Z")
    assert (after.content_hash, after.updated_at) == (stored.content_hash, stored.updated_at)
    with Session(engine) as session:
        runs = session.scalars(select(Provenance.run_id).order_by(Provenance.id)).all()
    assert runs == [first.run_id, newer.run_id]  # the older version left no provenance


def test_unchanged_content_under_a_newer_version_still_outranks_an_older_change(
    engine: Engine, registry: ChannelConfig
) -> None:
    """A re-export of unchanged data is a duplicate, but its newer version counts: a change
    dated before it, arriving after it, is stale and must not overwrite."""
    run(engine, registry, "entities_csv", _version("甲", "2024-01-01 10:00"))
    reexport = run(engine, registry, "entities_csv", _version("甲", "2024-03-01 10:00"))
    late = run(engine, registry, "entities_csv", _version("乙", "2024-02-01 10:00"))

    assert counts(reexport) == (1, 0, 1, 0)
    assert counts(late) == (1, 0, 1, 0)
    stored = entities(engine)[make_uscc(1)]
    assert (stored.name, stored.source_version) == ("甲", "2024-03-01T02:00:00Z")


def test_without_a_version_field_the_later_arrival_wins(
    engine: Engine, registry: ChannelConfig
) -> None:
    first = run(engine, registry, "entities_csv", _version("一版", ""))
    second = run(engine, registry, "entities_csv", _version("二版", ""))

    assert counts(first) == (1, 1, 0, 0)
    assert counts(second) == (1, 1, 0, 0)
    assert entities(engine)[make_uscc(1)].name == "二版"


# --- a quarantined record passes after a mapping fix -----------------------------------------


def test_quarantine_entry_resolved_when_the_fixed_mapping_passes(engine: Engine) -> None:
    rows = [
        entity_row(1),
        entity_row(2, 主体类型="农民专业合作社"),
        entity_row(3, 主体类型="外星企业"),  # not in either table
    ]
    data = csv_bytes(rows)

    broken = run(engine, channel("mapping_fix"), "entities", data)
    fixed = run(engine, channel("mapping_fix", "channel_fixed.yaml"), "entities", data)
    again = run(engine, channel("mapping_fix", "channel_fixed.yaml"), "entities", data)

    assert counts(broken) == (3, 1, 0, 2)
    assert counts(fixed) == (3, 1, 1, 1)
    assert counts(again) == (3, 0, 2, 1)
    entries = {entry.position: entry for entry in quarantine(engine)}
    assert len(entries) == 2
    assert (entries[2].status, entries[2].resolved_run_id) == ("resolved", fixed.run_id)
    assert entries[2].resolved_at is not None
    assert "field entity_type: value '农民专业合作社' is not in the code table" in entries[2].reason
    assert (entries[3].status, entries[3].step) == ("open", "map")
    assert "'外星企业'" in entries[3].reason
    assert entities(engine)[make_uscc(2)].entity_type == "farmer_cooperative"
    with Session(engine) as session:
        assert session.scalars(
            select(QuarantineEntry.position).where(QuarantineEntry.status == "open")
        ).all() == [3]


def test_a_failing_worker_is_reported_with_its_traceback(
    registry: ChannelConfig, tmp_path: Path
) -> None:
    missing = tmp_path / "gone.csv"
    with pytest.raises(WorkerFailed, match=r"(?s)record worker failed:.*FileNotFoundError"):
        list(chunks_from_worker(registry.path, "entities_csv", missing, "2026-01-01T00:00:00Z", 10))
