"""``hub exchange run`` through the file adapter: cursor and acknowledgement after the commit."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from adapters.base import Adapter
from adapters.registry import adapter_class, known_adapters
from adapters.secrets import mask, resolve, secret_values
from hub.errors import ConfigurationError, MissingSecretError, UnknownNameError
from hub.exchange.channels import load_channel
from hub.exchange.cursors import read_cursor
from hub.exchange.runner import build_adapter, run_channel
from hub.settings import get_settings
from hub.store.models.entities import RegulatedEntity
from hub.store.models.exchange import Envelope
from tests.integration.pipeline.helpers import csv_bytes, entity_row


def _channel(tmp_path: Path, repo_root: Path, adapter: str) -> Path:
    folder = tmp_path / "market_registry"
    shutil.copytree(repo_root / "mappings" / "market_registry", folder)
    channel = folder / "channel.yaml"
    text = channel.read_text(encoding="utf-8").replace(
        "adapter: {type: file}", f"adapter: {adapter}"
    )
    channel.write_text(text, encoding="utf-8")
    return channel


def _entities(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(RegulatedEntity)) or 0)


def test_inbox_files_are_stored_then_moved(engine: Engine, tmp_path: Path, repo_root: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a_entities.csv").write_bytes(csv_bytes([entity_row(1), entity_row(2)]))
    (inbox / "b_entities.csv").write_bytes(csv_bytes([entity_row(3)]))
    channel = load_channel(_channel(tmp_path, repo_root, f"{{type: file, inbox: {inbox}}}"))

    report = run_channel(engine, channel)

    assert (report.received, report.stored, report.envelopes) == (3, 3, 2)
    assert read_cursor(engine, channel.name) is None  # the inbox is the position
    assert sorted(p.name for p in (inbox / "done").iterdir()) == [
        "a_entities.csv",
        "b_entities.csv",
    ]
    assert not any(p.is_file() for p in inbox.iterdir())
    assert run_channel(engine, channel).received == 0


def test_a_file_stored_but_not_moved_is_read_again_and_changes_nothing(
    engine: Engine, tmp_path: Path, repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash between the store commit and the move: the next run replays the file."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a_entities.csv").write_bytes(csv_bytes([entity_row(1), entity_row(2)]))
    channel = load_channel(_channel(tmp_path, repo_root, f"{{type: file, inbox: {inbox}}}"))

    def crash(*_args: object) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(shutil, "move", crash)
    with pytest.raises(OSError, match="disk gone"):
        run_channel(engine, channel)
    monkeypatch.undo()
    assert _entities(engine) == 2
    assert (inbox / "a_entities.csv").is_file()

    again = run_channel(engine, channel)
    assert (again.received, again.stored, again.duplicates) == (2, 0, 2)
    assert (inbox / "done" / "a_entities.csv").is_file()
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Envelope)) == 1


def test_adapter_settings_are_validated_with_every_error_at_once(
    tmp_path: Path, repo_root: Path
) -> None:
    channel = load_channel(_channel(tmp_path, repo_root, "{type: file, inbx: x, done_folder: 3}"))
    with pytest.raises(ConfigurationError) as caught:
        build_adapter(channel)
    message = str(caught.value)
    assert "channel.yaml" in message
    assert "'inbx' was unexpected" in message
    assert "adapter.done_folder: 3 is not of type 'string'" in message


def test_a_channel_without_inbox_reads_its_default_inbox_under_the_var_folder(
    engine: Engine, repo_root: Path
) -> None:
    channel = load_channel(repo_root / "mappings" / "market_registry" / "channel.yaml")

    empty = run_channel(engine, channel)  # nothing dropped yet: an empty run, not an error
    inbox = get_settings().var_dir / "inbox" / "market_registry"
    (inbox / "a_entities.csv").write_bytes(csv_bytes([entity_row(1)]))
    report = run_channel(engine, channel)

    assert empty.received == 0 and (report.received, report.stored) == (1, 1)
    assert (inbox / "done" / "a_entities.csv").is_file()


def test_a_configured_inbox_that_is_not_a_folder_is_refused(
    engine: Engine, tmp_path: Path, repo_root: Path
) -> None:
    missing = tmp_path / "nowhere"
    channel = load_channel(_channel(tmp_path, repo_root, f"{{type: file, inbox: {missing}}}"))
    with pytest.raises(ConfigurationError, match="is not a folder"):
        run_channel(engine, channel)


def test_registry_names_the_known_adapters() -> None:
    assert adapter_class("file").name == "file"
    assert issubclass(adapter_class("file"), Adapter)
    with pytest.raises(UnknownNameError, match=r"known: .*file"):
        adapter_class("carrier-pigeon")
    assert "file" in known_adapters()


def test_secrets_are_references_resolved_from_the_environment_and_masked() -> None:
    settings = {"url": "https://x", "auth": {"key": "${HUB_TEST_KEY}"}, "list": ["${HUB_TEST_KEY}"]}
    environ = {"HUB_TEST_KEY": "s3cr3t-value"}
    resolved = resolve(settings, where="ch.yaml: adapter", environ=environ)
    assert resolved == {
        "url": "https://x",
        "auth": {"key": "s3cr3t-value"},
        "list": ["s3cr3t-value"],
    }
    secrets = secret_values(settings, environ=environ)
    assert mask("401 for key s3cr3t-value at https://x", secrets) == "401 for key **** at https://x"
    with pytest.raises(
        MissingSecretError, match=r"ch\.yaml: adapter: set the environment variable HUB_TEST_KEY"
    ):
        resolve(settings, where="ch.yaml: adapter", environ={})
    assert "HUB_TEST_KEY" not in os.environ
