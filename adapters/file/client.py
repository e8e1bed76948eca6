"""The file adapter: every file of an inbox folder, in name order, moved to ``done/`` once stored."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from adapters.base import Adapter, FetchedBatch
from adapters.registry import register_adapter
from hub.errors import ConfigurationError
from hub.exchange.envelopes import Arrival


@register_adapter
class FileAdapter(Adapter):
    """Takes every file of ``inbox``, in name order, and moves it to ``done/`` once stored
    (``hub ingest --channel NAME FILE...`` feeds the same pipeline without an inbox).

    The inbox itself is the position (no cursor): a file stored but not moved (a crash
    between the two) is read again at the next run and changes nothing, since its envelope
    is found by checksum and its records are duplicates.
    """

    name = "file"
    capabilities = frozenset({"fetch"})
    config_schema = "config/adapters/file.json"

    @property
    def inbox(self) -> Path:
        """``adapter.inbox`` (relative to the channel file), else ``<HUB_VAR_DIR>/inbox/<channel>``,
        created on first use: a scheduled run of a channel nobody configured finds nothing."""
        inbox = self.settings.get("inbox")
        if not inbox:
            from hub.settings import get_settings

            default = get_settings().var_dir / "inbox" / self.channel.name
            default.mkdir(parents=True, exist_ok=True)
            return default
        path = Path(str(inbox))
        return path if path.is_absolute() else self.channel.path.parent / path

    def fetch(self, cursor: str | None) -> Iterator[FetchedBatch]:
        inbox = self.inbox
        if not inbox.is_dir():
            raise ConfigurationError(
                f"channel {self.channel.name!r}: inbox {inbox} is not a folder"
            )
        done = inbox / str(self.settings.get("done_folder", "done"))
        for path in sorted(p for p in inbox.iterdir() if p.is_file()):
            message = self.channel.message_for_file(path.name)
            arrival = Arrival(self.channel.name, message.name, path, file_name=path.name)
            yield FetchedBatch([arrival], acknowledge=_mover(path, done))


def _mover(path: Path, done: Path) -> Callable[[], None]:
    def move() -> None:
        done.mkdir(exist_ok=True)
        shutil.move(str(path), done / path.name)

    return move
