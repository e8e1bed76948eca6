"""``hub exchange run`` through the SFTP adapter against the credit platform simulator.

The simulator is a real paramiko SSH server on a free port; each test starts one with the
faults it needs and points a copy of ``mappings/credit_platform`` at it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from adapters.base import OutboundMessage
from adapters.sftp.client import SftpAdapter, parse_manifest
from adapters.sftp.errors import HostKeyMismatch, fingerprint
from hub.errors import ConfigurationError, RetryLater
from hub.exchange.channels import ChannelConfig, load_channel
from hub.exchange.runner import build_adapter, run_channel
from hub.store.models.credit import CreditRecord
from hub.store.models.exchange import Envelope
from simulators.credit_platform import CreditPlatformSimulator, host_key_line
from simulators.registry import SimulatorOptions, start_simulator
from tests.channels import channel_with_adapter

StartPlatform = Callable[..., CreditPlatformSimulator]


@pytest.fixture
def start_platform() -> Iterator[StartPlatform]:
    """Start the simulator with the given faults; every one started is stopped afterwards."""
    started: list[CreditPlatformSimulator] = []

    def start(**faults: Any) -> CreditPlatformSimulator:
        simulator = start_simulator("credit_platform", SimulatorOptions(faults=faults))
        assert isinstance(simulator, CreditPlatformSimulator)
        started.append(simulator)
        return simulator

    yield start
    for simulator in started:
        simulator.stop()


def sftp_channel(
    tmp_path: Path,
    repo_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    simulator: CreditPlatformSimulator,
    **settings: Any,
) -> ChannelConfig:
    """A copy of the credit platform's channel, reading the simulator's outbox."""
    monkeypatch.setenv("CREDIT_SFTP_PASSWORD", simulator.password)
    adapter = {
        "type": "sftp",
        "host": "127.0.0.1",
        "port": simulator.port,
        "username": "hub",
        "password": "${CREDIT_SFTP_PASSWORD}",
        "host_key": host_key_line(simulator.original_host_key),
        "remote_dir": "/outbox",
        "timeout": 5,
        "spool": str(tmp_path / "spool"),
        **settings,
    }
    return load_channel(
        channel_with_adapter(repo_root, "credit_platform", tmp_path / "credit_platform", adapter)
    )


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def _count(engine: Engine, model: Any) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_daily_files_are_stored_once_and_moved_to_done(
    engine: Engine,
    tmp_path: Path,
    repo_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    start_platform: StartPlatform,
) -> None:
    simulator = start_platform(days=3, malformed_rows=True)
    channel = sftp_channel(tmp_path, repo_root, monkeypatch, simulator)

    report = run_channel(engine, channel)

    assert report.balanced
    assert report.envelopes == 3
    assert report.stored > 0 and report.quarantined > 0  # the sample plants bad rows
    assert _count(engine, CreditRecord) == report.stored
    assert _listing(simulator.outbox) == ["done"]
    assert _listing(simulator.outbox / "done") == [
        "credit_records_20260628.csv",
        "credit_records_20260629.csv",
        "credit_records_20260630.csv",
        "manifest_20260628.txt",
        "manifest_20260629.txt",
        "manifest_20260630.txt",
    ]
    assert not any((tmp_path / "spool").rglob("*.csv"))  # the spool is emptied

    again = run_channel(engine, channel)
    assert (again.received, again.envelopes) == (0, 0)
    assert _count(engine, Envelope) == 3


def test_a_partial_file_is_not_taken_until_complete(
    sqlite_engine: Engine,
    tmp_path: Path,
    repo_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    start_platform: StartPlatform,
) -> None:
    simulator = start_platform(days=1, partial=True)
    name = simulator.faulty["partial"]
    channel = sftp_channel(tmp_path, repo_root, monkeypatch, simulator)

    assert run_channel(sqlite_engine, channel).received == 0
    assert _listing(simulator.outbox) == [name, "manifest_20260630.txt"]

    simulator.complete(name)
    report = run_channel(sqlite_engine, channel)
    assert report.balanced and report.envelopes == 1 and report.stored > 0
    assert _listing(simulator.outbox / "done") == [name, "manifest_20260630.txt"]


def test_a_checksum_mismatch_goes_to_failed_with_its_reason(
    sqlite_engine: Engine,
    tmp_path: Path,
    repo_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    start_platform: StartPlatform,
) -> None:
    simulator = start_platform(days=2, wrong_checksum=True)
    name = simulator.faulty["wrong_checksum"]
    channel = sftp_channel(tmp_path, repo_root, monkeypatch, simulator)

    report = run_channel(sqlite_engine, channel)

    assert report.envelopes == 1  # the other day's file
    assert _listing(simulator.outbox / "failed") == [name, f"{name}.reason.txt"]
    reason = (simulator.outbox / "failed" / f"{name}.reason.txt").read_text(encoding="utf-8")
    assert "SHA-256" in reason and "manifest_" in reason
    assert _listing(simulator.outbox) == ["done", "failed"]  # its manifest is retired too
    with Session(sqlite_engine) as session:
        assert name not in session.scalars(select(Envelope.file_name)).all()


def test_a_connection_dropped_mid_file_is_retried_and_taken_once(
    engine: Engine,
    tmp_path: Path,
    repo_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    start_platform: StartPlatform,
) -> None:
    simulator = start_platform(days=2, drop_connection=True)
    name = simulator.faulty["drop_connection"]
    channel = sftp_channel(tmp_path, repo_root, monkeypatch, simulator)

    with pytest.raises(RetryLater, match=name):
        run_channel(engine, channel)
    assert name in _listing(simulator.outbox)
    assert not any((tmp_path / "spool").rglob(name))  # no half file left behind

    report = run_channel(engine, channel)
    assert report.balanced
    assert name in _listing(simulator.outbox / "done")
    assert _listing(simulator.outbox) == ["done"]
    with Session(engine) as session:
        names = session.scalars(select(Envelope.file_name)).all()
    assert len(names) == len(set(names)) == 2 and name in names


def test_a_crash_between_commit_and_move_stores_nothing_new_then_moves(
    engine: Engine,
    tmp_path: Path,
    repo_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    start_platform: StartPlatform,
) -> None:
    simulator = start_platform(days=1)
    channel = sftp_channel(tmp_path, repo_root, monkeypatch, simulator)

    def crash(self: SftpAdapter, source: str, target: str) -> None:
        raise OSError("disk full on the server")

    with monkeypatch.context() as patch:
        patch.setattr(SftpAdapter, "move_remote", crash)
        with pytest.raises(RetryLater, match="disk full"):
            run_channel(engine, channel)
    stored = _count(engine, CreditRecord)
    assert stored > 0
    assert "done" not in _listing(simulator.outbox) or not _listing(simulator.outbox / "done")

    again = run_channel(engine, channel)
    assert again.stored == 0
    assert again.duplicates + again.quarantined == again.received > 0
    assert _count(engine, CreditRecord) == stored
    assert _count(engine, Envelope) == 1
    assert _listing(simulator.outbox) == ["done"]


@pytest.mark.parametrize("pin", ["key", "fingerprint"])
def test_a_changed_host_key_refuses_the_connection_naming_the_fingerprint(
    sqlite_engine: Engine,
    tmp_path: Path,
    repo_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    start_platform: StartPlatform,
    pin: str,
) -> None:
    simulator = start_platform(days=1, changed_host_key=True)
    pinned = (
        host_key_line(simulator.original_host_key)
        if pin == "key"
        else fingerprint(simulator.original_host_key)
    )
    channel = sftp_channel(tmp_path, repo_root, monkeypatch, simulator, host_key=pinned)

    with pytest.raises(HostKeyMismatch) as caught:
        run_channel(sqlite_engine, channel)

    assert isinstance(caught.value, ConfigurationError)
    assert fingerprint(simulator.host_key) in str(caught.value)
    assert fingerprint(simulator.original_host_key) in str(caught.value)
    assert _listing(simulator.outbox) == ["credit_records_20260630.csv", "manifest_20260630.txt"]


def test_a_wrong_password_is_a_configuration_error(
    sqlite_engine: Engine,
    tmp_path: Path,
    repo_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    start_platform: StartPlatform,
) -> None:
    simulator = start_platform(days=1)
    channel = sftp_channel(tmp_path, repo_root, monkeypatch, simulator)
    monkeypatch.setenv("CREDIT_SFTP_PASSWORD", "not-the-password")

    with pytest.raises(ConfigurationError, match="authentication failed"):
        run_channel(sqlite_engine, channel)


def test_done_markers_declare_files_complete(
    sqlite_engine: Engine,
    tmp_path: Path,
    repo_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    start_platform: StartPlatform,
) -> None:
    simulator = start_platform(days=2)
    for manifest in simulator.outbox.glob("manifest_*.txt"):
        manifest.unlink()
    (simulator.outbox / "credit_records_20260630.csv.done").write_bytes(b"")
    channel = sftp_channel(tmp_path, repo_root, monkeypatch, simulator, completion="done_marker")

    assert run_channel(sqlite_engine, channel).envelopes == 1
    assert _listing(simulator.outbox / "done") == [
        "credit_records_20260630.csv",
        "credit_records_20260630.csv.done",
    ]
    assert _listing(simulator.outbox) == ["credit_records_20260629.csv", "done"]


def test_push_writes_a_part_file_then_renames_it(
    tmp_path: Path,
    repo_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    start_platform: StartPlatform,
) -> None:
    simulator = start_platform(days=0)
    channel = sftp_channel(tmp_path, repo_root, monkeypatch, simulator, upload_dir="/")
    payload = "统一社会信用代码,反馈\r\n".encode("gbk") * 5000
    message = OutboundMessage("credit_feedback", payload, "feedback-1", content_type="text/csv")

    def refuse(self: SftpAdapter, source: str, target: str) -> None:
        raise OSError(f"rename {source} refused")

    with build_adapter(channel) as adapter, monkeypatch.context() as patch:
        patch.setattr(SftpAdapter, "move_remote", refuse)
        with pytest.raises(RetryLater, match=r"feedback-1\.part"):
            adapter.push(message)
    assert (simulator.root / "credit_feedback_feedback-1.part").read_bytes() == payload
    assert not (simulator.root / "credit_feedback_feedback-1").exists()

    with build_adapter(channel) as adapter:
        receipt = adapter.push(message)
    assert receipt.accepted and receipt.remote_id == "/credit_feedback_feedback-1"
    assert (simulator.root / "credit_feedback_feedback-1").read_bytes() == payload
    assert not (simulator.root / "credit_feedback_feedback-1.part").exists()


def test_manifest_lines_tolerate_spaces_and_a_torn_last_line() -> None:
    digest = "ab" * 32
    text = f"信用 记录.csv 10 {digest}\nother.csv 7 {digest[:20]}"
    assert parse_manifest(text) == {"信用 记录.csv": (10, digest)}


def test_settings_without_a_pinned_host_key_or_a_secret_are_refused(
    tmp_path: Path,
    repo_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    start_platform: StartPlatform,
) -> None:
    simulator = start_platform(days=0)
    channel = sftp_channel(tmp_path, repo_root, monkeypatch, simulator)
    del channel.adapter["host_key"], channel.adapter["password"]
    channel.adapter["host_key_policy"] = "auto-add"

    with pytest.raises(ConfigurationError) as caught:
        build_adapter(channel)

    message = str(caught.value)
    assert "'host_key' is a required property" in message
    assert "'host_key_policy' was unexpected" in message
    assert "is not valid under any of the given schemas" in message  # no password nor key
