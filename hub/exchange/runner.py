"""``hub exchange run CHANNEL``: one scheduled run of a channel through its adapter.

The adapter fetches batches after the channel's cursor; each batch's records go through the
pipeline, and only once they are committed is the cursor moved and the delivery acknowledged
(AMQP ack, SFTP or inbox move). A crash in between replays the batch, which the idempotent
store absorbs. A batch's small one-line messages are stored as one envelope (``coalesce``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import jsonschema
from sqlalchemy import Engine

from adapters.base import Adapter, FetchedBatch
from adapters.registry import adapter_class
from adapters.secrets import resolve
from hub.errors import ConfigurationError
from hub.exchange.channels import ChannelConfig
from hub.exchange.coalesce import coalesce
from hub.exchange.cursors import read_cursor, write_cursor
from hub.exchange.directions import fetches
from hub.exchange.envelopes import Arrival
from hub.exchange.pipeline import ProgressCallback, ingest
from hub.exchange.report import RunReport
from hub.exchange.schemas import load_schema


def build_adapter(channel: ChannelConfig) -> Adapter:
    """The channel's adapter, its settings validated (every error at once) and secrets resolved."""
    adapter = adapter_class(str(channel.adapter.get("type")))
    if adapter.config_schema is not None:
        validator = jsonschema.Draft202012Validator(load_schema(adapter.config_schema))
        errors = sorted(
            validator.iter_errors(channel.adapter), key=lambda e: list(map(str, e.path))
        )
        if errors:
            lines = [
                f"adapter.{'.'.join(map(str, error.absolute_path)) or '(section)'}: {error.message}"
                for error in errors
            ]
            raise ConfigurationError(f"{channel.path}: " + "\n  ".join(lines))
    settings: dict[str, Any] = resolve(channel.adapter, where=f"{channel.path}: adapter")
    return adapter(channel, settings)


def channel_fetches(channel: ChannelConfig) -> bool:
    """Whether a scheduled run of the channel fetches anything (``directions.fetches``, the
    rule Airflow's DAG files apply at parse time)."""
    return fetches(channel.adapter)


def run_channel(
    engine: Engine,
    channel: ChannelConfig,
    *,
    subscribers: Callable[[str], list[str]] = lambda _event: [],
    progress: ProgressCallback | None = None,
    adapter: Adapter | None = None,
) -> RunReport:
    """Fetch what is new on ``channel`` and run it through the pipeline in one run.

    ``adapter`` is one built by the caller (the conformance suite reads its observations);
    it is closed at the end of the run like the one built here otherwise.
    """
    pending: dict[int, FetchedBatch] = {}

    def settle(batch: FetchedBatch) -> None:
        if batch.cursor is not None:
            write_cursor(engine, channel.name, batch.cursor)
        if batch.acknowledge is not None:
            batch.acknowledge()

    def on_stored(arrival: Arrival) -> None:
        batch = pending.pop(id(arrival), None)
        if batch is not None:
            settle(batch)

    with adapter or build_adapter(channel) as adapter:

        def arrivals() -> Iterator[Arrival]:
            for batch in adapter.fetch(read_cursor(engine, channel.name)):
                if not batch.arrivals:
                    settle(batch)
                    continue
                merged = coalesce(channel, batch.arrivals)
                pending[id(merged[-1])] = batch
                yield from merged

        return ingest(
            engine,
            channel,
            arrivals(),
            subscribers=subscribers,
            progress=progress,
            on_stored=on_stored,
        )
