"""The REST adapter's ``collections`` and ``push.paths`` against simulators on real sockets.

The knowledge feeds serve laws and articles at two paths of one channel: one fetch pulls both,
the channel cursor keeps each collection's watermark in one JSON object, and a plain
watermark (what the single-collection form writes) still counts as the first collection's.
The credit publicity receiver takes two message types at two paths of one channel.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from adapters.base import OutboundMessage
from adapters.rest.paging import Incremental, Watermark
from hub.errors import ConfigurationError
from hub.exchange.channels import ChannelConfig, load_channel
from hub.exchange.cursors import read_cursor, write_cursor
from hub.exchange.runner import build_adapter, run_channel
from simulators.credit_publicity import CreditPublicitySimulator
from simulators.json_service import JsonService
from simulators.knowledge_feeds import KnowledgeFeedsSimulator
from simulators.registry import SimulatorOptions, start_simulator

ENTITY_USCC = "91350100M000100Y43"  # valid (DOMAIN.md)


def started(monkeypatch: pytest.MonkeyPatch, name: str) -> JsonService:
    """The simulator ``name`` on a free port, the channel's ``${ENV}`` settings aimed at it."""
    simulator = start_simulator(name, SimulatorOptions(seed=11))
    assert isinstance(simulator, JsonService)
    for variable, value in simulator.environment.items():
        monkeypatch.setenv(variable, value)
    return simulator


@pytest.fixture
def feeds(monkeypatch: pytest.MonkeyPatch) -> Iterator[KnowledgeFeedsSimulator]:
    simulator = started(monkeypatch, "knowledge_feeds")
    assert isinstance(simulator, KnowledgeFeedsSimulator)
    yield simulator
    simulator.stop()


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[CreditPublicitySimulator]:
    simulator = started(monkeypatch, "credit_publicity")
    assert isinstance(simulator, CreditPublicitySimulator)
    yield simulator
    simulator.stop()


def shipped(repo_root: Path, name: str, **settings: Any) -> ChannelConfig:
    """The channel file as shipped, with ``settings`` replacing adapter settings."""
    channel = load_channel(repo_root / "mappings" / name / "channel.yaml")
    return dataclasses.replace(channel, adapter={**channel.adapter, **settings})


def watermarks(records: list[dict[str, Any]], id_field: str) -> list[Watermark]:
    """The records' places in the (更新时间, id) order, ascending."""
    incremental = Incremental.from_settings(
        {"updated_field": "更新时间", "id_field": id_field, "timezone": "+08:00"}
    )
    return sorted(filter(None, map(incremental.position, records)))


def test_one_fetch_pulls_every_collection_in_order_each_page_carrying_every_watermark(
    repo_root: Path, feeds: KnowledgeFeedsSimulator
) -> None:
    laws = str(watermarks(feeds.laws.records, "法规编号")[-1])
    articles = str(watermarks(feeds.articles.records, "条文编号")[-1])

    with build_adapter(shipped(repo_root, "knowledge_feed")) as adapter:
        batches = list(adapter.fetch(None))
        again = list(adapter.fetch(batches[-1].cursor))

    messages = [arrival.message_type for batch in batches for arrival in batch.arrivals]
    pages = math.ceil(len(feeds.articles.records) / 50)  # the channel's page_size
    assert messages == ["laws"] + ["law_articles"] * pages
    cursors = [json.loads(str(batch.cursor)) for batch in batches]
    assert cursors[0] == {"laws": laws}  # the laws' only page
    assert cursors[1]["laws"] == laws  # the articles' pages keep the laws' place
    assert cursors[-1] == {"laws": laws, "law_articles": articles}
    assert [arrival for batch in again for arrival in batch.arrivals] == []


def test_a_run_resumes_each_collection_from_the_json_cursor_it_committed(
    engine: Engine, repo_root: Path, feeds: KnowledgeFeedsSimulator
) -> None:
    channel = shipped(repo_root, "knowledge_feed")
    laws = watermarks(feeds.laws.records, "法规编号")
    articles = watermarks(feeds.articles.records, "条文编号")
    stopped = {"laws": str(laws[-1]), "law_articles": str(articles[99])}
    write_cursor(engine, channel.name, json.dumps(stopped, ensure_ascii=False))

    report = run_channel(engine, channel)

    fresh = len(articles) - 100
    assert (report.received, report.stored) == (fresh, fresh)
    committed = json.loads(str(read_cursor(engine, channel.name)))
    assert committed == {"laws": str(laws[-1]), "law_articles": str(articles[-1])}
    assert run_channel(engine, channel).received == 0


def test_a_plain_watermark_of_the_single_collection_form_is_the_first_collection_s(
    sqlite_engine: Engine, repo_root: Path, feeds: KnowledgeFeedsSimulator
) -> None:
    channel = shipped(repo_root, "knowledge_feed")
    laws = watermarks(feeds.laws.records, "法规编号")
    articles = len(feeds.articles.records)
    write_cursor(sqlite_engine, channel.name, str(laws[9]))  # ten laws stored before the move

    report = run_channel(sqlite_engine, channel)

    fresh = len(laws) - 10 + articles
    assert (report.received, report.stored) == (fresh, fresh)
    committed = json.loads(str(read_cursor(sqlite_engine, channel.name)))
    assert committed["laws"] == str(laws[-1]) and set(committed) == {"laws", "law_articles"}


