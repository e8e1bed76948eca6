"""The knowledge, government-services and credit-publicity simulators through the hub's REST
adapter on real sockets: feeds pulled by ``run_channel`` into every engine, pushes answered
with receipts once per idempotency key."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import requests
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from adapters.base import OutboundMessage
from adapters.rest.errors import AuthenticationRefused
from hub.errors import RetryLater
from hub.exchange.channels import ChannelConfig, load_channel
from hub.exchange.envelopes import Arrival
from hub.exchange.pipeline import ingest
from hub.exchange.report import RunReport
from hub.exchange.runner import build_adapter, run_channel
from hub.store.models.actions import Licensing
from hub.store.models.exchange import QuarantineEntry
from hub.store.models.knowledge import Law, LawArticle
from hub.store.models.third_party import KeyEnterprise, ThirdPartyRecord
from simulators.credit_publicity import CreditPublicitySimulator
from simulators.government_services import GovernmentServicesSimulator
from simulators.json_service import JsonService
from simulators.knowledge_feeds import KnowledgeFeedsSimulator
from simulators.registry import SimulatorOptions, known_simulators, start_simulator

KEY = "t3st-key-of-the-feeds-9d2e"
ENTITY_USCC = "91350100M000100Y43"  # valid (DOMAIN.md)
WRONG_CHECK_USCC = "91350100M000100Y44"
Simulator = TypeVar("Simulator", bound=JsonService)


@dataclass(frozen=True)
class FeedCase:
    """One inbound channel: its simulator, and the (feed attribute, stored model) of each of
    its collections in the order a scheduled run pulls them."""

    channel: str
    simulator: Callable[..., JsonService]
    feeds: tuple[tuple[str, type[Any]], ...]

    def served(self, simulator: JsonService) -> int:
        """How many records the simulator serves on this channel's collections."""
        return sum(len(getattr(simulator, feed).records) for feed, _ in self.feeds)


FEEDS = [
    FeedCase("knowledge_feed", KnowledgeFeedsSimulator, (("laws", Law), ("articles", LawArticle))),
    FeedCase(
        "third_party_platforms",
        KnowledgeFeedsSimulator,
        (("key_enterprises", KeyEnterprise), ("merchants", ThirdPartyRecord)),
    ),
    FeedCase("government_services", GovernmentServicesSimulator, (("events", Licensing),)),
]


class Launcher:
    """Starts simulators with the tests' key and a fixed seed; stops them all afterwards."""

    def __init__(self) -> None:
        self.started: list[JsonService] = []

    def __call__(self, kind: Callable[..., Simulator], **faults: Any) -> Simulator:
        simulator = kind(SimulatorOptions(seed=11, faults=faults), api_key=KEY)
        self.started.append(simulator)
        return simulator


@pytest.fixture
def launch() -> Iterator[Launcher]:
    launcher = Launcher()
    yield launcher
    for simulator in launcher.started:
        simulator.stop()


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every wait the adapter asks for, recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr("adapters.rest.client.time.sleep", recorded.append)
    return recorded


def channel_at(
    repo_root: Path, monkeypatch: pytest.MonkeyPatch, simulator: JsonService, name: str
) -> ChannelConfig:
    """The channel file as shipped, its ``${ENV}`` settings pointing at ``simulator``."""
    for variable, value in simulator.environment.items():
        monkeypatch.setenv(variable, value)
    return load_channel(repo_root / "mappings" / name / "channel.yaml")


def count(engine: Engine, model: type[Any]) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def message(kind: str, body: dict[str, Any], key: str) -> OutboundMessage:
    return OutboundMessage(kind, json.dumps(body, ensure_ascii=False).encode(), key)


def inspection_result(number: int) -> OutboundMessage:
    body = {
        "result_number": f"JG-3401-2026-{number:04d}",
        "plan_id": "SSJ-3401-2026-01",
        "entity_name": "福州示例食品有限公司",
        "entity_uscc": ENTITY_USCC,
        "inspection_number": f"SCJG-3401-JC-{number:06d}",
        "inspected_on": "2026-06-02",
        "result_code": "1",
        "result_description": "未发现问题",
        "published_at": "2026-06-20T09:00:00+08:00",
    }
    return message("inspection_result", body, f"ir-{number}")


