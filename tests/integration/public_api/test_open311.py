"""``/open311/v2/``: GeoReport v2 to the letter, read back as a 311 client would (lxml, JSON)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from lxml import etree
from sqlalchemy import Engine

from tests.integration.public_api.conftest import API_KEY, JURISDICTION, PHONE, ClientFactory

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

BASE = "/open311/v2"
SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]


def xml(response: Any) -> etree._Element:
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return etree.fromstring(response.content)


def error_array(response: Any, fmt: str) -> list[tuple[int, str]]:
    """The spec's error array, read from either format."""
    if fmt == "json":
        assert response.headers["content-type"] == "application/json; charset=utf-8"
        return [(error["code"], error["description"]) for error in response.json()]
    root = xml(response)
    assert root.tag == "errors"
    return [
        (int(error.findtext("code") or 0), error.findtext("description") or "")
        for error in root.iterfind("error")
    ]


def form(**changes: str | None) -> dict[str, str]:
    fields: dict[str, str | None] = {
        "api_key": API_KEY,
        "jurisdiction_id": JURISDICTION,
        "service_code": "food_safety",
        "lat": "31.8206",
        "long": "117.2272",
        "address_string": "合肥市蜀山区长江西路 100 号",
        "email": "li@example.cn",
        "device_id": "tt222111",
        "account_id": "123456",
        "first_name": "四",
        "last_name": "李",
        "phone": PHONE,
        "description": "早餐店使用过期面粉，店内无健康证公示。",
        "media_url": "http://img.example.cn/1.jpg",
        "attribute[WHISPAWN]": "123456",
    }
    fields.update(changes)
    return {name: value for name, value in fields.items() if value is not None}


def post(client: TestClient, fmt: str = "xml", /, **changes: str | None) -> Any:
    return client.post(f"{BASE}/requests.{fmt}", data=form(**changes))


def new_request_id(client: TestClient) -> str:
    response = post(client)
    assert response.status_code == 200, response.text
    return xml(response).findtext("request/service_request_id") or ""


def test_the_service_list_is_the_complaint_categories(client: TestClient) -> None:
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    services = root.findall("service")
    assert len(services) >= 6
    food = next(
        service for service in services if service.findtext("service_code") == "food_safety"
    )
    assert [child.tag for child in food] == SERVICE_FIELDS
    assert food.findtext("service_name") == "食品安全"
    assert food.findtext("metadata") == "false" and food.findtext("type") == "realtime"
    assert "过期食品" in (food.findtext("keywords") or "") and food.findtext("group") == "市场监管"

    as_json = client.get(f"{BASE}/services.json", params={"jurisdiction_id": JURISDICTION})
    assert as_json.headers["content-type"] == "application/json; charset=utf-8"
    listed = as_json.json()
    assert [service["service_code"] for service in listed] == [
        service.findtext("service_code") for service in services
    ]
    assert listed[0]["metadata"] is False and list(listed[0]) == SERVICE_FIELDS


def test_a_service_definition_and_an_unknown_code(client: TestClient) -> None:
    root = xml(client.get(f"{BASE}/services/pricing.xml"))
    assert root.tag == "service_definition" and root.findtext("service_code") == "pricing"
    attributes = root.find("attributes")
    assert attributes is not None and len(attributes) == 0
    assert client.get(f"{BASE}/services/pricing.json").json() == {
        "service_code": "pricing",
        "attributes": [],
    }
    for fmt in ("xml", "json"):
        unknown = client.get(f"{BASE}/services/parking.{fmt}")
        assert unknown.status_code == 404
        [(code, description)] = error_array(unknown, fmt)
        assert code == 404 and "parking" in description


