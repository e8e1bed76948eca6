"""Channel files (``mappings/<system>/channel.yaml``): loaded, validated, with compiled mappings."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from hub.errors import ConfigurationError, UnknownNameError
from hub.exchange.schemas import validate_document
from hub.mapping.compiler import CompiledMapping, load_mapping
from hub.yamlfile import load_located_yaml


@dataclass(frozen=True)
class MessageConfig:
    name: str
    mapping_path: Path
    file_patterns: tuple[str, ...]

    def matches(self, file_name: str) -> bool:
        return any(fnmatch.fnmatch(file_name, pattern) for pattern in self.file_patterns)


@dataclass
class ChannelConfig:
    """One connection to an outside system, as an integrator declared it."""

    name: str
    title: str
    path: Path
    system: str
    department_code: str | None
    personal_data: bool
    adapter: dict[str, Any]
    messages: tuple[MessageConfig, ...]
    subscribe: tuple[str, ...]
    raw: dict[str, Any] = field(repr=False)
    simulator: str | None = None

    @cached_property
    def mappings(self) -> dict[str, CompiledMapping]:
        """Every message's compiled mapping (compiled once per process)."""
        return {message.name: load_mapping(message.mapping_path) for message in self.messages}

    def message(self, name: str) -> MessageConfig:
        for message in self.messages:
            if message.name == name:
                return message
        raise UnknownNameError(
            f"message of channel {self.name!r}", name, [m.name for m in self.messages]
        )

    def message_for_file(self, file_name: str) -> MessageConfig:
        """The message a file belongs to: the first whose globs match, or the only one."""
        matching = [message for message in self.messages if message.matches(file_name)]
        if matching:
            return matching[0]
        if len(self.messages) == 1:
            return self.messages[0]
        names = ", ".join(f"{m.name} {list(m.file_patterns)}" for m in self.messages)
        raise ConfigurationError(
            f"{file_name}: matches no message of channel {self.name!r} ({names}); use --message"
        )


def load_channel(path: Path) -> ChannelConfig:
    document = load_located_yaml(path)
    validate_document("config/channel.json", document)
    data = document.data
    messages = tuple(
        MessageConfig(
            name=message["name"],
            mapping_path=(path.parent / message["mapping"]).resolve(),
            file_patterns=tuple(message.get("files", [])),
        )
        for message in data["messages"]
    )
    for index, message in enumerate(messages):
        if not message.mapping_path.is_file():
            where = document.where(["messages", index, "mapping"])
            raise ConfigurationError(f"{where}: mapping file {message.mapping_path} not found")
    return ChannelConfig(
        name=data["name"],
        title=data["title"],
        path=path,
        system=data.get("system", path.parent.name),
        department_code=data.get("department_code"),
        personal_data=bool(data.get("personal_data", False)),
        adapter=dict(data["adapter"]),
        messages=messages,
        subscribe=tuple(data.get("subscribe", [])),
        raw=data,
        simulator=data.get("simulator"),
    )


class ChannelRegistry:
    """Every channel file under a mappings folder, by channel name."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._channels: dict[str, ChannelConfig] | None = None

    def _load(self) -> dict[str, ChannelConfig]:
        if self._channels is None:
            channels: dict[str, ChannelConfig] = {}
            for path in sorted(self.root.glob("*/channel.yaml")):
                channel = load_channel(path)
                if channel.name in channels:
                    raise ConfigurationError(
                        f"{path}: channel name {channel.name!r} already used by {channels[channel.name].path}"
                    )
                channels[channel.name] = channel
            self._channels = channels
        return self._channels

    def get(self, name: str) -> ChannelConfig:
        channels = self._load()
        if name not in channels:
            raise UnknownNameError("channel", name, list(channels))
        return channels[name]

    def all(self) -> list[ChannelConfig]:
        return list(self._load().values())

    def subscribers(self, event_type: str) -> list[str]:
        """Channels that send ``event_type`` out through the outbox."""
        return [
            channel.name for channel in self._load().values() if event_type in channel.subscribe
        ]


def default_registry() -> ChannelRegistry:
    from hub.settings import get_settings

    return ChannelRegistry(get_settings().mappings_dir)
