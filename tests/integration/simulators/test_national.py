"""The national 互联网+监管 simulator over real sockets: REST with requests, SOAP with zeep,
and the hub's REST adapter pulling its catalog and complaints through ``run_channel``."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
import zeep.exceptions
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from adapters.rest.auth import ApiKeyAuth, HmacSha256Auth
from adapters.soap.client import WSDL_ROOT
from adapters.soap.transport import build_client, security
from hub.exchange.channels import ChannelConfig, load_channel
from hub.exchange.runner import run_channel
from hub.store.models.catalog import CatalogItem
from hub.store.models.complaints import Complaint
from simulators.national import Credentials, NationalSimulator
from simulators.national.formats import DATA_TYPES, validator
from simulators.registry import SimulatorOptions, known_simulators, start_simulator
from standards.codes import uscc_check_character

SEED = 7
KEY = "national-k3y-of-the-tests"
CREDENTIALS = Credentials(api_key=KEY, hmac_secret="national-hm4c-of-the-tests")
HEADERS = {"X-API-Key": KEY}
COMPLAINTS = 24


def _uscc(first17: str) -> str:
    return first17 + uscc_check_character(first17)


AGENCY = _uscc("11340100MB0000012")
ENTITY = _uscc("91340103MA2N00001")
ACTION: dict[str, Any] = {
    "action_name": "对食品生产者的监督检查",
    "catalog_code": "00010100010001",
    "implementation_code": AGENCY + "3A0001",
    "agency_name": "合肥市市场监督管理局",
    "agency_uscc": AGENCY,
    "counterpart_name": "合肥市庐阳区便民超市有限公司",
    "counterpart_nature": "legal_person",
    "counterpart_id_type": "uscc",
    "counterpart_id": ENTITY,
    "region_code": "340103",
    "acted_at": "2026-05-01T09:30:00+08:00",
    "officers": [
        {"name": "王伟", "certificate_number": "34010001"},
        {"name": "李娜", "certificate_number": "34010002"},
    ],
    "reported_at": "2026-05-01T17:00:00+08:00",
    "reporter": "张敏",
}
# One conforming record of every data type, and its key.
VALID: dict[str, tuple[str, dict[str, Any]]] = {
    "inspection": (
        "JC-1",
        {**ACTION, "action_number": "JC-1", "plan_id": "P-1", "inspection_result": "01"},
    ),
    "penalty": (
        "CF-1",
        {
            **ACTION,
            "action_number": "CF-1",
            "facts": "销售过期食品",
            "legal_basis": "《中华人民共和国食品安全法》第一百二十四条",
            "procedure": "general",
            "filed_on": "2026-04-20",
            "decision_number": "合市监罚〔2026〕12号",
            "decided_on": "2026-04-30",
            "penalty_kinds": ["01", "02"],
            "fine_amount": 5000,
            "closed_on": "2026-05-01",
        },
    ),
    "licensing": (
        "XK-1",
        {
            **ACTION,
            "action_number": "XK-1",
            "licence_kind": "ordinary",
            "decision": "granted",
            "valid_from": "2026-05-01",
            "valid_until": "2031-04-30",
        },
    ),
    "coercive_measure": (
        "QZ-1",
        {
            **ACTION,
            "action_number": "QZ-1",
            "measure_kind": "扣押财物",
            "legal_basis": "《中华人民共和国行政强制法》第九条",
            "decision_number": "合市监强〔2026〕3号",
        },
    ),
    "catalog_item": (
        "34010100010000",
        {
            "code": "34010100010000",
            "name": "对农贸市场的监督检查",
            "item_type": "main",
            "parent_code": None,
            "department_code": "SCJG",
            "department_name": "安徽省市场监督管理局",
            "supervision_type": "行政检查",
            "legal_basis": "《安徽省农贸市场管理条例》第十条",
            "origin": "local",
            "region_code": "340000",
            "status": "published",
            "version": 1,
            "updated_at": "2026-05-01T10:00:00+08:00",
        },
    ),
    "inspection_plan": (
        "P-1",
        {
            "plan_id": "P-1",
            "plan_name": "2026年食品生产企业双随机抽查",
            "agency_name": "合肥市市场监督管理局",
            "agency_uscc": AGENCY,
            "catalog_codes": ["00010100010001"],
            "sampling_ratio": 0.05,
            "region_code": "340100",
            "planned_from": "2026-05-01",
            "planned_until": "2026-06-30",
            "published_at": "2026-04-25T09:00:00+08:00",
        },
    ),
    "inspection_result": (
        "R-1",
        {
            "result_number": "R-1",
            "plan_id": "P-1",
            "entity_name": "合肥市庐阳区便民超市有限公司",
            "entity_uscc": ENTITY,
            "inspection_number": "JC-1",
            "inspected_on": "2026-05-01",
            "result_code": "01",
            "published_at": "2026-05-10T09:00:00+08:00",
        },
    ),
    "complaint_handling": (
        "GJ20260401000001",
        {
            "complaint_number": "GJ20260401000001",
            "handling_department": "安徽省市场监督管理局",
            "status": "closed",
            "answer": "已责令整改",
            "handled_at": "2026-04-10T15:00:00+08:00",
            "closed_at": "2026-04-12T15:00:00+08:00",
        },
    ),
    "credit_record": (
        f"abnormal_list|{ENTITY}|皖异2026001",
        {
            "record_kind": "abnormal_list",
            "entity_uscc": ENTITY,
            "entity_name": "合肥市庐阳区便民超市有限公司",
            "document_number": "皖异2026001",
            "decided_by": "合肥市市场监督管理局",
            "listed_on": "2026-04-30",
        },
    ),
}


def inspection(number: str, **changes: Any) -> dict[str, Any]:
    return {**VALID["inspection"][1], "action_number": number, **changes}


def record(data: dict[str, Any], op: str = "i", key: str | None = None) -> dict[str, Any]:
    return {"op": op, "key": key or data["action_number"], "data": data}


def batch(
    records: list[dict[str, Any]],
    *,
    data_type: str = "inspection",
    number: str = "2026050100001",
    **changes: Any,
) -> dict[str, Any]:
    return {
        "batch_number": number,
        "data_type": data_type,
        "region_code": "340000",
        "department_code": "SCJG-34",
        "sent_at": "2026-05-01T18:00:00+08:00",
        "records": records,
        **changes,
    }


StartNational = Callable[..., NationalSimulator]


@pytest.fixture
def start() -> Iterator[StartNational]:
    """Start national simulators with the given settings and faults; stopped after the test."""
    running: list[NationalSimulator] = []

    def start(**faults: Any) -> NationalSimulator:
        faults.setdefault("complaints", COMPLAINTS)
        options = SimulatorOptions(seed=SEED, faults=faults)
        running.append(NationalSimulator(options, credentials=CREDENTIALS))
        return running[-1]

    yield start
    for simulator in running:
        simulator.stop()


@pytest.fixture
def national(start: StartNational) -> NationalSimulator:
    return start()


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every wait the REST adapter asks for, recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr("adapters.rest.client.time.sleep", recorded.append)
    return recorded


def push(
    simulator: NationalSimulator, document: Any, key: str = "push-1", **kwargs: Any
) -> requests.Response:
    headers = {**HEADERS, "Idempotency-Key": key} if key else dict(HEADERS)
    kwargs.setdefault("timeout", 5)
    return requests.post(
        f"{simulator.url}/api/v1/batches", json=document, headers=headers, **kwargs
    )


def get(simulator: NationalSimulator, path: str, **kwargs: Any) -> requests.Response:
    kwargs.setdefault("headers", HEADERS)
    return requests.get(f"{simulator.url}{path}", timeout=5, **kwargs)


def reasons_of(receipt: dict[str, Any]) -> list[list[str]]:
    return [result["reasons"] for result in receipt["results"]]


# -- batches -------------------------------------------------------------------------------


@pytest.mark.parametrize("data_type", DATA_TYPES)
def test_a_conforming_record_of_every_data_type_is_accepted(
    national: NationalSimulator, data_type: str
) -> None:
    key, data = VALID[data_type]
    answer = push(national, batch([{"op": "i", "key": key, "data": data}], data_type=data_type))

    assert answer.status_code == 200, answer.text
    receipt = answer.json()
    assert list(validator("receipt").iter_errors(receipt)) == []
    assert (receipt["status"], receipt["accepted_count"], receipt["rejected_count"]) == (
        "accepted",
        1,
        0,
    )
    assert national.store.current[(data_type, key)] == data


def test_each_record_is_judged_alone_with_every_reason(national: NationalSimulator) -> None:
    records = [
        record(inspection("JC-1")),
        record(
            inspection(
                "JC-2",
                catalog_code="1234",
                officers=[{"name": "王伟", "certificate_number": "1"}],
                reported_at="2026-05-01T08:00:00+08:00",
                colour="red",
            )
        ),
        record(inspection("JC-3", reported_at="2026-05-01T08:00:00+08:00")),
        record(inspection("JC-4"), key="JC-40"),
        record(inspection("JC-1")),
        record(inspection("JC-5"), op="u"),
        {"op": "x", "data": {}},
    ]
    answer = push(national, batch(records))

    assert answer.status_code == 200
    receipt = answer.json()
    assert receipt["status"] == "partially_accepted"
    assert (receipt["accepted_count"], receipt["rejected_count"]) == (1, 6)
    assert [result["accepted"] for result in receipt["results"]] == [True] + [False] * 6
    accepted, several, late, wrong_key, twice, unknown, broken = reasons_of(receipt)
    assert accepted == []
    assert receipt["results"][0]["receipt_id"] == receipt["receipt_id"] + "-0001"
    assert any(r.startswith("data/catalog_code: '1234' does not match") for r in several)
    assert any(r.startswith("data/officers:") and "too short" in r for r in several)
    assert any("'colour' was unexpected" in r for r in several)
    assert len(several) == 3  # the time order is checked once the schema holds
    assert late == [
        "data/reported_at: 2026-05-01T08:00:00+08:00 is not after acted_at 2026-05-01T09:30:00+08:00"
    ]
    assert wrong_key == ["key: 'JC-40' is not the record's action_number 'JC-4'"]
    assert twice == ["key: 'JC-1' already came in record 0"]
    assert unknown == ["op: no accepted inspection 'JC-5' to update"]
    assert sorted(broken) == [
        "(record): 'key' is a required property",
        "op: 'x' is not one of ['i', 'u', 'd']",
    ]
    assert receipt["results"][6]["key"] is None
    assert [entry.key for entry in national.store.log] == ["JC-1"]


def test_a_batch_without_any_good_record_is_rejected(national: NationalSimulator) -> None:
    receipt = push(national, batch([record(inspection("JC-1", region_code="34"))])).json()
    assert (receipt["status"], receipt["accepted_count"]) == ("rejected", 0)
    assert national.store.log == []


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (
            batch([record(inspection("JC-1"))], data_type="weather"),
            "data_type: 'weather' is not one of",
        ),
        (batch([]), "records: [] should be non-empty"),
        (
            batch([record(inspection("JC-1"))], number="2026023100001"),
            "batch_number: 20260231 is not a date",
        ),
        (
            batch([record(inspection("JC-1"))], region_code="350000"),
            "region_code: 350000 is not in province 340000",
        ),
        (
            batch([record(inspection("JC-1"))], sent_at="yesterday"),
            "sent_at: 'yesterday' is not a 'date-time'",
        ),
        ([1, 2], "(batch): [1, 2] is not of type 'object'"),
    ],
)
def test_an_invalid_envelope_is_refused_whole_with_422(
    national: NationalSimulator, document: Any, problem: str
) -> None:
    answer = push(national, document)

    assert answer.status_code == 422
    assert any(error.startswith(problem) for error in answer.json()["errors"]), answer.json()
    assert national.store.batches_applied == 0
    assert national.store.log == []


def test_a_push_needs_an_idempotency_key_and_json(national: NationalSimulator) -> None:
    assert push(national, batch([record(inspection("JC-1"))]), key="").status_code == 400
    not_json = requests.post(
        f"{national.url}/api/v1/batches",
        data=b"<batch/>",
        headers={**HEADERS, "Idempotency-Key": "k"},
        timeout=5,
    )
    assert (not_json.status_code, not_json.json()["message"]) == (400, "the batch is not JSON")
    assert national.store.batches_applied == 0


def test_the_same_idempotency_key_gets_the_same_receipt_and_changes_nothing(
    national: NationalSimulator,
) -> None:
    document = batch([record(inspection("JC-1")), record(inspection("JC-2"))])
    first = push(national, document, key="day-1")
    again = push(national, document, key="day-1")

    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert national.store.batches_applied == 1
    assert [entry.key for entry in national.store.log] == ["JC-1", "JC-2"]

    other = push(national, batch([record(inspection("JC-3"))]), key="day-1")
    assert other.status_code == 409
    assert len(national.store.log) == 2


def test_updates_and_deletes_need_an_accepted_record(national: NationalSimulator) -> None:
    push(national, batch([record(inspection("JC-1"))]), key="k1")
    changed = inspection("JC-1", inspection_result="02")
    second = push(
        national,
        batch([record(changed, op="u"), {"op": "d", "key": "JC-9"}], number="2026050200001"),
        key="k2",
    ).json()
    third = push(
        national,
        batch([{"op": "d", "key": "JC-1"}], number="2026050200002"),
        key="k3",
    ).json()
    fourth = push(
        national, batch([record(changed, op="u")], number="2026050200003"), key="k4"
    ).json()

    assert reasons_of(second) == [[], ["op: no accepted inspection 'JC-9' to delete"]]
    assert third["status"] == "accepted"
    assert reasons_of(fourth) == [["op: no accepted inspection 'JC-1' to update"]]
    assert national.store.current[("inspection", "JC-1")] is None
    assert [(entry.op, entry.batch_number) for entry in national.store.log] == [
        ("i", "2026050100001"),
        ("u", "2026050200001"),
        ("d", "2026050200002"),
    ]


# -- reconciliation ------------------------------------------------------------------------


def test_the_accepted_query_answers_count_checksum_and_keys_by_batch_date(
    national: NationalSimulator,
) -> None:
    numbers = [f"JC-{index:02d}" for index in range(7, 0, -1)]
    push(national, batch([record(inspection(n)) for n in numbers[:5]]), key="a")
    push(national, batch([record(inspection(n)) for n in numbers[5:]]), key="b")
    push(national, batch([record(inspection("JC-99"))], number="2026050200001"), key="c")
    push(national, batch([record(inspection("JC-01", region_code="x"))]), key="d")  # rejected

    answer = get(national, "/api/v1/accepted?data_type=inspection&date=2026-05-01")

    assert answer.status_code == 200
    found = answer.json()["data"]
    assert list(validator("accepted").iter_errors(found)) == []
    expected = sorted(numbers)
    assert found["count"] == 7
    assert found["keys"] == expected
    assert found["checksum"] == hashlib.sha256("\n".join(expected).encode()).hexdigest()

    keys, url = (
        [],
        f"{national.url}/api/v1/accepted?data_type=inspection&date=2026-05-01&page_size=3",
    )
    while url:
        page = requests.get(url, headers=HEADERS, timeout=5).json()["data"]
        assert page["checksum"] == found["checksum"]  # of every key, whatever the page
        keys += page["keys"]
        url = page["next"]
    assert keys == expected

    empty = get(national, "/api/v1/accepted?data_type=penalty&date=2026-05-01").json()["data"]
    assert (empty["count"], empty["checksum"]) == (0, hashlib.sha256(b"").hexdigest())


@pytest.mark.parametrize(
    "query",
    [
        "data_type=weather&date=2026-05-01",
        "data_type=inspection&date=20260501",
        "data_type=inspection",
    ],
)
def test_the_accepted_query_refuses_unknown_types_and_dates(
    national: NationalSimulator, query: str
) -> None:
    assert get(national, f"/api/v1/accepted?{query}").status_code == 400


# -- listings ------------------------------------------------------------------------------


def test_the_catalog_is_paged_in_update_order_with_a_next_link(national: NationalSimulator) -> None:
    rows, url = [], f"{national.url}/api/v1/catalog?page_size=100"
    while url:
        answer = requests.get(url, headers=HEADERS, timeout=5)
        data = answer.json()["data"]
        rows += data["rows"]
        url = data["next"]
        assert (answer.links.get("next", {}).get("url")) == url
    assert 200 <= len(rows) == data["total"] == len(national.catalog) <= 400
    assert rows == sorted(rows, key=lambda row: (row["updated_at"], row["code"]))
    check = validator("catalog_item")
    assert [error.message for row in rows for error in check.iter_errors(row)] == []
    subs = [row for row in rows if row["item_type"] == "sub"]
    assert subs and {row["parent_code"] for row in subs} <= {row["code"] for row in rows}

    since = rows[-10]["updated_at"]
    newer = get(national, "/api/v1/catalog", params={"updated_since": since}).json()["data"]
    assert newer["rows"] == [row for row in rows if row["updated_at"] >= since]


def test_complaints_carry_the_complainant(national: NationalSimulator) -> None:
    data = get(national, "/api/v1/complaints?page_size=500").json()["data"]
    assert data["total"] == COMPLAINTS and data["next"] is None
    first = data["rows"][0]
    assert first["complainant"]["name"] and first["complainant"]["phone"].isdigit()
    assert first["region_code"].startswith("34")
    assert get(national, "/api/v1/complaints?page=0").status_code == 400
    assert get(national, "/api/v1/complaints?updated_since=soon").status_code == 400


# -- authentication ------------------------------------------------------------------------


def _signed(secret: str = CREDENTIALS.hmac_secret, key: str = KEY) -> Callable[..., Any]:
    api_key, signer = ApiKeyAuth(key, "X-API-Key"), HmacSha256Auth("hub", secret)
    return lambda request: signer(api_key(request))


def test_the_api_key_is_required_and_a_signature_present_is_checked(
    national: NationalSimulator,
) -> None:
    path = "/api/v1/catalog?page_size=5"
    assert get(national, path, headers={}).status_code == 401
    wrong = get(national, path, headers={"X-API-Key": "guess"})
    assert wrong.status_code == 401 and "guess" not in wrong.text
    assert get(national, path).status_code == 200
    assert get(national, path, headers={}, auth=_signed()).status_code == 200
    assert get(national, path, headers={}, auth=_signed(secret="other")).status_code == 401

    signed = requests.Request("GET", national.url + path, auth=_signed()).prepare()
    with requests.Session() as session:
        assert session.send(signed, timeout=5).status_code == 200
        replayed = session.send(signed, timeout=5)
    assert (replayed.status_code, replayed.json()["message"]) == (
        401,
        "未授权: X-Nonce was used before",
    )


def test_require_hmac_refuses_an_unsigned_request(start: StartNational) -> None:
    simulator = start(require_hmac=True)
    assert get(simulator, "/api/v1/catalog").status_code == 401
    document = batch([record(inspection("JC-1"))])
    signed = requests.post(
        f"{simulator.url}/api/v1/batches",
        data=json.dumps(document).encode(),
        headers={"Idempotency-Key": "k", "Content-Type": "application/json"},
        auth=_signed(),
        timeout=5,
    )
    assert signed.status_code == 200 and signed.json()["status"] == "accepted"


def test_the_registered_factory_takes_the_key_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HUB_NATIONAL_KEY", "from-the-environment")
    assert "national" in known_simulators()
    simulator = start_simulator("national", SimulatorOptions(faults={"complaints": 3}))
    try:
        url = simulator.url + "/api/v1/complaints"
        assert requests.get(url, headers={"X-API-Key": "from-the-environment"}, timeout=5).ok
        assert requests.get(url, headers={"X-API-Key": KEY}, timeout=5).status_code == 401
        assert isinstance(simulator, NationalSimulator)
        assert simulator.environment["HUB_NATIONAL_KEY"] == "from-the-environment"
    finally:
        simulator.stop()


# -- SOAP ----------------------------------------------------------------------------------


@pytest.fixture
def soap(national: NationalSimulator) -> Iterator[Any]:
    """A zeep service on the WSDL under standards/ (never fetched), with a UsernameToken."""
    client, service = build_client(
        WSDL_ROOT / "national" / "national.wsdl",
        WSDL_ROOT,
        url=national.soap_url,
        timeout=5,
        verify=True,
        wsse=security({"username": "hub", "password": KEY}, None),
    )
    yield service
    client.transport.session.close()


def test_soap_submit_batch_shares_validation_and_idempotency_with_rest(
    national: NationalSimulator, soap: Any
) -> None:
    document = json.dumps(
        batch([record(inspection("JC-1")), record(inspection("JC-2", region_code="3"))])
    )
    first = soap.SubmitBatch(idempotencyKey="soap-1", batch=document)
    again = soap.SubmitBatch(idempotencyKey="soap-1", batch=document)

    assert (first.status, first.acceptedCount, first.rejectedCount) == ("partially_accepted", 1, 1)
    assert first.replayed is False and again.replayed is True
    assert again.receiptId == first.receiptId
    good, bad = first.results.result
    assert (good.key, good.accepted, good.reason, good.receiptId) == (
        "JC-1",
        True,
        [],
        first.receiptId + "-0001",
    )
    assert bad.accepted is False and bad.receiptId is None
    assert bad.reason[0].startswith("data/region_code: '3' does not match")
    assert isinstance(first.receivedAt, datetime)
    assert [entry.key for entry in national.store.log] == ["JC-1"]

    with pytest.raises(zeep.exceptions.Fault, match="region_code: 350000 is not in province"):
        soap.SubmitBatch(
            idempotencyKey="soap-2",
            batch=json.dumps(batch([record(inspection("JC-3"))], region_code="350000")),
        )


def test_soap_query_accepted_matches_the_rest_answer(
    national: NationalSimulator, soap: Any
) -> None:
    push(national, batch([record(inspection(f"JC-{n}")) for n in range(5)]))

    found = soap.QueryAccepted(dataType="inspection", date=date(2026, 5, 1), pageSize=2)
    rest = get(national, "/api/v1/accepted?data_type=inspection&date=2026-05-01").json()["data"]

    assert (found.count, found.checksum, found.hasMore) == (5, rest["checksum"], True)
    assert found.keys.key == rest["keys"][:2]
    assert found.date == date(2026, 5, 1)


def test_soap_refuses_a_wrong_password_and_serves_its_wsdl(national: NationalSimulator) -> None:
    client, service = build_client(
        WSDL_ROOT / "national" / "national.wsdl",
        WSDL_ROOT,
        url=national.soap_url,
        timeout=5,
        verify=True,
        wsse=security({"username": "hub", "password": "guess"}, None),
    )
    try:
        with pytest.raises(zeep.exceptions.Fault, match="could not be authenticated"):
            service.QueryAccepted(dataType="inspection", date=date(2026, 5, 1))
    finally:
        client.transport.session.close()
    wsdl = requests.get(national.soap_url + "?wsdl", timeout=5)
    assert wsdl.content == (WSDL_ROOT / "national" / "national.wsdl").read_bytes()
    xsd = requests.get(national.soap_url + ".xsd", timeout=5)
    assert xsd.content == (WSDL_ROOT / "national" / "national.xsd").read_bytes()


# -- faults --------------------------------------------------------------------------------


def test_error_rate_answers_503_with_or_without_retry_after(start: StartNational) -> None:
    simulator = start(error_rate=1.0, retry_after=3)
    answer = get(simulator, "/api/v1/catalog")
    assert (answer.status_code, answer.headers.get("Retry-After")) == (503, "3")

    simulator.set_faults({"error_rate": 1.0, "missing_retry_after": True})
    answer = get(simulator, "/api/v1/catalog")
    assert answer.status_code == 503 and "Retry-After" not in answer.headers
    assert simulator.plan.served["error_rate"] == 2
    assert simulator.plan.served["missing_retry_after"] == 1

    simulator.set_faults({})
    assert get(simulator, "/api/v1/catalog").status_code == 200


def test_a_late_answer_comes_after_the_work_and_a_retry_gets_the_same_receipt(
    start: StartNational,
) -> None:
    simulator = start(timeout_rate=1.0, timeout_seconds=0.3)
    document = batch([record(inspection("JC-1"))])
    with pytest.raises(requests.exceptions.ReadTimeout):
        push(simulator, document, key="late", timeout=0.3)
    assert [entry.key for entry in simulator.store.log] == ["JC-1"]  # applied all the same

    simulator.set_faults({})
    retried = push(simulator, document, key="late")
    assert retried.headers["Idempotent-Replayed"] == "true"
    assert retried.json()["accepted_count"] == 1
    assert len(simulator.store.log) == 1
    assert simulator.plan.served["timeout_rate"] == 1


def test_down_for_requests_drops_the_next_connections(start: StartNational) -> None:
    simulator = start(down_for_requests=2)
    for _ in range(2):
        with pytest.raises(requests.exceptions.ConnectionError):
            get(simulator, "/api/v1/catalog")
    assert get(simulator, "/api/v1/catalog").status_code == 200

    simulator.set_faults({"down_for_requests": 1})
    with pytest.raises(requests.exceptions.ConnectionError):
        push(simulator, batch([record(inspection("JC-1"))]))
    assert push(simulator, batch([record(inspection("JC-1"))])).status_code == 200
    assert simulator.plan.served["down_for_requests"] == 3


def test_duplicate_receipts_repeat_a_record_result(start: StartNational) -> None:
    simulator = start(duplicate_receipts=True)
    receipt = push(
        simulator, batch([record(inspection("JC-1")), record(inspection("JC-2"))])
    ).json()
    assert receipt["accepted_count"] == 2
    assert [result["key"] for result in receipt["results"]] == ["JC-1", "JC-2", "JC-1"]


def test_schema_drift_renames_a_field_and_can_be_switched_off(start: StartNational) -> None:
    simulator = start(schema_drift=True)
    catalog = get(simulator, "/api/v1/catalog?page_size=5").json()["data"]["rows"]
    complaints = get(simulator, "/api/v1/complaints?page_size=5").json()["data"]["rows"]
    assert all("dept_code" in row and "department_code" not in row for row in catalog)
    assert all("receive_time" in row and "received_at" not in row for row in complaints)

    simulator.set_faults({})
    catalog = get(simulator, "/api/v1/catalog?page_size=5").json()["data"]["rows"]
    assert all("department_code" in row for row in catalog)


def test_out_of_order_pages_serve_newer_pages_first(start: StartNational) -> None:
    simulator = start(out_of_order_pages=True)
    pages = [
        get(simulator, f"/api/v1/complaints?page={page}&page_size=10").json()["data"]["rows"]
        for page in (1, 2, 3)
    ]
    assert [len(rows) for rows in pages] == [10, 10, 4]
    assert pages[0][0]["updated_at"] > pages[1][-1]["updated_at"]  # page 1 is newer than page 2
    served = {row["complaint_number"] for rows in pages for row in rows}
    assert served == {row["complaint_number"] for row in simulator.complaints}


# -- the hub pulling through its REST adapter ----------------------------------------------


def national_channel(
    repo_root: Path, monkeypatch: pytest.MonkeyPatch, simulator: NationalSimulator, name: str
) -> ChannelConfig:
    for variable, value in simulator.environment.items():
        monkeypatch.setenv(variable, value)
    return load_channel(repo_root / "mappings" / name / "channel.yaml")


def _count(engine: Engine, model: type[Any]) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_hub_pulls_catalog_and_complaints_balanced_and_once(
    engine: Engine,
    repo_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    national: NationalSimulator,
) -> None:
    for name, model, served in (
        ("national_catalog", CatalogItem, national.catalog),
        ("national_complaints", Complaint, national.complaints),
    ):
        channel = national_channel(repo_root, monkeypatch, national, name)
        report = run_channel(engine, channel)
        assert report.received == report.stored + report.duplicates + report.quarantined
        assert (report.received, report.stored) == (len(served), len(served)), report.reasons
        assert _count(engine, model) == len(served)

        second = run_channel(engine, channel)
        assert (second.received, second.stored) == (0, 0)
        assert _count(engine, model) == len(served)

    assert load_channel(
        repo_root / "mappings" / "national_complaints" / "channel.yaml"
    ).personal_data
    first = national.complaints[0]
    with Session(engine) as session:
        stored = session.scalars(
            select(Complaint).where(Complaint.source_number == first["complaint_number"])
        ).one()
        assert (stored.source, stored.complainant_phone) == (
            "national",
            first["complainant"]["phone"],
        )
        item = session.scalars(
            select(CatalogItem).where(CatalogItem.code == national.catalog[1]["code"])
        ).one()
        assert (item.origin, item.is_main, item.parent_code) == (
            "national",
            False,
            national.catalog[0]["code"],
        )


def test_the_hub_rides_out_errors_timeouts_and_an_outage(
    sqlite_engine: Engine,
    repo_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    start: StartNational,
    waits: list[float],
) -> None:
    simulator = start(error_rate=0.2, timeout_rate=0.2, timeout_seconds=0.1, down_for_requests=1)
    channel = national_channel(repo_root, monkeypatch, simulator, "national_catalog")
    channel = dataclasses.replace(
        channel,
        adapter={
            **channel.adapter,
            "pagination": {"style": "link", "page_size": 25},
            "timeout": {"connect": 1, "read": 0.1},
        },
    )

    report = run_channel(sqlite_engine, channel)

    assert (report.received, report.stored) == (len(simulator.catalog), len(simulator.catalog))
    served = simulator.plan.served
    assert served["error_rate"] > 0 and served["timeout_rate"] > 0
    assert len(waits) == served["error_rate"] + served["timeout_rate"] + served["down_for_requests"]


def test_drifted_rows_are_quarantined_and_counted(
    sqlite_engine: Engine, repo_root: Path, monkeypatch: pytest.MonkeyPatch, start: StartNational
) -> None:
    simulator = start(schema_drift=True)
    report = run_channel(
        sqlite_engine, national_channel(repo_root, monkeypatch, simulator, "national_complaints")
    )
    assert (report.received, report.stored, report.quarantined) == (COMPLAINTS, 0, COMPLAINTS)
    assert _count(sqlite_engine, Complaint) == 0
