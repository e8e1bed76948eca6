"""An existing 311 client, written from the spec alone, against the hub over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.integration.public_api.conftest import API_KEY, JURISDICTION, PHONE
from tests.integration.public_api.georeport_client import GeoReportClient, GeoReportError


@pytest.fixture
def georeport(live_url: str) -> Iterator[GeoReportClient]:
    with httpx.Client(timeout=10) as http:
        yield GeoReportClient(http, f"{live_url}/open311/v2/discovery.xml", API_KEY, JURISDICTION)


def test_a_311_app_discovers_posts_and_polls(georeport: GeoReportClient) -> None:
    services = {service.code: service for service in georeport.services()}
    assert "food_safety" in services and not services["food_safety"].needs_definition

    request_id = georeport.post(
        "food_safety",
        lat=31.8206,
        long=117.2272,
        address_string="合肥市蜀山区长江西路 100 号",
        first_name="四",
        last_name="李",
        phone=PHONE,
        description="早餐店使用过期面粉。",
    )
    polled = georeport.request(request_id)
    assert polled.id == request_id and polled.service_code == "food_safety"
    assert polled.status in ("open", "closed") and polled.status_notes
    assert polled.requested and polled.updated
    assert PHONE not in str(polled.fields.values())
    assert [found.id for found in georeport.requests(service_code="food_safety")] == [request_id]


def test_a_311_app_reads_the_error_array(georeport: GeoReportClient) -> None:
    with pytest.raises(GeoReportError) as raised:
        georeport.post("graffiti", lat=31.8, long=117.2)
    assert raised.value.status == 404 and raised.value.errors[0][0] == "404"
    georeport.api_key = "stolen"
    with pytest.raises(GeoReportError) as forbidden:
        georeport.post("food_safety", lat=31.8, long=117.2)
    assert forbidden.value.status == 403
