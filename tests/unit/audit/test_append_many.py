"""``append_many`` writes the entries ``append`` would: the same digest (whatever the details
hold), the same refusals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.audit import AuditEntry, AuditRecord, FileAnchor, anchor_after_commit, append_many, verify

AWKWARD: list[dict[Any, Any]] = [
    {},
    {"instance": 7, "from": None, "to": "assigned", "fields": ["department_code"], "on_time": True},
    {"note": '引号"反斜杠\\ 换行\n制表\t控制\u0001 \u2028', "ratio": 0.1, "big": 10**20},
    {"nested": {"b": [1, 2.5, None], "a": ("tuple", "kept")}},
    {2: "two", 10: "ten"},  # keys become strings, and sort as strings
    {"digits": "12345678901", "code": "91340100MA2N0AAA0A"},  # eleven digits, no phone
]


def test_entries_carry_the_digest_of_their_content(engine: Engine, tmp_path: Path) -> None:
    anchor = FileAnchor(tmp_path / "anchor.json")
    records = [
        AuditRecord(
            actor="system:测试",
            action="test.bulk",
            object_type="case",
            object_id=str(index),
            department_code=None if index % 2 else "SCJG-340104",
            details=details,
        )
        for index, details in enumerate(AWKWARD)
    ]
    entries = _appended(engine, anchor, records)
    assert entries[4].details == {"2": "two", "10": "ten"}
    assert entries[3].details == {"nested": {"b": [1, 2.5, None], "a": ["tuple", "kept"]}}


def _appended(engine: Engine, anchor: FileAnchor, records: list[AuditRecord]) -> list[AuditEntry]:
    """Append ``records`` in one call; the stored entries, each carrying the digest of its
    content and the chain verified against ``anchor``."""
    with Session(engine) as session, session.begin():
        anchor_after_commit(session, anchor)
        assert append_many(session, records) == len(records)
    with Session(engine) as session:
        entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
        assert [entry.entry_hash for entry in entries] == [e.compute_hash() for e in entries]
        report = verify(session, anchor)
        assert report.ok, report.problems
    return entries


@pytest.mark.parametrize(
    ("details", "refused"),
    [
        ({"caller": "13912345678"}, "mobile phone number"),
        ({"ids": [340104199001011234]}, "citizen ID number"),
        ({"13912345678": "as a key"}, "mobile phone number"),
        ({"order": "AH2603020000001"}, None),  # digits in a row that are neither
    ],
)
def test_personal_data_is_refused_as_append_refuses_it(
    engine: Engine, details: dict[str, object], refused: str | None
) -> None:
    record = AuditRecord(
        actor="system:test", action="test.bulk", object_type="case", object_id="1", details=details
    )
    with Session(engine) as session, session.begin():
        if refused is None:
            assert append_many(session, [record]) == 1
        else:
            with pytest.raises(ValueError, match=refused):
                append_many(session, [record])


def test_parts_shared_by_records_are_written_as_each_record_holds_them(
    engine: Engine, tmp_path: Path
) -> None:
    steps = [{"transition": "start", "to": "received"}, {"transition": "accept", "on_time": True}]
    odd = [(1, "元组"), {2: "an int key"}]  # read back changed: not written out as shared
    shared_details: list[dict[str, Any]] = [
        {"instance": index, "steps": steps, "odd": odd if index % 2 else None, "score": 97.5}
        for index in range(4)
    ]
    records = [
        AuditRecord(
            actor="system:test",
            action="test.shared",
            object_type="case",
            object_id=str(i),
            details=details,
        )
        for i, details in enumerate([*shared_details, *AWKWARD])
    ]
    entries = _appended(engine, FileAnchor(tmp_path / "anchor.json"), records)
    assert entries[1].details["odd"] == [[1, "元组"], {"2": "an int key"}]
    assert entries[2].details == {"instance": 2, "steps": steps, "odd": None, "score": 97.5}


def test_personal_data_in_a_shared_part_is_refused_in_every_record(engine: Engine) -> None:
    contact = {"caller": "13912345678"}
    records = [
        AuditRecord(
            actor="system:test",
            action="test.shared",
            object_type="case",
            object_id=str(i),
            details={"instance": i, "contact": contact},
        )
        for i in range(3)
    ]
    with (
        Session(engine) as session,
        session.begin(),
        pytest.raises(ValueError, match="mobile phone number"),
    ):
        append_many(session, records)
