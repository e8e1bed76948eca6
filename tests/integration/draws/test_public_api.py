"""``/api/v1/public/draws``: open, published draws only, re-run and checked on every read."""

from __future__ import annotations

import base64
import os
import secrets
import warnings
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.exceptions import StarletteDeprecationWarning

from hub.draws import service
from hub.store.models.draws import Draw
from tests.conftest import clear_caches
from tests.draws_support import ACTOR, AS_OF, SEED, plan, run_lifecycle, seed_world

with warnings.catch_warnings():  # as tests/unit/api/conftest.py: httpx fallback warns
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

BASE = "/api/v1/public/draws"


@pytest.fixture
def client(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """Draw 1 assigned, draw 2 committed, draw 3 a draft; the API without any token."""
    monkeypatch.setenv("HUB_ENV", "test")
    monkeypatch.setenv("HUB_SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("HUB_DATA_KEYS", "t1:" + base64.b64encode(os.urandom(32)).decode())
    clear_caches()
    with Session(engine) as session, session.begin():
        seed_world(session)
        run_lifecycle(session)
        committed = service.create_plan(session, plan(name="第二批"), ACTOR)
        service.freeze(session, committed.id, ACTOR, as_of=AS_OF)
        service.commit(session, committed.id, ACTOR, seed=SEED)
        service.create_plan(session, plan(name="草稿"), ACTOR)
    from hub.api.app import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


def test_the_list_shows_published_draws_with_their_status(client: TestClient) -> None:
    body = client.get(BASE).json()
    assert body["total"] == 2
    assert [(item["id"], item["status"]) for item in body["items"]] == [
        (2, "committed"),
        (1, "assigned"),
    ]
    assert all(len(item["commitment"]) == 64 for item in body["items"])


def test_a_revealed_draw_is_re_run_and_shows_entities_and_teams(client: TestClient) -> None:
    body = client.get(f"{BASE}/1").json()
    assert body["verified"] is True
    assert {check["name"] for check in body["checks"]} >= {"commitment", "picks", "teams"}
    assert body["seed"] == SEED.hex() and len(body["draw_key"]) == 64
    assert body["candidate_counts"] == {"A": 15, "B": 26, "C": 15, "D": 19}
    first = body["picks"][0]
    assert first["stratum"] == "A" and first["rank"] == 1
    assert first["name"].startswith("合肥市样例餐饮店") and len(first["inspectors"]) == 2
    assert len(body["picks"]) == 19


def test_before_the_reveal_only_the_commitment_and_plan_are_shown(client: TestClient) -> None:
    body = client.get(f"{BASE}/2").json()
    assert body["status"] == "committed" and body["plan"]["name"] == "第二批"
    assert body["seed"] is None and body["draw_key"] is None and body["picks"] == []
    assert body["verified"] is None
    assert client.get(f"{BASE}/2/candidates", params={"stratum": "A"}).status_code == 404


def test_drafts_and_unknown_draws_are_not_found(client: TestClient) -> None:
    assert client.get(f"{BASE}/3").status_code == 404
    assert client.get(f"{BASE}/99").status_code == 404


def test_the_candidate_lists_and_the_pool_are_published_in_hashed_order(
    client: TestClient,
) -> None:
    page = client.get(f"{BASE}/1/candidates", params={"stratum": "B", "page_size": 5}).json()
    assert page["total"] == 26 and len(page["items"]) == 5
    ids = [item["id"] for item in page["items"]]
    assert ids == sorted(ids)
    pool = client.get(f"{BASE}/1/inspectors").json()
    assert pool["total"] == 11
    assert set(pool["items"][0]) == {"id", "department", "qualifications", "load", "avoid"}


def test_a_forged_draw_is_shown_as_failing(client: TestClient, engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        session.get_one(Draw, 1).seed = "cd" * 32
    body = client.get(f"{BASE}/1").json()
    assert body["verified"] is False
    failed = {check["name"] for check in body["checks"] if not check["passed"]}
    assert {"seed", "commitment", "picks"} <= failed
