"""``/api/v1/draws``: the work interface of 双随机 over real HTTP, on SQLite and PostgreSQL.

Every endpoint needs a token (401), answers only within the caller's department and region
(404 for another's draw, 403 for a plan in another's name), and takes each step through
``hub.draws.service``, so a draw made over the API verifies like any other.
"""

from __future__ import annotations

import base64
import os
import secrets
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.exceptions import StarletteDeprecationWarning

from hub.draws.verification import verify_draw
from hub.security.tokens import Principal, issue_token
from hub.store.models.actions import Inspection, Licensing
from hub.store.models.catalog import CatalogItem
from hub.store.models.inspection_results import InspectionResult
from tests.conftest import clear_caches
from tests.draws_support import HEALTH, MARKET, PUBLIC_SOURCE, PUBLIC_VALUE, plan, seed_world, uscc

with warnings.catch_warnings():  # as tests/unit/api/conftest.py: httpx fallback warns
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

BASE = "/api/v1/draws"
FOOD_LICENCE = "34010300010000"
Headers = Callable[..., dict[str, str]]


@pytest.fixture
def client(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The support world, a licence, two catalog items; the API on the test's store."""
    monkeypatch.setenv("HUB_ENV", "test")
    monkeypatch.setenv("HUB_SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("HUB_DATA_KEYS", "t1:" + base64.b64encode(os.urandom(32)).decode())
    clear_caches()
    with Session(engine) as session, session.begin():
        seed_world(session)
        session.add(
            Licensing(
                action_number="XK-1",
                department_code=MARKET,
                entity_uscc=uscc(11),
                catalog_code=FOOD_LICENCE,
                decision="granted",
                content_hash="x",
            )
        )
        for code, manner in (("34010100010000", "双随机抽查"), ("34010100020000", "日常检查")):
            session.add(
                CatalogItem(
                    code=code,
                    name=f"事项{code}",
                    department_code=MARKET,
                    region_code="340100",
                    supervision_manner=manner,
                    status="published",
                    content_hash="x",
                )
            )
    from hub.api.app import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


@pytest.fixture
def headers() -> Headers:
    def make(
        role: str = "officer", department: str = MARKET, region: str = "340100"
    ) -> dict[str, str]:
        principal = Principal(f"{role}.{department}", role, department, region)
        return {"Authorization": f"Bearer {issue_token(principal)}"}

    return make


def run_over_api(client: TestClient, auth: dict[str, str]) -> int:
    created = client.post(BASE, json=plan(), headers=auth)
    assert created.status_code == 201, created.text
    draw_id: int = created.json()["id"]
    for step, body in (
        ("freeze", None),
        ("commit", None),
        ("public-value", {"value": PUBLIC_VALUE, "source": PUBLIC_SOURCE}),
        ("draw", None),
        ("reveal", None),
        ("assign", None),
    ):
        answer = client.post(f"{BASE}/{draw_id}/{step}", json=body, headers=auth)
        assert answer.status_code == 200, (step, answer.text)
    return draw_id


def test_every_endpoint_needs_a_token(client: TestClient) -> None:
    for path in ("", "/1", "/items", "/entities", "/inspectors", "/statistics", "/1/picks"):
        assert client.get(BASE + path).status_code == 401
    assert client.post(BASE, json=plan()).status_code == 401
    assert client.post(f"{BASE}/1/freeze").status_code == 401


def test_a_draw_made_over_the_api_verifies_and_shows_picks_teams_and_statistics(
    client: TestClient, headers: Headers, engine: Engine
) -> None:
    auth = headers()
    draw_id = run_over_api(client, auth)
    body = client.get(f"{BASE}/{draw_id}", headers=auth).json()
    assert body["status"] == "assigned" and len(body["seed"]) == 64
    assert body["candidate_counts"] == {"A": 15, "B": 26, "C": 15, "D": 19}
    assert body["left_out_by_frequency_cap"] == {"A": 0, "B": 0, "C": 0, "D": 0}
    with Session(engine) as session:
        assert verify_draw(session, draw_id).ok

    picks = client.get(f"{BASE}/{draw_id}/picks", headers=auth).json()
    assert len(picks) == 19 and all(len(pick["inspectors"]) == 2 for pick in picks)
    assignments = client.get(f"{BASE}/{draw_id}/assignments", headers=auth).json()
    assert assignments["total"] == 38
    per_class = {s: sum(p["stratum"] == s for p in picks) for s in ("A", "B", "C", "D")}

    stats = client.get(f"{BASE}/statistics", params={"year": 2026}, headers=auth).json()
    assert stats["draws"] == 1 and stats["drawn_per_class"] == per_class
    market = stats["workloads"]  # an officer sees the workload of his department
    assert {load["department_code"] for load in market} == {MARKET}
    assert sum(load["assignments"] for load in market) == 19  # one place per team
    every = client.get(f"{BASE}/statistics", headers=headers(role="leader")).json()
    assert every["workload"]["assignments"] == 38 and every["workload"]["inspectors"] == 9
    assert every["workload"]["most"] - every["workload"]["least"] <= 4  # balanced
    busiest = market[0]["certificate_number"]
    workload = client.get(f"{BASE}/inspectors/{busiest}/workload", headers=auth).json()
    assert workload == [market[0]]
    assert (
        client.get(f"{BASE}/statistics", params={"year": 2025}, headers=auth).json()[
            "drawn_per_class"
        ]
        == {}
    )


def test_another_department_neither_sees_nor_acts_on_the_draw(
    client: TestClient, headers: Headers
) -> None:
    draw_id = run_over_api(client, headers())
    other = headers(department="HBJ-3402", region="340200")
    for path in (f"/{draw_id}", f"/{draw_id}/picks", f"/{draw_id}/assignments"):
        assert client.get(BASE + path, headers=other).status_code == 404
    assert client.post(f"{BASE}/{draw_id}/reveal", headers=other).status_code == 404
    assert client.get(BASE, headers=other).json()["total"] == 0
    assert client.get(f"{BASE}/statistics", headers=other).json()["drawn_per_class"] == {}
    # the health bureau of the same city took part: it sees its inspectors' workload only
    health = client.get(f"{BASE}/statistics", headers=headers(department=HEALTH)).json()
    assert health["workloads"] and {w["department_code"] for w in health["workloads"]} == {HEALTH}
    assert health["drawn_per_class"] == {}  # the draw is the market regulator's


def test_a_plan_in_another_name_or_area_is_refused(client: TestClient, headers: Headers) -> None:
    auth = headers()
    assert client.post(BASE, json=plan(department_code=HEALTH), headers=auth).status_code == 403
    assert client.post(BASE, json=plan(region_code="340200"), headers=auth).status_code == 403
    draft = client.post(BASE, json=plan(), headers=auth).json()["id"]
    edited = client.put(f"{BASE}/{draft}/plan", json=plan(department_code=HEALTH), headers=auth)
    assert edited.status_code == 403
    integrator = headers(role="integrator")
    assert client.post(BASE, json=plan(), headers=integrator).status_code == 403


def test_bad_plans_and_steps_out_of_order_are_422_and_change_nothing(
    client: TestClient, headers: Headers
) -> None:
    auth = headers()
    refused = client.post(BASE, json=plan(quotas={"A": {"ratio": "2"}}, items=[]), headers=auth)
    assert refused.status_code == 422
    assert "items" in refused.json()["detail"] and "ratio" in refused.json()["detail"]
    draft = client.post(BASE, json=plan(), headers=auth).json()["id"]
    assert client.post(f"{BASE}/{draft}/draw", headers=auth).status_code == 422
    edited = client.put(f"{BASE}/{draft}/plan", json=plan(name="改名"), headers=auth)
    assert edited.status_code == 200 and edited.json()["name"] == "改名"
    assert client.post(f"{BASE}/{draft}/freeze", headers=auth).status_code == 200
    assert client.put(f"{BASE}/{draft}/plan", json=plan(), headers=auth).status_code == 422
    blank = client.post(
        f"{BASE}/{draft}/public-value", json={"value": "", "source": "x"}, headers=auth
    )
    assert blank.status_code == 422
    assert client.get(f"{BASE}/{draft}", headers=auth).json()["status"] == "frozen"


def test_the_entity_library_filters_and_pages(client: TestClient, headers: Headers) -> None:
    auth = headers()

    def entities(**params: object) -> dict[str, object]:
        answer = client.get(f"{BASE}/entities", params=params, headers=auth)
        assert answer.status_code == 200, answer.text
        result: dict[str, object] = answer.json()
        return result

    everything = entities(page_size=200)
    assert everything["total"] == 80
    page = entities(page_size=7, page=2)
    assert page["total"] == 80 and len(page["items"]) == 7  # type: ignore[arg-type]
    d_class = entities(credit_class="D", status="active", page_size=200)
    assert d_class["total"] == 19
    assert {item["credit_class"] for item in d_class["items"]} == {"D"}  # type: ignore[attr-defined]
    assert entities(credit_class="none", page_size=200)["total"] == 8
    licensed = entities(licensed_item=FOOD_LICENCE)
    assert [item["uscc"] for item in licensed["items"]] == [uscc(11)]  # type: ignore[attr-defined]
    assert entities(region="340102", page_size=200)["total"] == 40
    assert entities(status="deregistered")["total"] == 5
    other = headers(department="HBJ-3402", region="340200")
    assert client.get(f"{BASE}/entities", headers=other).json()["total"] == 0


def test_the_inspector_library_and_the_item_list(client: TestClient, headers: Headers) -> None:
    leader = headers(role="leader")
    everyone = client.get(f"{BASE}/inspectors", headers=leader).json()
    assert everyone["total"] == 12  # leaders see every department of their area
    assert "name" not in everyone["items"][0]
    drawable = client.get(
        f"{BASE}/inspectors",
        params={"qualification": "food_safety", "drawable": "true"},
        headers=leader,
    ).json()
    assert drawable["total"] == 6  # seven market officers, one without the qualification
    own = client.get(f"{BASE}/inspectors", headers=headers()).json()
    assert own["total"] == 8 and {i["department_code"] for i in own["items"]} == {MARKET}
    other = headers(department="HBJ-3402", region="340200")
    assert client.get(f"{BASE}/inspectors", headers=other).json()["total"] == 0
    assert client.get(f"{BASE}/inspectors/SCJG0001/workload", headers=other).status_code == 404

    items = client.get(f"{BASE}/items", headers=headers()).json()
    assert [item["code"] for item in items["items"]] == ["34010100010000"]
    assert client.get(f"{BASE}/items", headers=other).json()["total"] == 0


def test_problem_rates_per_class_and_item_read_the_recorded_results(
    client: TestClient, headers: Headers, engine: Engine
) -> None:
    """Eight results: the even ones the market regulator's item, problems found at 0 and 4;
    the odd ones the health bureau's item, no problem."""
    auth = headers()
    draw_id = run_over_api(client, auth)
    picks = client.get(f"{BASE}/{draw_id}/picks", headers=auth).json()[:8]
    items = {MARKET: "34010100010000", HEALTH: "34010200030000"}
    with Session(engine) as session, session.begin():
        for number, pick in enumerate(picks):
            department = MARKET if number % 2 == 0 else HEALTH
            inspection = Inspection(
                action_number=f"SJ-{number}",
                department_code=department,
                entity_uscc=pick["uscc"],
                content_hash="x",
            )
            session.add(inspection)
            session.flush()
            session.add(
                InspectionResult(
                    draw_id=draw_id,
                    entity_uscc=pick["uscc"],
                    stratum=pick["stratum"],
                    catalog_code=items[department],
                    department_code=department,
                    result_number=f"R-{number}",
                    inspection_id=inspection.id,
                    result_code="02" if number % 4 == 0 else "01",
                    problem_found=number % 4 == 0,
                    officers=pick["inspectors"],
                    inspection_ended_at=datetime(2026, 4, 1, tzinfo=UTC),
                    recorded_by="test",
                    publication_due_at=datetime(2026, 4, 29, tzinfo=UTC),
                    publication_provisional=False,
                )
            )
    stats = client.get(f"{BASE}/statistics", headers=headers(role="leader")).json()
    assert stats["problem_rate_per_item"] == [
        {"group": items[MARKET], "inspected": 4, "with_problems": 2, "rate": 0.5},
        {"group": items[HEALTH], "inspected": 4, "with_problems": 0, "rate": 0.0},
    ]
    expected: dict[str, list[int]] = {}
    for number, pick in enumerate(picks):
        counts = expected.setdefault(pick["stratum"], [0, 0])
        counts[0] += 1
        counts[1] += number % 4 == 0
    per_class = {
        rate["group"]: [rate["inspected"], rate["with_problems"]]
        for rate in stats["problem_rate_per_class"]
    }
    assert per_class == expected
    health = client.get(f"{BASE}/statistics", headers=headers(department=HEALTH)).json()
    assert [rate["group"] for rate in health["problem_rate_per_item"]] == [items[HEALTH]]
    other = headers(department="HBJ-3402", region="340200")
    assert client.get(f"{BASE}/statistics", headers=other).json()["problem_rate_per_item"] == []


def test_results_are_recorded_listed_and_queued_for_publication_once(
    client: TestClient, headers: Headers, engine: Engine
) -> None:
    auth = headers()
    draw_id = run_over_api(client, auth)
    first = client.get(f"{BASE}/{draw_id}/picks", headers=auth).json()[0]
    body = {"entity_uscc": first["uscc"], "result_code": "02", "findings": "未按规定留样，责令改正"}
    url = f"{BASE}/{draw_id}/results"

    assert client.post(url, json={**body, "ended_at": _now()}).status_code == 401
    outsider = headers(department="HBJ-3402", region="340200")
    assert client.post(url, json={**body, "ended_at": _now()}, headers=outsider).status_code == 404
    recorded = client.post(url, json={**body, "ended_at": _now()}, headers=auth)
    assert recorded.status_code == 201, recorded.text
    result = recorded.json()
    assert (result["entity_uscc"], result["problem_found"]) == (first["uscc"], True)
    assert result["publication_due_at"] > result["inspection_ended_at"]
    again = client.post(url, json={**body, "ended_at": _now()}, headers=auth)
    assert again.status_code == 422  # one result per drawn entity

    assert [row["id"] for row in client.get(url, headers=auth).json()] == [result["id"]]
    assert client.get(url, headers=headers(department=HEALTH)).json() == []  # not its result
    assert client.get(url, headers=outsider).status_code == 404

    publish = f"{BASE}/{draw_id}/publish"
    assert client.post(publish, headers=auth).json() == {"queued": 1}
    assert client.post(publish, headers=auth).json() == {"queued": 0}
    with Session(engine) as session:
        stored = session.get_one(InspectionResult, result["id"])
        assert stored.publication_key is not None and stored.publication_requested_at is not None


def _now() -> str:
    return datetime.now(UTC).isoformat()
