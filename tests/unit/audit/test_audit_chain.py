"""The audit chain finds an edited row, a deleted middle row and deleted last rows.

Runs on SQLite; with ``HUB_TEST_POSTGRES_URL`` set, every test also runs on PostgreSQL (the
``audit_log`` table there is dropped and created afresh for each test).
"""

from __future__ import annotations

import itertools
import json
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import JSON, Engine, bindparam, func, select, text
from typer.testing import CliRunner

import hub.store.models  # noqa: F401  (registers every table on Base.metadata)
from hub.audit import (
    GENESIS_HASH,
    AnchorError,
    AnchorState,
    AuditEntry,
    FileAnchor,
    VerifyReport,
    anchor_after_commit,
    append,
    verify,
)
from hub.cli.audit import audit_app
from hub.store.base import Base
from hub.store.engine import make_engine, session_scope
from hub.store.models.audit import format_timestamp

POSTGRES_URL = os.environ.get("HUB_TEST_POSTGRES_URL")
ENGINES = [
    pytest.param("sqlite", id="sqlite"),
    *(
        [pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres)]
        if POSTGRES_URL
        else []
    ),
]
AUDIT_TABLE = Base.metadata.tables["audit_log"]


@pytest.fixture(params=ENGINES)
def audit_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty audit log on SQLite (a temp file) or on the PostgreSQL test database."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'audit.db'}")
        Base.metadata.create_all(engine)
    else:
        assert POSTGRES_URL is not None
        engine = make_engine(POSTGRES_URL)
        AUDIT_TABLE.drop(engine, checkfirst=True)
        AUDIT_TABLE.create(engine)
    try:
        yield engine
    finally:
        if request.param == "postgresql":
            AUDIT_TABLE.drop(engine, checkfirst=True)
        engine.dispose()


@pytest.fixture
def anchor(tmp_path: Path) -> FileAnchor:
    return FileAnchor(tmp_path / "anchor" / "audit-anchor.json")


def _append_one(engine: Engine, anchor: FileAnchor | None, n: int, actor: str = "alice") -> None:
    with session_scope(engine) as session:
        if anchor is not None:
            anchor_after_commit(session, anchor)
        append(
            session,
            actor=actor,
            action="test.step",
            object_type="draw",
            object_id=f"D-{n}",
            department_code="110000-SCJG",
            details={"step": n, "note": "抽查", "ratio": 0.25, "codes": ["A1", "B2"]},
        )


@pytest.fixture
def chain(audit_engine: Engine, anchor: FileAnchor) -> Engine:
    """Twenty entries, each committed in its own transaction and anchored."""
    for n in range(1, 21):
        _append_one(audit_engine, anchor, n)
    return audit_engine


def _verify(engine: Engine, anchor: FileAnchor) -> VerifyReport:
    with session_scope(engine) as session:
        return verify(session, anchor)


def _execute(engine: Engine, sql: str, **params: Any) -> None:
    with engine.begin() as conn:
        conn.execute(text(sql), params)


# --- (d) an intact chain passes ----------------------------------------------------------------


def test_intact_chain_passes(chain: Engine, anchor: FileAnchor) -> None:
    report = _verify(chain, anchor)

    assert report.ok, report.problems
    assert report.problems == []
    assert report.warnings == []
    assert report.entries_checked == 20
    assert report.head_seq == 20
    state = anchor.read()
    assert state is not None
    assert (state.seq, state.entry_hash) == (20, report.head_hash)


def test_rows_link_from_genesis_and_hash_round_trips(chain: Engine) -> None:
    """What the database hands back hashes to the stored digest on either engine."""
    with session_scope(chain) as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        assert [e.seq for e in entries] == list(range(1, 21))
        assert entries[0].prev_hash == GENESIS_HASH
        for previous, entry in itertools.pairwise(entries):
            assert entry.prev_hash == previous.entry_hash
        for entry in entries:
            assert entry.recorded_at.tzinfo is not None
            assert entry.compute_hash() == entry.entry_hash
        assert format_timestamp(entries[0].recorded_at).endswith("Z")


# --- (a) an edited row -------------------------------------------------------------------------


def test_edited_row_is_reported_as_altered(chain: Engine, anchor: FileAnchor) -> None:
    with chain.begin() as conn:
        conn.execute(
            text("UPDATE audit_log SET details = :details WHERE seq = 10").bindparams(
                bindparam("details", type_=JSON)
            ),
            {"details": {"step": 10, "note": "改过", "ratio": 0.25, "codes": ["A1", "B2"]}},
        )

    report = _verify(chain, anchor)

    assert not report.ok
    assert report.problems == ["entry 10 was altered (hash mismatch)"]


