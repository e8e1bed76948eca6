"""Which ways a channel moves data, decided from its channel file alone.

Airflow's DAG files give a channel an ``exchange`` task when it fetches and a ``dispatch``
task when it sends, at parse time, where importing an adapter (zeep, paramiko, pika) would
slow every parse down. The built-in adapters' capabilities are therefore read from
``adapters.builtin``; only an adapter of another package is imported to ask for its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.builtin import BUILTIN_CAPABILITIES


def adapter_capabilities(adapter_type: str) -> frozenset[str]:
    """What the adapter registered as ``adapter_type`` can do."""
    if adapter_type in BUILTIN_CAPABILITIES:
        return BUILTIN_CAPABILITIES[adapter_type]
    from adapters.registry import adapter_class

    return adapter_class(adapter_type).capabilities


def fetches(adapter: Mapping[str, Any]) -> bool:
    """Whether a scheduled run of a channel with this ``adapter`` section fetches anything
    (push-only channels do not: their adapter cannot fetch, or a REST channel names no
    collection to pull)."""
    adapter_type = str(adapter.get("type"))
    if "fetch" not in adapter_capabilities(adapter_type):
        return False
    return adapter_type != "rest" or bool(adapter.get("path") or adapter.get("collections"))


def sends(channel_file: Mapping[str, Any]) -> bool:
    """Whether the outbox sends to the channel: it subscribes to events, or its adapter has
    a ``push`` section (replies other modules queue for it)."""
    return bool(channel_file.get("subscribe")) or "push" in channel_file.get("adapter", {})
