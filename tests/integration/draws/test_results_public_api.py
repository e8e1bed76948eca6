"""``GET /api/v1/public/inspections``: every published inspection result, open, no personal data."""

from __future__ import annotations

import base64
import os
import secrets
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.exceptions import StarletteDeprecationWarning

from hub.calendar import BEIJING
from hub.draws.results import record_result
from hub.store.models.actions import Inspection
from hub.store.models.draws import DrawPick
from hub.store.models.inspection_results import InspectionResult
from tests.conftest import clear_caches
from tests.draws_support import ACTOR, HEALTH, MARKET, run_lifecycle, seed_world

with warnings.catch_warnings():  # as tests/unit/api/conftest.py: httpx fallback warns
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

BASE = "/api/v1/public/inspections"
FINDINGS = "负责人张三（电话13912345678）拒绝出示留样记录"
CITIZEN_ID = "340104198001011234"
PUBLISHED_AT = datetime(2026, 3, 20, 2, 0, tzinfo=UTC)


@pytest.fixture
def client(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """Three random results (two published), a published routine inspection of a natural
    person, and an unpublished routine one; the API without any token."""
    monkeypatch.setenv("HUB_ENV", "test")
    monkeypatch.setenv("HUB_SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("HUB_DATA_KEYS", "t1:" + base64.b64encode(os.urandom(32)).decode())
    clear_caches()
    with (
        time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=BEIJING), tick=False),
        Session(engine) as session,
        session.begin(),
    ):
        seed_world(session)
        draw_id = run_lifecycle(session).id
    with (
        time_machine.travel(datetime(2026, 3, 11, 10, 0, tzinfo=BEIJING), tick=False),
        Session(engine) as session,
        session.begin(),
    ):
        picks = session.scalars(
            select(DrawPick.entity_uscc)
            .where(DrawPick.draw_id == draw_id)
            .order_by(DrawPick.stratum, DrawPick.rank)
            .limit(3)
        ).all()
        for day, uscc in zip((9, 10, 11), picks, strict=True):
            result = record_result(
                session,
                draw_id,
                uscc,
                "02",
                ended_at=datetime(2026, 3, day, 8, 0, tzinfo=BEIJING),
                actor=ACTOR,
                findings=FINDINGS,
            )
            if day != 11:
                _publish(session, result)
        session.add_all(
            [
                _routine("JC-2026-0100", HEALTH, "individual", "natural_person", PUBLISHED_AT),
                _routine("JC-2026-0101", HEALTH, "unpublished", "legal_person", None),
            ]
        )
    from hub.api.app import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


def _publish(session: Session, result: InspectionResult) -> None:
    """As ``hub.draws.publication.record_receipts`` does when the receipt is in."""
    result.published_at = PUBLISHED_AT
    session.get_one(Inspection, result.inspection_id).published_at = PUBLISHED_AT


def _routine(
    number: str, department: str, name: str, kind: str, published_at: datetime | None
) -> Inspection:
    return Inspection(
        action_number=number,
        department_code=department,
        entity_name=f"王五{name}",
        counterpart_kind=kind,
        counterpart_id_type="citizen_id",
        counterpart_id=CITIZEN_ID,
        registered_address="合肥市蜀山区某路1号",
        acted_at=datetime(2026, 3, 5, 2, 0, tzinfo=UTC),
        officers=["WSJ-0001", "WSJ-0002"],
        category="01",
        result_code="01",
        result=FINDINGS,
        published_at=published_at,
        content_hash="x",
    )


def test_every_published_result_is_listed_random_or_not(client: TestClient) -> None:
    body = client.get(BASE).json()

    assert body["total"] == 3
    numbers = [item["inspection_number"] for item in body["items"]]
    assert numbers[-1] == "JC-2026-0100"  # inspected on 5 March, the earliest
    assert [item["random"] for item in body["items"]] == [True, True, False]
    first = body["items"][0]
    assert first["inspected_at"].startswith("2026-03-10T00:00:00")
    assert (first["result_code"], first["result"]) == ("02", "发现问题已责令改正")
    assert first["plan_id"].startswith("DRAW-") and first["department_code"] == MARKET
    assert first["entity_name"].startswith("合肥市样例餐饮店")


def test_nothing_personal_is_published(client: TestClient) -> None:
    response = client.get(BASE)
    text = response.text

    for secret in (FINDINGS, "13912345678", CITIZEN_ID, "WSJ-0001", "某路", ACTOR.name):
        assert secret not in text
    natural = next(i for i in response.json()["items"] if i["inspection_number"] == "JC-2026-0100")
    assert natural["entity_name"] is None
    assert set(natural) == {
        "inspection_number",
        "plan_id",
        "random",
        "department_code",
        "agency_name",
        "catalog_code",
        "entity_uscc",
        "entity_name",
        "region_code",
        "inspected_at",
        "category",
        "result_code",
        "result",
        "published_at",
    }


def test_filters_by_entity_department_and_day(client: TestClient) -> None:
    listed = client.get(BASE).json()["items"]
    uscc = listed[0]["entity_uscc"]

    assert [i["entity_uscc"] for i in client.get(BASE, params={"uscc": uscc}).json()["items"]] == [
        uscc
    ]
    assert client.get(BASE, params={"department": HEALTH}).json()["total"] == 1
    assert client.get(BASE, params={"department": "ZJJ-3401"}).json()["total"] == 0
    # Inspected 9 March 08:00 Beijing is 9 March 00:00 UTC: a day is a Beijing day.
    on_the_ninth = client.get(
        BASE, params={"inspected_from": "2026-03-09", "inspected_to": "2026-03-09"}
    )
    assert on_the_ninth.json()["total"] == 1
    assert client.get(BASE, params={"inspected_from": "2026-03-06"}).json()["total"] == 2
    assert client.get(BASE, params={"inspected_to": "2026-03-05"}).json()["total"] == 1


def test_pages(client: TestClient) -> None:
    first = client.get(BASE, params={"page_size": 2}).json()
    second = client.get(BASE, params={"page_size": 2, "page": 2}).json()

    assert (first["total"], len(first["items"]), len(second["items"])) == (3, 2, 1)
    assert {i["inspection_number"] for i in first["items"] + second["items"]} == {
        i["inspection_number"] for i in client.get(BASE).json()["items"]
    }


@pytest.mark.parametrize(
    "params",
    [{"page": 0}, {"page_size": 501}, {"uscc": "short"}, {"inspected_from": "3 March"}],
)
def test_bad_queries_are_refused_clearly(client: TestClient, params: dict[str, object]) -> None:
    response = client.get(BASE, params=params)

    assert response.status_code == 422