def test_edited_row_with_recomputed_hash_breaks_the_next_link(
    chain: Engine, anchor: FileAnchor
) -> None:
    with chain.begin() as conn:
        conn.execute(
            text("UPDATE audit_log SET details = :details WHERE seq = 10").bindparams(
                bindparam("details", type_=JSON)
            ),
            {"details": {"step": 10, "note": "forged"}},
        )
    with session_scope(chain) as session:
        forged_hash = session.get_one(AuditEntry, 10).compute_hash()
    _execute(chain, "UPDATE audit_log SET entry_hash = :h WHERE seq = 10", h=forged_hash)

    report = _verify(chain, anchor)

    assert not report.ok
    assert report.problems == ["entry 11 prev_hash does not match entry 10"]


# --- (b) a deleted middle row ------------------------------------------------------------------


def test_deleted_middle_row_is_reported_as_gap(chain: Engine, anchor: FileAnchor) -> None:
    _execute(chain, "DELETE FROM audit_log WHERE seq = 10")

    report = _verify(chain, anchor)

    assert not report.ok
    assert report.problems == ["entry 10 is missing (gap between 9 and 11)"]
    assert report.entries_checked == 19


def test_deleted_first_rows_are_reported(chain: Engine, anchor: FileAnchor) -> None:
    _execute(chain, "DELETE FROM audit_log WHERE seq <= 2")

    report = _verify(chain, anchor)

    assert report.problems == ["entries 1 to 2 are missing (chain starts at 3)"]


# --- (c) deleted last rows ---------------------------------------------------------------------


def test_deleted_last_rows_are_found_through_the_anchor(chain: Engine, anchor: FileAnchor) -> None:
    _execute(chain, "DELETE FROM audit_log WHERE seq > 17")

    report = _verify(chain, anchor)

    assert not report.ok
    assert report.problems == [
        "chain ends at 17 but the anchor records head 20: last entries deleted"
    ]
    assert report.head_seq == 17


def test_rewritten_tail_is_found_through_the_anchor(chain: Engine, anchor: FileAnchor) -> None:
    """Deleting the tail and appending consistent new entries cannot fool the anchor."""
    _execute(chain, "DELETE FROM audit_log WHERE seq > 17")
    for n in (18, 19, 20):
        _append_one(chain, anchor, n, actor="mallory")

    report = _verify(chain, anchor)

    assert not report.ok
    assert report.problems == [
        "entry 20 does not match the anchor (hash differs): "
        "the chain was rewritten after it was anchored"
    ]


def test_emptied_table_is_found_through_the_anchor(chain: Engine, anchor: FileAnchor) -> None:
    _execute(chain, "DELETE FROM audit_log")

    report = _verify(chain, anchor)

    assert report.problems == ["audit log is empty but the anchor records head 20: entries deleted"]


# --- the anchor --------------------------------------------------------------------------------


def test_entries_after_the_anchor_are_a_warning(chain: Engine, anchor: FileAnchor) -> None:
    for n in (21, 22):
        _append_one(chain, None, n)

    report = _verify(chain, anchor)

    assert report.ok
    assert report.warnings == [
        "entries 21 to 22 after the anchor are not yet anchored (anchor head 20)"
    ]


def test_missing_anchor_is_a_problem(chain: Engine, tmp_path: Path) -> None:
    report = _verify(chain, FileAnchor(tmp_path / "elsewhere.json"))

    assert not report.ok
    assert report.problems[0].startswith("no anchor recorded")


def test_malformed_anchor_is_a_problem(chain: Engine, anchor: FileAnchor) -> None:
    anchor.path.write_text("{not json", encoding="utf-8")

    report = _verify(chain, anchor)

    assert [p.split(":")[0] for p in report.problems] == ["anchor unreadable"]
    with pytest.raises(AnchorError):
        anchor.read()


def test_rollback_and_savepoints_do_not_move_the_anchor(
    audit_engine: Engine, anchor: FileAnchor
) -> None:
    _append_one(audit_engine, anchor, 1)

    with pytest.raises(RuntimeError), session_scope(audit_engine) as session:
        anchor_after_commit(session, anchor)
        append(session, actor="alice", action="test.step", object_type="t", object_id="2")
        raise RuntimeError("caller fails after appending")
    state = anchor.read()
    assert state is not None and state.seq == 1

    with session_scope(audit_engine) as session:
        anchor_after_commit(session, anchor)
        anchor_after_commit(session, anchor)  # registering twice is harmless
        with session.begin_nested():
            append(session, actor="alice", action="test.step", object_type="t", object_id="2")
        # the savepoint is released, but nothing is committed yet
        state = anchor.read()
        assert state is not None and state.seq == 1
        savepoint = session.begin_nested()
        append(session, actor="alice", action="test.step", object_type="t", object_id="3")
        savepoint.rollback()
    state = anchor.read()
    assert state is not None and state.seq == 2

    report = _verify(audit_engine, anchor)
    assert report.ok, report.problems
    assert report.entries_checked == 2
    assert report.warnings == []


