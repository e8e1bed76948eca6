"""A fetching adapter's cursor moves only after its batch is committed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from adapters.base import Adapter, FetchedBatch
from adapters.registry import register_adapter
from hub.exchange.channels import load_channel
from hub.exchange.cursors import read_cursor
from hub.exchange.envelopes import Arrival
from hub.exchange.runner import run_channel
from tests.integration.pipeline.helpers import csv_bytes, entity_row

PAGES = [csv_bytes([entity_row(1), entity_row(2)]), csv_bytes([entity_row(3)])]


@register_adapter
class PagedAdapter(Adapter):
    """Pages of an imaginary feed, the page number as cursor; ``fail_on_page`` drops the line."""

    name = "test_paged"
    capabilities = frozenset({"fetch"})
    fail_on_page: int | None = None

    def fetch(self, cursor: str | None) -> Iterator[FetchedBatch]:
        for page in range(int(cursor or 0) + 1, 3):
            if page == self.fail_on_page:
                raise RuntimeError(f"connection dropped on page {page}")
            arrival = Arrival(
                self.channel.name, "entities", PAGES[page - 1], remote_id=f"page-{page}"
            )
            yield FetchedBatch([arrival], cursor=str(page))


def test_cursor_commits_after_each_stored_page_and_resumes(
    engine: Engine, tmp_path: Path, repo_root: Path
) -> None:
    text = (repo_root / "mappings/market_registry/channel.yaml").read_text(encoding="utf-8")
    folder = tmp_path / "paged"
    folder.mkdir()
    (folder / "entities.yaml").write_text(
        (repo_root / "mappings/market_registry/entities.yaml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    (folder / "channel.yaml").write_text(
        text.replace("adapter: {type: file}", "adapter: {type: test_paged}"), encoding="utf-8"
    )
    channel = load_channel(folder / "channel.yaml")

    PagedAdapter.fail_on_page = 2
    try:
        with pytest.raises(RuntimeError, match="page 2"):
            run_channel(engine, channel)
    finally:
        PagedAdapter.fail_on_page = None
    assert read_cursor(engine, channel.name) == "1"  # page 1 stored, page 2 never arrived

    resumed = run_channel(engine, channel)
    assert (resumed.received, resumed.stored) == (1, 1)  # only page 2 again
    assert read_cursor(engine, channel.name) == "2"
    assert run_channel(engine, channel).received == 0
