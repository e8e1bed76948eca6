"""Copies of shipped channel files with the adapter section replaced, for tests that point a
channel at a server of their own (a simulator on a free port, sshd on a high port)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml


def channel_with_adapter(
    repo_root: Path, channel: str, folder: Path, adapter: dict[str, Any]
) -> Path:
    """``mappings/<channel>`` copied into ``folder`` with ``adapter`` as its adapter section;
    returns the copy's channel file."""
    shutil.copytree(repo_root / "mappings" / channel, folder, dirs_exist_ok=True)
    path = folder / "channel.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["adapter"] = adapter
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path