def reason_fields(raw: bytes) -> list[str]:
    return [reason.split(":")[0] for reason in json.loads(raw)["reasons"]]


ids = [case.channel for case in FEEDS]
SEVERAL = [case for case in FEEDS if len(case.feeds) > 1]


@pytest.mark.parametrize("case", FEEDS, ids=ids)
def test_one_run_stores_every_collection_balanced_and_a_second_run_stores_nothing(
    engine: Engine,
    repo_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    launch: Launcher,
    case: FeedCase,
) -> None:
    simulator = launch(case.simulator)
    served = case.served(simulator)
    channel = channel_at(repo_root, monkeypatch, simulator, case.channel)

    first = run_channel(engine, channel)

    assert first.balanced
    assert (first.received, first.stored, first.quarantined) == (served, served, 0)
    for feed, model in case.feeds:
        assert count(engine, model) == len(getattr(simulator, feed).records), feed
    second = run_channel(engine, channel)
    assert (second.received, second.stored) == (0, 0)


@pytest.mark.parametrize("case", SEVERAL, ids=[case.channel for case in SEVERAL])
def test_a_run_failing_in_the_second_collection_resumes_it_and_takes_nothing_twice(
    sqlite_engine: Engine,
    repo_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    launch: Launcher,
    waits: list[float],
    case: FeedCase,
) -> None:
    simulator = launch(case.simulator)
    (first_feed, first_model), (second_feed, second_model) = case.feeds
    first_served = len(getattr(simulator, first_feed).records)
    channel = channel_at(repo_root, monkeypatch, simulator, case.channel)

    def remote_down_once_the_first_collection_is_stored(report: RunReport) -> None:
        if report.stored == first_served:
            simulator.set_faults({"error_rate": 1.0})

    with pytest.raises(RetryLater, match="HTTP 503"):
        run_channel(
            sqlite_engine, channel, progress=remote_down_once_the_first_collection_is_stored
        )
    assert count(sqlite_engine, first_model) == first_served
    assert count(sqlite_engine, second_model) == 0
    assert len(waits) == 5  # the channel's six attempts at the second collection's first page

    simulator.set_faults({})
    resumed = run_channel(sqlite_engine, channel)

    second_served = len(getattr(simulator, second_feed).records)
    assert (resumed.received, resumed.stored) == (second_served, second_served)
    assert count(sqlite_engine, second_model) == second_served


@pytest.mark.parametrize("case", FEEDS, ids=ids)
def test_a_record_missing_a_required_field_is_quarantined_and_the_rest_stored(
    sqlite_engine: Engine,
    repo_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    launch: Launcher,
    case: FeedCase,
) -> None:
    simulator = launch(case.simulator, malformed_rate=1.0)  # one record of every page
    served = case.served(simulator)

    report = run_channel(sqlite_engine, channel_at(repo_root, monkeypatch, simulator, case.channel))

    malformed = simulator.plan.served["malformed_rate"]
    assert malformed > 0
    assert report.balanced
    assert (report.received, report.stored, report.quarantined) == (
        served,
        served - malformed,
        malformed,
    )
    assert count(sqlite_engine, QuarantineEntry) == malformed
    assert all(reason.startswith("validate_source") for reason in report.reasons), report.reasons


def test_a_record_served_twice_is_counted_as_a_duplicate(
    sqlite_engine: Engine, repo_root: Path, monkeypatch: pytest.MonkeyPatch, launch: Launcher
) -> None:
    simulator = launch(GovernmentServicesSimulator, duplicate_rate=1.0)
    channel = channel_at(repo_root, monkeypatch, simulator, "government_services")

    report = run_channel(sqlite_engine, channel)

    doubled = simulator.plan.served["duplicate_rate"]
    assert doubled > 0
    assert report.balanced
    assert (report.received, report.stored, report.duplicates) == (80 + doubled, 80, doubled)


