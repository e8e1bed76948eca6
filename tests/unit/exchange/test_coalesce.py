"""Joining a fetched batch's one-line messages into one JSON Lines envelope per message type."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from hub.exchange.channels import ChannelConfig, load_channel
from hub.exchange.coalesce import JSON_LINES, coalesce
from hub.exchange.envelopes import Arrival
from hub.exchange.parsers import parse_records


@pytest.fixture
def channel(repo_root: Path) -> ChannelConfig:
    return load_channel(repo_root / "mappings" / "departmental_events" / "channel.yaml")


def _arrival(message: str, payload: bytes | Path, remote_id: str = "m") -> Arrival:
    return Arrival("departmental_events", message, payload, remote_id=remote_id)


def test_one_line_messages_of_each_type_become_one_envelope_each_in_first_place(
    channel: ChannelConfig,
) -> None:
    arrivals = [
        _arrival("inspections", b'{"a": 1}'),
        _arrival("penalties", b'{"p": 1}\n'),
        _arrival("inspections", b'{"a": 2}\n'),
        _arrival("penalties", b'{"p": 2}'),
        _arrival("inspections", b'{"a": "\xe6\xa3\x80\xe6\x9f\xa5"}'),
    ]

    merged = coalesce(channel, arrivals)

    assert [(a.message_type, a.payload) for a in merged] == [
        ("inspections", b'{"a": 1}\n{"a": 2}\n{"a": "\xe6\xa3\x80\xe6\x9f\xa5"}\n'),
        ("penalties", b'{"p": 1}\n{"p": 2}\n'),
    ]
    assert {a.content_type for a in merged} == {JSON_LINES}


def test_each_message_stays_one_record_with_its_own_raw_bytes(channel: ChannelConfig) -> None:
    bodies = [b'{"n": 1}', b"not json", b'{"n": 3}']
    [merged] = coalesce(channel, [_arrival("inspections", body) for body in bodies])

    source = channel.mappings["inspections"].source
    records = list(parse_records(io.BytesIO(merged.payload), source))  # type: ignore[arg-type]

    assert [(r.position, r.raw.rstrip(b"\n")) for r in records] == [
        (1, b'{"n": 1}'),
        (2, b"not json"),
        (3, b'{"n": 3}'),
    ]
    assert records[1].error is not None and records[0].error is records[2].error is None


@pytest.mark.parametrize(
    "alone",
    [
        b'{\n  "pretty": true\n}',  # a line break inside
        b"   ",  # blank: as a line it would vanish from the counts
        b'\xef\xbb\xbf{"bom": 1}',
        b'{"gbk": "\xbc\xec\xb2\xe9"}',  # GBK bytes: not readable as the envelope's UTF-8
    ],
)
def test_a_message_that_cannot_be_one_line_travels_alone_in_its_place(
    channel: ChannelConfig, alone: bytes
) -> None:
    first, odd, last = (
        _arrival("inspections", b'{"n": 1}'),
        _arrival("inspections", alone, "odd"),
        _arrival("inspections", b'{"n": 3}'),
    )

    merged = coalesce(channel, [first, odd, last])

    assert merged[1] is odd and len(merged) == 2
    assert merged[0].payload == b'{"n": 1}\n{"n": 3}\n'


def test_files_single_messages_and_other_formats_are_left_as_they_are(
    channel: ChannelConfig, repo_root: Path
) -> None:
    files = [_arrival("inspections", Path("a.jsonl")), _arrival("inspections", Path("b.jsonl"))]
    single = [_arrival("inspections", b'{"n": 1}'), _arrival("penalties", b'{"n": 2}')]
    csv_channel = load_channel(repo_root / "mappings" / "market_registry" / "channel.yaml")
    csv_message = csv_channel.messages[0].name
    rows = [Arrival(csv_channel.name, csv_message, b"a,b\n1,2\n") for _ in range(2)]

    assert coalesce(channel, files) == files
    assert coalesce(channel, single) == single
    assert coalesce(csv_channel, rows) == rows
