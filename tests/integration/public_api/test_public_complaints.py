"""``/api/v1/public/complaints``: file a complaint, follow it by its number, rate-limited."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
import redis
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hub.store.models.cases import Case
from hub.store.models.complaints import Complaint
from tests.integration.public_api.conftest import API_KEY, PHONE, ClientFactory

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

BASE = "/api/v1/public/complaints"
REDIS_URL = "redis://127.0.0.1:6379/0"


def complaint(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category_code": "food_safety",
        "title": "后厨卫生差",
        "content": "包河区某餐馆后厨老鼠出没，餐具未消毒，多次就餐后腹泻。",
        "complainant_name": "王小明",
        "complainant_phone": PHONE,
        "complainant_email": "wang@example.cn",
        "address": "合肥市包河区望湖城南路 8 号",
        "region_code": "340111",
        "latitude": 31.78,
        "longitude": 117.29,
    }
    body.update(changes)
    return body


def stored_complaints(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Complaint)) or 0


def test_a_complaint_is_filed_and_followed_by_its_tracking_number(
    each_engine_client: TestClient,
) -> None:
    client = each_engine_client
    answer = client.post(BASE, json=complaint())
    assert answer.status_code == 201, answer.text
    receipt = answer.json()
    assert receipt["tracking_no"] and receipt["is_open"] is True

    followed = client.get(f"{BASE}/{receipt['tracking_no']}")
    assert followed.status_code == 200
    body = followed.json()
    assert body["tracking_no"] == receipt["tracking_no"]
    assert body["category_code"] == "food_safety" and body["category_name"] == "食品安全"
    assert body["status"] == receipt["status"]
    assert body["stages"] and body["stages"][0]["stage"] and body["stages"][0]["at"]
    assert body["answer"] is None


def test_the_status_answer_holds_nothing_personal(client: TestClient) -> None:
    tracking_no = client.post(BASE, json=complaint()).json()["tracking_no"]
    text = client.get(f"{BASE}/{tracking_no}").text
    for personal in (PHONE, "王小明", "wang@example.cn", "腹泻"):
        assert personal not in text


def test_an_unknown_tracking_number_is_404(client: TestClient) -> None:
    assert client.get(f"{BASE}/TS-NO-SUCH-NUMBER").status_code == 404


def test_every_wrong_field_is_named_at_once_and_nothing_is_stored(
    client: TestClient, sqlite_engine: Engine
) -> None:
    answer = client.post(
        BASE,
        json=complaint(
            category_code="Parking Tickets!",
            content="差",
            complainant_phone="1390000",
            complainant_email="not-an-address",
            region_code="999999",
            target_uscc="9134010",
            latitude=95.0,
        ),
    )
    assert answer.status_code == 422
    errors = {tuple(error["loc"][1:]): error["msg"] for error in answer.json()["detail"]}
    assert set(errors) >= {
        ("category_code",),
        ("content",),
        ("complainant_phone",),
        ("complainant_email",),
        ("region_code",),
        ("target_uscc",),
        ("latitude",),
    }
    assert "phone" in errors[("complainant_phone",)]
    assert "1390000" not in answer.text  # the values sent are not echoed
    assert stored_complaints(sqlite_engine) == 0


def triage_reason(engine: Engine, tracking_no: str) -> str | None:
    with Session(engine) as session:
        case = session.scalars(select(Case).where(Case.tracking_no == tracking_no)).one()
        return case.triage_reason


def filed_into_triage(client: TestClient, body: dict[str, Any]) -> str:
    """POST ``body``: accepted with a tracking number, waiting in triage; the number."""
    answer = client.post(BASE, json=body)
    assert answer.status_code == 201, answer.text
    receipt = answer.json()
    assert (receipt["status"], receipt["is_open"]) == ("triage", True)
    followed = client.get(f"{BASE}/{receipt['tracking_no']}").json()
    assert followed["status"] == "triage" and followed["agency_responsible"] is None
    return str(receipt["tracking_no"])


def test_a_region_outside_the_province_is_filed_into_triage_with_the_reason(
    each_engine_client: TestClient, engine: Engine
) -> None:
    nanjing = complaint(region_code="320102", address="南京市玄武区中山路 1 号")  # Jiangsu
    tracking_no = filed_into_triage(each_engine_client, nanjing)
    reason = triage_reason(engine, tracking_no)
    assert reason == "outside the province: region 320102 is not 34xxxx"


def test_an_unknown_category_is_filed_into_triage_with_the_reason(
    each_engine_client: TestClient, engine: Engine
) -> None:
    parking = complaint(category_code="parking_tickets", title="停车", content="小区门口乱贴罚单。")
    tracking_no = filed_into_triage(each_engine_client, parking)
    assert triage_reason(engine, tracking_no) == "unknown category: 'parking_tickets'"
    followed = each_engine_client.get(f"{BASE}/{tracking_no}").json()
    assert (followed["category_code"], followed["category_name"]) == (None, None)


def test_an_unknown_category_the_text_names_is_classified_and_routed(
    client: TestClient,
) -> None:
    receipt = client.post(BASE, json=complaint(category_code="restaurants")).json()
    followed = client.get(f"{BASE}/{receipt['tracking_no']}").json()
    assert followed["category_code"] == "food_safety"  # 后厨 in the content
    assert followed["status"] == "assigned"


def test_coordinates_come_in_pairs(client: TestClient) -> None:
    answer = client.post(BASE, json=complaint(longitude=None))
    assert answer.status_code == 422
    assert "latitude and longitude" in answer.text


def test_without_contact_details_a_complaint_is_filed_into_triage(
    each_engine_client: TestClient, engine: Engine
) -> None:
    anonymous = complaint(complainant_name=None, complainant_phone=None, complainant_email=None)
    tracking_no = filed_into_triage(each_engine_client, anonymous)
    assert triage_reason(engine, tracking_no) == "no contact details"


def test_the_same_client_ref_posted_twice_is_one_complaint(
    each_engine_client: TestClient, engine: Engine
) -> None:
    client = each_engine_client
    first = client.post(BASE, json=complaint(client_ref="app-0001")).json()
    second = client.post(BASE, json=complaint(client_ref="app-0001")).json()
    assert first["tracking_no"] == second["tracking_no"]
    assert stored_complaints(engine) == 1


def test_a_client_past_its_limit_gets_429_with_retry_after(
    sqlite_engine: Engine, make_client: ClientFactory
) -> None:
    client = make_client(public_rate_limit="2/minute")
    assert [client.post(BASE, json=complaint()).status_code for _ in range(2)] == [201, 201]
    refused = client.post(BASE, json=complaint())
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert client.get(f"{BASE}/anything").status_code == 404  # reading is not limited


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    prefix = f"hub-test-{uuid.uuid4().hex}"
    yield prefix
    connection = redis.Redis.from_url(REDIS_URL)
    keys = list(connection.scan_iter(f"{prefix}*"))
    if keys:
        connection.delete(*keys)
    connection.close()


def test_two_api_processes_share_the_limit_through_redis(
    sqlite_engine: Engine, make_client: ClientFactory, redis_prefix: str
) -> None:
    shared = {
        "public_rate_limit": "3/minute",
        "redis_url": REDIS_URL,
        "rate_limit_key_prefix": redis_prefix,
    }
    first, second = make_client(**shared), make_client(**shared)
    statuses = [
        first.post(BASE, json=complaint()).status_code,
        second.post(BASE, json=complaint()).status_code,
        first.post(BASE, json=complaint()).status_code,
        second.post(BASE, json=complaint()).status_code,
    ]
    assert statuses == [201, 201, 201, 429]
    keyed = second.post(BASE, json=complaint(), headers={"X-API-Key": API_KEY})
    assert keyed.status_code == 201  # a client with a key counts on its own


def test_without_redis_a_post_is_503_to_retry_and_nothing_is_stored(
    sqlite_engine: Engine, make_client: ClientFactory
) -> None:
    client = make_client(redis_url="redis://127.0.0.1:1/0")
    refused = client.post(BASE, json=complaint())
    assert refused.status_code == 503
    assert int(refused.headers["Retry-After"]) >= 1
    assert stored_complaints(sqlite_engine) == 0