def test_file_anchor_never_moves_backwards(anchor: FileAnchor) -> None:
    now = datetime.now(UTC)
    assert anchor.read() is None
    anchor.write(AnchorState(seq=5, entry_hash="a" * 64, updated_at=now))
    anchor.write(AnchorState(seq=3, entry_hash="b" * 64, updated_at=now))
    anchor.write(AnchorState(seq=5, entry_hash="c" * 64, updated_at=now))

    state = anchor.read()
    assert state is not None
    assert (state.seq, state.entry_hash) == (5, "a" * 64)
    assert json.loads(anchor.path.read_text(encoding="utf-8"))["seq"] == 5
    leftovers = [p.name for p in anchor.path.parent.iterdir()]
    assert sorted(leftovers) == ["audit-anchor.json", "audit-anchor.json.lock"]


# --- (e) personal data is refused --------------------------------------------------------------


@pytest.mark.parametrize(
    ("details", "key", "kind"),
    [
        ({"contact": "13812345678"}, "'contact'", "mobile phone number"),
        ({"inspector": {"tel": "电话 15900001111"}}, "'tel'", "mobile phone number"),
        ({"people": ["11010519491231002X"]}, "'people'", "citizen ID number"),
        ({"mobile": 13912345678}, "'mobile'", "mobile phone number"),
    ],
)
def test_personal_data_in_details_is_refused(
    audit_engine: Engine, details: dict[str, Any], key: str, kind: str
) -> None:
    with session_scope(audit_engine) as session:
        with pytest.raises(ValueError, match=kind) as excinfo:
            append(
                session,
                actor="alice",
                action="case.note",
                object_type="case",
                object_id="C-1",
                details=details,
            )
        message = str(excinfo.value)
        assert key in message
        assert "1381234" not in message and "159000" not in message and "110105" not in message
        assert session.scalar(select(func.count()).select_from(AUDIT_TABLE)) == 0


def test_codes_that_are_not_personal_data_are_accepted(audit_engine: Engine) -> None:
    with session_scope(audit_engine) as session:
        entry = append(
            session,
            actor="system:draws",
            action="draw.commit",
            object_type="draw",
            object_id="42",
            details={"uscc": "91110108MA01ABCD2X", "region": "110105", "count": 12},
        )
    assert entry.seq == 1


def test_details_must_be_plain_json(audit_engine: Engine) -> None:
    with session_scope(audit_engine) as session, pytest.raises(ValueError, match="plain JSON"):
        append(
            session,
            actor="alice",
            action="x",
            object_type="t",
            object_id="1",
            details={"when": datetime.now(UTC)},
        )


# --- (f) concurrent writers --------------------------------------------------------------------


def test_two_concurrent_writers_produce_one_contiguous_chain(
    audit_engine: Engine, anchor: FileAnchor
) -> None:
    per_writer = 25
    barrier = threading.Barrier(2)

    def writer(name: str) -> None:
        barrier.wait(timeout=30)
        for n in range(per_writer):
            with session_scope(audit_engine) as session:
                anchor_after_commit(session, anchor)
                append(
                    session,
                    actor=f"system:{name}",
                    action="test.concurrent",
                    object_type="test",
                    object_id=f"{name}-{n}",
                )

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(writer, name) for name in ("left", "right")]
        for future in futures:
            future.result(timeout=120)

    report = _verify(audit_engine, anchor)
    assert report.ok, report.problems
    assert report.warnings == []
    assert report.entries_checked == 2 * per_writer
    with session_scope(audit_engine) as session:
        seqs = session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)).all()
        actors = session.execute(
            select(AuditEntry.actor, func.count()).group_by(AuditEntry.actor)
        ).all()
    assert list(seqs) == list(range(1, 2 * per_writer + 1))
    assert dict((a, int(c)) for a, c in actors) == {"system:left": 25, "system:right": 25}
    state = anchor.read()
    assert state is not None and state.seq == 2 * per_writer


# --- the CLI -----------------------------------------------------------------------------------


def test_cli_verify_exit_codes(
    chain: Engine, anchor: FileAnchor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("hub.cli.audit.session_scope", lambda: session_scope(chain))
    runner = CliRunner()

    intact = runner.invoke(audit_app, ["verify", "--anchor", str(anchor.path)])
    assert intact.exit_code == 0, intact.output
    assert "audit log intact: 20 entries, head 20 " in intact.output

    _execute(chain, "DELETE FROM audit_log WHERE seq = 7")
    damaged = runner.invoke(audit_app, ["verify", "--anchor", str(anchor.path)])
    assert damaged.exit_code == 1, damaged.output
    assert "entry 7 is missing (gap between 6 and 8)" in damaged.output