def test_a_revised_law_comes_in_again_alone_and_updates_the_stored_one(
    sqlite_engine: Engine, repo_root: Path, monkeypatch: pytest.MonkeyPatch, launch: Launcher
) -> None:
    simulator = launch(KnowledgeFeedsSimulator)
    channel = channel_at(repo_root, monkeypatch, simulator, "knowledge_feed")
    run_channel(sqlite_engine, channel)
    code = str(simulator.laws.records[0]["法规编号"])

    simulator.laws.revise(code, {"时效性": "已修改"})
    report = run_channel(sqlite_engine, channel)

    assert (report.received, report.stored) == (1, 1)
    with Session(sqlite_engine) as session:
        assert session.scalar(select(Law.status).where(Law.law_code == code)) == "amended"


def test_a_wrong_api_key_is_refused_as_configuration(
    sqlite_engine: Engine, repo_root: Path, monkeypatch: pytest.MonkeyPatch, launch: Launcher
) -> None:
    simulator = launch(GovernmentServicesSimulator)
    channel = channel_at(repo_root, monkeypatch, simulator, "government_services")
    monkeypatch.setenv("HUB_GOVERNMENT_SERVICES_KEY", "not-the-key")

    with pytest.raises(AuthenticationRefused, match="HTTP 401"):
        run_channel(sqlite_engine, channel)


def test_supervision_results_get_one_receipt_per_key_and_invalid_ones_their_reasons(
    repo_root: Path, monkeypatch: pytest.MonkeyPatch, launch: Launcher
) -> None:
    simulator = launch(GovernmentServicesSimulator)
    case = next(iter(simulator.cases.values()))
    result = {
        "case_number": case["办件编号"],
        "entity_uscc": case["申请人统一社会信用代码"],
        "department_code": case["受理部门代码"],
        "supervised_at": "2026-06-25T10:00:00+08:00",
        "result": "未发现问题",
        "note": "核查经营场所与许可事项一致",
    }
    sent = message("supervision_result", result, "result-1")
    invalid = {"case_number": "ZWFW0", "entity_uscc": WRONG_CHECK_USCC, "result": ""}

    with build_adapter(
        channel_at(repo_root, monkeypatch, simulator, "government_services")
    ) as adapter:
        first = adapter.push(sent)
        again = adapter.push(sent)
        reused = adapter.push(
            message("supervision_result", {**result, "result": "责令整改"}, "result-1")
        )
        refused = adapter.push(message("supervision_result", invalid, "result-2"))

    assert first.accepted and first.remote_id == "JGJG00000001"
    assert (again.accepted, again.remote_id) == (True, first.remote_id)
    assert len(simulator.results.accepted) == 1
    assert not reused.accepted and "HTTP 409" in reused.detail
    assert not refused.accepted and "HTTP 422" in refused.detail
    assert reason_fields(refused.raw) == [
        "department_code",
        "supervised_at",
        "result",
        "entity_uscc",
        "case_number",
    ]