@pytest.mark.parametrize(
    ("collections", "refusal"),
    [
        (
            [{"message": "laws", "path": "/api/laws"}, {"message": "statutes", "path": "/api/x"}],
            "unknown message of channel 'knowledge_feed' 'statutes'",
        ),
        (
            [{"message": "laws", "path": "/api/laws"}, {"message": "laws", "path": "/api/x"}],
            "pulls message 'laws' twice",
        ),
        ([], "adapter.collections: \\[\\] should be non-empty"),
    ],
    ids=["unknown", "twice", "empty"],
)
def test_collections_are_refused_when_the_adapter_is_built(
    repo_root: Path, feeds: KnowledgeFeedsSimulator, collections: list[Any], refusal: str
) -> None:
    channel = shipped(repo_root, "knowledge_feed", collections=collections)

    with pytest.raises(ConfigurationError, match=refusal):
        build_adapter(channel)
    assert feeds.plan.served["requests"] == 0


def test_collections_leave_no_room_for_a_top_level_path_or_message(
    repo_root: Path, feeds: KnowledgeFeedsSimulator
) -> None:
    channel = shipped(repo_root, "knowledge_feed", path="/api/laws", message="laws")

    with pytest.raises(ConfigurationError) as caught:
        build_adapter(channel)
    assert "adapter.message: 'laws' should not be valid" in str(caught.value)
    assert "adapter.path: '/api/laws' should not be valid" in str(caught.value)


def test_a_cursor_that_is_no_object_of_watermarks_is_a_configuration_error(
    sqlite_engine: Engine, repo_root: Path, feeds: KnowledgeFeedsSimulator
) -> None:
    channel = shipped(repo_root, "knowledge_feed")
    write_cursor(sqlite_engine, channel.name, '{"laws": 20260628}')

    with pytest.raises(ConfigurationError, match="not a JSON object of watermarks"):
        run_channel(sqlite_engine, channel)
    assert feeds.plan.served["requests"] == 0


def credit_record(key: str) -> OutboundMessage:
    record = {
        "record_kind": "abnormal_list",
        "entity_uscc": ENTITY_USCC,
        "entity_name": "福州示例食品有限公司",
        "document_number": "榕市监异〔2026〕15号",
        "decided_by": "福州市市场监督管理局",
        "listed_on": "2026-07-02",
    }
    return OutboundMessage("credit_record", json.dumps(record, ensure_ascii=False).encode(), key)


def inspection_result(key: str) -> OutboundMessage:
    result = {
        "result_number": "JG-3401-2026-0001",
        "plan_id": "SSJ-3401-2026-01",
        "entity_name": "福州示例食品有限公司",
        "entity_uscc": ENTITY_USCC,
        "inspection_number": "SCJG-3401-JC-000001",
        "inspected_on": "2026-06-02",
        "result_code": "1",
        "published_at": "2026-06-20T09:00:00+08:00",
    }
    return OutboundMessage(
        "inspection_result", json.dumps(result, ensure_ascii=False).encode(), key
    )


def kinds(simulator: CreditPublicitySimulator) -> list[tuple[str, str]]:
    return [(accepted.kind, accepted.idempotency_key) for accepted in simulator.publications.find()]


def test_each_message_type_is_pushed_to_its_own_path(
    repo_root: Path, receiver: CreditPublicitySimulator
) -> None:
    with build_adapter(shipped(repo_root, "credit_publicity")) as adapter:
        receipts = [adapter.push(inspection_result("ir-1")), adapter.push(credit_record("cr-1"))]

    assert all(receipt.accepted for receipt in receipts)
    assert kinds(receiver) == [("inspection_result", "ir-1"), ("credit_record", "cr-1")]


def test_a_message_type_without_a_path_is_refused_naming_it_and_nothing_is_sent(
    repo_root: Path, receiver: CreditPublicitySimulator
) -> None:
    penalty = dataclasses.replace(credit_record("pn-1"), message_type="penalty")

    with (
        build_adapter(shipped(repo_root, "credit_publicity")) as adapter,
        pytest.raises(ConfigurationError, match="no push path for message type 'penalty'"),
    ):
        adapter.push(penalty)
    assert receiver.plan.served["requests"] == 0


def test_a_message_type_not_in_push_paths_falls_back_to_push_path(
    repo_root: Path, receiver: CreditPublicitySimulator
) -> None:
    push = {
        "paths": {"credit_record": "/api/credit-records"},
        "path": "/api/inspection-results",
    }
    channel = shipped(repo_root, "credit_publicity", push=push)

    with build_adapter(channel) as adapter:
        receipts = [adapter.push(credit_record("cr-1")), adapter.push(inspection_result("ir-1"))]

    assert all(receipt.accepted for receipt in receipts)
    assert kinds(receiver) == [("credit_record", "cr-1"), ("inspection_result", "ir-1")]