def test_discovery_names_the_endpoint_and_formats(client: TestClient) -> None:
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert root.findtext("changeset") and root.findtext("contact") and root.findtext("key_service")
    endpoint = root.find("endpoints/endpoint")
    assert endpoint is not None
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.findtext("url") == "http://testserver/open311/v2"
    assert [node.text for node in endpoint.iterfind("formats/format")] == [
        "text/xml",
        "application/json",
    ]
    assert client.get(f"{BASE}/discovery.json").json()["endpoints"][0]["formats"] == [
        "text/xml",
        "application/json",
    ]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_posting_a_request_answers_its_id_and_notice(client: TestClient, fmt: str) -> None:
    response = post(client, fmt)
    assert response.status_code == 200, response.text
    if fmt == "json":
        [created] = response.json()
        assert set(created) == {"service_request_id", "service_notice", "account_id"}
        assert created["account_id"] is None
        request_id = created["service_request_id"]
    else:
        request = xml(response).find("request")
        assert request is not None
        assert [child.tag for child in request] == [
            "service_request_id",
            "service_notice",
            "account_id",
        ]
        assert request.find("token") is None  # realtime: an id, never a token
        request_id = request.findtext("service_request_id")
    assert request_id
    assert client.get(f"{BASE}/requests/{request_id}.xml").status_code == 200


@pytest.mark.parametrize(
    "location",
    [
        {"address_string": None, "address_id": None},  # lat & long alone
        {"lat": None, "long": None, "address_id": None},  # address_string alone
        {"lat": None, "long": None, "address_string": None, "address_id": "A-0042"},
    ],
)
def test_each_kind_of_location_is_enough(
    client: TestClient, location: dict[str, str | None]
) -> None:
    assert post(client, **location).status_code == 200


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_missing_fields_are_400_each_in_the_error_array(client: TestClient, fmt: str) -> None:
    response = post(client, fmt, service_code=None, lat=None, long=None, address_string=None)
    assert response.status_code == 400
    errors = error_array(response, fmt)
    assert [code for code, _ in errors] == [400, 400]
    described = " ".join(description for _, description in errors)
    assert "service_code" in described and "location" in described


def test_an_empty_optional_argument_is_as_if_not_sent(client: TestClient) -> None:
    """The spec's rule for optional arguments: passed empty equals not passed."""
    assert post(client, email="", phone="", media_url="", address_id="").status_code == 200


def test_half_a_coordinate_is_400(client: TestClient) -> None:
    response = post(client, long=None, address_string=None)
    assert response.status_code == 400
    assert "lat and long" in error_array(response, "xml")[0][1]


def test_a_malformed_field_is_400_naming_it(client: TestClient) -> None:
    response = post(client, "json", lat="north", phone="12345")
    assert response.status_code == 400
    described = [description for _, description in error_array(response, "json")]
    assert any(text.startswith("lat:") for text in described)
    assert any(text.startswith("phone:") for text in described)
    assert PHONE not in response.text


def test_an_unknown_service_code_is_404(client: TestClient) -> None:
    response = post(client, service_code="graffiti")
    assert response.status_code == 404
    assert error_array(response, "xml")[0][0] == 404


@pytest.mark.parametrize(("key", "expected"), [(None, "not provided"), ("wrong", "invalid")])
def test_the_api_key_is_required_and_checked(
    client: TestClient, key: str | None, expected: str
) -> None:
    response = post(client, api_key=key)
    assert response.status_code == 403
    [(code, description)] = error_array(response, "xml")
    assert code == 403 and expected in description


def test_another_jurisdiction_is_404(client: TestClient) -> None:
    assert post(client, jurisdiction_id="sfgov.org").status_code == 404
    response = client.get(f"{BASE}/services.json", params={"jurisdiction_id": "sfgov.org"})
    assert response.status_code == 404
    assert "jurisdiction_id" in response.json()[0]["description"]


def test_an_unknown_format_or_resource_is_404_in_the_error_array(client: TestClient) -> None:
    assert error_array(client.get(f"{BASE}/services.html"), "xml")[0][0] == 404
    assert error_array(client.get(f"{BASE}/tokens/1.json"), "json")[0][0] == 404