def test_published_messages_get_receipts_and_are_listed_for_reconciliation(
    engine: Engine, repo_root: Path, monkeypatch: pytest.MonkeyPatch, launch: Launcher
) -> None:
    simulator = launch(CreditPublicitySimulator)
    channel = channel_at(repo_root, monkeypatch, simulator, "credit_publicity")
    record = {
        "record_kind": "abnormal_list",
        "entity_uscc": ENTITY_USCC,
        "entity_name": "福州示例食品有限公司",
        "document_number": "榕市监异〔2026〕15号",
        "reason": "未按规定期限公示年度报告",
        "decided_by": "福州市市场监督管理局",
        "listed_on": "2026-07-02",
    }
    invalid = {**record, "record_kind": "blacklist", "entity_uscc": WRONG_CHECK_USCC}
    invalid.update(listed_on="2026年7月2日", decided_by="")

    with build_adapter(channel) as adapter:  # push.paths: each message type to its path
        first = adapter.push(inspection_result(1))
        again = adapter.push(inspection_result(1))
        listed = adapter.push(message("credit_record", record, "cr-1"))
        refused = adapter.push(message("credit_record", invalid, "cr-2"))

    assert first.accepted and (again.accepted, again.remote_id) == (True, first.remote_id)
    assert listed.accepted and listed.remote_id not in (None, first.remote_id)
    assert not refused.accepted and "HTTP 422" in refused.detail
    assert reason_fields(refused.raw) == ["decided_by", "entity_uscc", "listed_on", "record_kind"]

    def received(**params: str) -> requests.Response:
        url = f"{simulator.url}/api/received"
        return requests.get(url, params=params, headers={"X-API-Key": KEY}, timeout=5)

    listing = received()
    rows = listing.json()["data"]["rows"]
    assert {(row["idempotency_key"], row["receipt_id"]) for row in rows} == {
        ("ir-1", first.remote_id),
        ("cr-1", listed.remote_id),
    }
    assert received(kind="credit_record").json()["data"]["total"] == 1
    assert received(date=rows[0]["accepted_at"][:10]).json()["data"]["total"] == 2
    assert received(kind="penalty").status_code == 400

    arrival = Arrival(channel.name, "received", listing.content, file_name="received.json")
    report = ingest(engine, channel, [arrival])
    assert (report.received, report.stored) == (2, 2)
    assert count(engine, ThirdPartyRecord) == 2


def test_duplicate_receipts_mode_gives_different_messages_one_receipt_id(
    repo_root: Path, monkeypatch: pytest.MonkeyPatch, launch: Launcher
) -> None:
    simulator = launch(CreditPublicitySimulator, duplicate_receipts=True)

    with build_adapter(
        channel_at(repo_root, monkeypatch, simulator, "credit_publicity")
    ) as adapter:
        receipts = [adapter.push(inspection_result(number)) for number in (1, 2, 3)]

    assert all(receipt.accepted for receipt in receipts)
    assert {receipt.remote_id for receipt in receipts} == {"GS00000001"}
    assert len(simulator.publications.accepted) == 3
    assert simulator.plan.served["duplicate_receipts"] == 2


@pytest.mark.parametrize("missing_retry_after", [False, True])
def test_a_busy_receiver_is_retried_after_its_retry_after_or_with_backoff(
    repo_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    launch: Launcher,
    waits: list[float],
    missing_retry_after: bool,
) -> None:
    simulator = launch(
        CreditPublicitySimulator,
        error_rate=0.5,
        retry_after=2,
        missing_retry_after=missing_retry_after,
    )

    with build_adapter(
        channel_at(repo_root, monkeypatch, simulator, "credit_publicity")
    ) as adapter:
        receipts = [adapter.push(inspection_result(number)) for number in range(1, 7)]

    assert all(receipt.accepted for receipt in receipts)
    assert len(simulator.publications.accepted) == 6
    busy = simulator.plan.served["error_rate"]
    assert len(waits) == busy > 0
    if missing_retry_after:  # the channel's backoff: 0.5 s doubling, jittered
        assert all(0.25 <= wait <= 16 for wait in waits) and 2.0 not in waits
    else:
        assert waits == [2.0] * busy


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("knowledge_feeds", "/api/laws"),
        ("government_services", "/api/licensing-events"),
        ("credit_publicity", "/api/received"),
    ],
)
def test_each_simulator_is_registered_and_tells_its_channel_where_it_is(
    monkeypatch: pytest.MonkeyPatch, name: str, path: str
) -> None:
    assert name in known_simulators()
    monkeypatch.setenv(f"HUB_{name.upper()}_KEY", KEY)
    simulator = start_simulator(name)
    try:
        assert isinstance(simulator, JsonService)
        url, key = (simulator.environment[f"HUB_{name.upper()}_{part}"] for part in ("URL", "KEY"))
        assert (url, key) == (simulator.url, KEY)
        assert requests.get(url + path, timeout=5).status_code == 401
        assert requests.get(url + path, headers={"X-API-Key": key}, timeout=5).status_code == 200
    finally:
        simulator.stop()
