"""YAML loading that remembers where every value stands, so errors can name file and line."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from hub.errors import ConfigurationError


class LocatedYaml:
    """A YAML document's data plus the line of every mapping key and sequence item."""

    def __init__(self, path: Path, data: Any, lines: dict[tuple[str | int, ...], int]) -> None:
        self.path = path
        self.data = data
        self._lines = lines

    def line_of(self, location: Sequence[str | int]) -> int:
        """The 1-based line of the deepest known prefix of ``location``."""
        key = tuple(location)
        while key:
            if key in self._lines:
                return self._lines[key]
            key = key[:-1]
        return 1

    def where(self, location: Sequence[str | int]) -> str:
        dotted = ".".join(str(part) for part in location) or "(document)"
        return f"{self.path}:{self.line_of(location)}: {dotted}"


def _walk(
    node: yaml.Node, prefix: tuple[str | int, ...], lines: dict[tuple[str | int, ...], int]
) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = (*prefix, str(key_node.value))
            lines[key] = key_node.start_mark.line + 1
            _walk(value_node, key, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            key = (*prefix, index)
            lines[key] = item.start_mark.line + 1
            _walk(item, key, lines)


def load_located_yaml(path: Path) -> LocatedYaml:
    """Parse ``path`` safely; a syntax error becomes a ConfigurationError naming the line."""
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigurationError(f"{path}{line}: not valid YAML: {exc}") from exc
    lines: dict[tuple[str | int, ...], int] = {}
    if node is not None:
        _walk(node, (), lines)
    return LocatedYaml(path, data, lines)