def test_a_request_reads_back_open_with_its_stage_and_no_personal_data(
    each_engine_client: TestClient,
) -> None:
    client = each_engine_client
    request_id = new_request_id(client)
    for fmt in ("xml", "json"):
        response = client.get(f"{BASE}/requests/{request_id}.{fmt}")
        assert response.status_code == 200
        for personal in (PHONE, "li@example.cn", "李四", "tt222111", "过期面粉"):
            assert personal not in response.text
    request = xml(client.get(f"{BASE}/requests/{request_id}.xml")).find("request")
    assert request is not None
    assert request.findtext("service_request_id") == request_id
    assert request.findtext("status") == "open"
    assert request.findtext("status_notes")  # the finer stage
    assert request.findtext("service_code") == "food_safety"
    assert request.findtext("service_name") == "食品安全"
    assert request.findtext("address") == "合肥市蜀山区长江西路 100 号"
    assert float(request.findtext("lat") or 0) == pytest.approx(31.8206)
    assert float(request.findtext("long") or 0) == pytest.approx(117.2272)
    for moment in ("requested_datetime", "updated_datetime"):
        stamp = request.findtext(moment) or ""
        assert stamp.endswith("Z") or stamp[-6] in "+-"
        assert datetime.fromisoformat(stamp).tzinfo is not None
    [as_json] = client.get(f"{BASE}/requests/{request_id}.json").json()
    assert as_json["status"] == "open" and as_json["description"] is None


def test_an_unknown_request_is_404(client: TestClient) -> None:
    response = client.get(f"{BASE}/requests/NO-SUCH-ID.json")
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404


def test_requests_are_filtered_by_id_code_dates_and_status(
    each_engine_client: TestClient,
) -> None:
    client = each_engine_client
    food = new_request_id(client)
    pricing = xml(post(client, service_code="pricing")).findtext("request/service_request_id")

    def ids(**params: str) -> list[str]:
        response = client.get(f"{BASE}/requests.json", params=params)
        assert response.status_code == 200, response.text
        return [request["service_request_id"] for request in response.json()]

    assert sorted(ids()) == sorted([food, pricing])  # the last 90 days by default
    assert ids(service_code="pricing") == [pricing]
    assert sorted(ids(service_code="pricing,food_safety")) == sorted([food, pricing])
    assert ids(service_request_id=f"{food},NO-SUCH-ID", service_code="pricing") == [food]
    assert sorted(ids(status="open")) == sorted([food, pricing])
    assert ids(status="closed") == []
    now = datetime.now(UTC)
    assert (
        ids(
            start_date=(now - timedelta(days=120)).isoformat(),
            end_date=(now - timedelta(days=60)).isoformat(),
        )
        == []
    )
    assert sorted(ids(start_date=(now - timedelta(hours=1)).isoformat())) == sorted([food, pricing])
    root = xml(client.get(f"{BASE}/requests.xml", params={"status": "closed"}))
    assert root.tag == "service_requests" and len(root) == 0


@pytest.mark.parametrize(
    ("params", "complaint"),
    [
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90 days"),
        ({"start_date": "2026-01-01"}, "time zone"),
        ({"start_date": "yesterday"}, "w3"),
        ({"status": "pending"}, "open or closed"),
    ],
)
def test_bad_filters_are_400(client: TestClient, params: dict[str, str], complaint: str) -> None:
    response = client.get(f"{BASE}/requests.xml", params=params)
    assert response.status_code == 400
    assert complaint in error_array(response, "xml")[0][1]


def test_a_client_past_its_limit_gets_429_in_the_error_array(
    sqlite_engine: Engine, make_client: ClientFactory
) -> None:
    client = make_client(public_rate_limit="2/minute")
    assert [post(client).status_code for _ in range(2)] == [200, 200]
    refused = post(client, "json")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert error_array(refused, "json")[0][0] == 429
    assert client.get(f"{BASE}/services.xml").status_code == 200  # reading is not limited


def test_the_region_named_in_address_string_routes_the_request(client: TestClient) -> None:
    """Open311 has no region field: without an address naming one, the case is triaged."""
    routed = new_request_id(client)  # 合肥市蜀山区...
    unplaced = xml(
        post(
            client,
            service_code="pricing",
            address_string=None,
            phone="0551-62345678",
            description="加油站未明码标价。",
        )
    ).findtext("request/service_request_id")
    assert unplaced != routed
    state = {
        request_id: client.get(f"/api/v1/public/complaints/{request_id}").json()["status"]
        for request_id in (routed, unplaced)
    }
    assert state[unplaced] == "triage"
    assert state[routed] != "triage"
