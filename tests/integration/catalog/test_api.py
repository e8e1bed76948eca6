"""The catalog over HTTP: work endpoints with tokens and scope, the public catalog open."""

from __future__ import annotations

import base64
import os
import secrets
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.exceptions import StarletteDeprecationWarning

from hub.settings import get_settings
from hub.store.models.knowledge import CatalogBasis, Law, LawArticle
from tests.catalog_support import national_item
from tests.conftest import clear_caches

with warnings.catch_warnings():  # as tests/unit/api/conftest.py: httpx fallback warns
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

Headers = Callable[..., dict[str, str]]
ITEM = {
    "name": "对校外培训机构收费行为的监督检查",
    "department_code": "SCJG-3401",
    "supervision_type": "行政检查",
    "objects": "校外培训机构",
    "measures": "现场检查",
    "reason": "新增地方事项",
}


@pytest.fixture
def client(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The API on the engine's store, with test (not development) secrets."""
    monkeypatch.setenv("HUB_ENV", "test")
    monkeypatch.setenv("HUB_SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("HUB_DATA_KEYS", "t1:" + base64.b64encode(os.urandom(32)).decode())
    clear_caches()
    from hub.api.app import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


@pytest.fixture
def headers(client: TestClient) -> Headers:
    from hub.security.tokens import Principal, issue_token

    def make(role: str = "officer", department: str = "SCJG-3401", region: str = "340100") -> dict:
        principal = Principal(f"{role}.{department}", role, department, region)
        return {"Authorization": f"Bearer {issue_token(principal, settings=get_settings())}"}

    return make


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_an_item_is_drafted_reviewed_published_and_shown_to_the_public(
    client: TestClient, headers: Headers
) -> None:
    officer, leader = headers(), headers("leader")
    created = _ok(client.post("/api/v1/catalog", json=ITEM, headers=officer), 201)
    code = created["code"]
    assert (code, created["status"], created["responsible_department"]) == (
        "34010100010000",
        "draft",
        "SCJG-3401",
    )
    _ok(client.post(f"/api/v1/catalog/{code}/submit", json={"reason": "提交"}, headers=officer))
    refused = client.post(
        f"/api/v1/catalog/{code}/review", json={"reason": "同意"}, headers=officer
    )
    assert refused.status_code == 403  # officers do not review
    _ok(client.post(f"/api/v1/catalog/{code}/review", json={"reason": "同意"}, headers=leader))
    missing = client.post(
        f"/api/v1/catalog/{code}/publish", json={"reason": "发布"}, headers=leader
    )
    assert missing.status_code == 422
    assert missing.json()["detail"] == (
        f"cannot publish catalog item {code}: missing legal_basis (设定依据), "
        "supervision_manner (监管方式)"
    )
    edited = client.patch(
        f"/api/v1/catalog/{code}",
        json={
            "legal_basis": "《安徽省价格条例》第二十四条",
            "supervision_manner": "双随机抽查",
            "reason": "补要素",
        },
        headers=officer,
    )
    assert _ok(edited)["status"] == "draft"
    for step, who in (("submit", officer), ("review", leader), ("publish", leader)):
        _ok(client.post(f"/api/v1/catalog/{code}/{step}", json={"reason": step}, headers=who))

    history = _ok(client.get(f"/api/v1/catalog/{code}/versions", headers=officer))
    assert [v["action"] for v in history] == [
        "create", "submit", "review", "edit", "submit", "review", "publish",
    ]  # fmt: skip
    assert history[3]["changed"] == ["supervision_manner", "legal_basis", "status"]
    assert history[0]["actor"] == "officer.SCJG-3401" and history[0]["reason"] == "新增地方事项"
    changes = _ok(client.get(f"/api/v1/catalog/{code}/diff?from=1&to=7", headers=officer))
    assert changes["changes"]["legal_basis"] == {
        "before": None,
        "after": "《安徽省价格条例》第二十四条",
    }
    assert (
        client.get(f"/api/v1/catalog/{code}/diff?from=1&to=99", headers=officer).status_code == 404
    )

    page = _ok(
        client.get("/api/v1/public/catalog", params={"keyword": "校外培训", "region": "340100"})
    )
    assert page["total"] == 1 and page["items"][0]["code"] == code
    assert _ok(client.get("/api/v1/public/catalog", params={"region": "340200"}))["total"] == 0
    assert _ok(client.get("/api/v1/public/catalog", params={"department": "SCJG"}))["total"] == 1
    assert _ok(client.get("/api/v1/public/catalog", params={"level": "county"}))["total"] == 0
    detail = _ok(client.get(f"/api/v1/public/catalog/{code}"))
    assert detail["legal_basis"] == "《安徽省价格条例》第二十四条"
    assert "responsibility_reason" not in detail

    _ok(client.post(f"/api/v1/catalog/{code}/withdraw", json={"reason": "废止"}, headers=leader))
    assert client.get(f"/api/v1/public/catalog/{code}").status_code == 404


def test_scope_refusals_and_the_public_404(client: TestClient, headers: Headers) -> None:
    officer, stranger = headers(), headers("officer", "SThJ-3402", "340200")
    assert client.post("/api/v1/catalog", json=ITEM).status_code == 401
    other_department = client.post(
        "/api/v1/catalog", json={**ITEM, "department_code": "SThJ-3401"}, headers=officer
    )
    assert other_department.status_code == 403
    other_area = client.post(
        "/api/v1/catalog", json={**ITEM, "department_code": "SCJG-3402"}, headers=headers("leader")
    )
    assert other_area.status_code == 403 and "outside your area" in other_area.json()["detail"]
    unknown = client.post(
        "/api/v1/catalog",
        json={**ITEM, "department_code": "HBJ-3401"},
        headers=headers("admin", "HUB", "000000"),
    )
    assert unknown.status_code == 422 and "unknown line 'HBJ'" in unknown.json()["detail"]
    code = _ok(client.post("/api/v1/catalog", json=ITEM, headers=officer), 201)["code"]
    duplicate = client.post("/api/v1/catalog", json={**ITEM, "code": code}, headers=officer)
    assert duplicate.status_code == 422 and "already used" in duplicate.json()["detail"]
    for request in (
        client.get(f"/api/v1/catalog/{code}", headers=stranger),
        client.get(f"/api/v1/catalog/{code}/versions", headers=stranger),
        client.post(f"/api/v1/catalog/{code}/submit", json={"reason": "x"}, headers=stranger),
    ):
        assert request.status_code == 404
    assert _ok(client.get("/api/v1/catalog", headers=stranger))["total"] == 0
    assert _ok(client.get("/api/v1/catalog", headers=officer))["total"] == 1
    assert client.get(f"/api/v1/public/catalog/{code}").status_code == 404  # a draft
    assert client.get("/api/v1/public/catalog/00000000000000").status_code == 404


def test_claims_responsibility_and_statistics(
    client: TestClient, headers: Headers, engine: Engine
) -> None:
    with Session(engine) as session, session.begin():
        national_item(session)
        national_item(session, "00020100010000", name="未认领的国家事项", department_code="SThJ")
        cited = {"law_code": "FL0001", "content_hash": "0" * 32}
        session.add_all(
            [
                Law(**cited, title="中华人民共和国食品安全法", kind="法律"),
                LawArticle(**cited, article_number="106", text="第一百零六条 ……"),
                CatalogBasis(**cited, catalog_code="00010100010000", article_number="106"),
            ]
        )
    officer, leader = headers(), headers("leader")
    assert client.get("/api/v1/public/catalog/00010100010000").status_code == 404  # unclaimed
    claim = {
        "region_code": "340100",
        "department_code": "SCJG-3401",
        "measures": "现场检查",
        "reason": "认领",
    }
    claims = _ok(client.post("/api/v1/catalog/00010100010000/claim", json=claim, headers=officer))
    assert [(c["region_code"], c["measures"]) for c in claims] == [("340100", "现场检查")]
    renamed = client.post(
        "/api/v1/catalog/00010100010000/claim", json={**claim, "name": "改名"}, headers=officer
    )
    assert renamed.status_code == 422 and "keeps the national name" in renamed.json()["detail"]
    elsewhere = client.post(
        "/api/v1/catalog/00010100010000/claim",
        json={**claim, "region_code": "340200"},
        headers=officer,
    )
    assert elsewhere.status_code == 403
    public = _ok(client.get("/api/v1/public/catalog", params={"region": "340100"}))
    assert [item["code"] for item in public["items"]] == ["00010100010000"]
    assert _ok(client.get("/api/v1/public/catalog"))["total"] == 1  # the unclaimed one is not
    detail = _ok(client.get("/api/v1/public/catalog/00010100010000"))
    assert detail["bases"] == [
        {
            "law_code": "FL0001",
            "title": "中华人民共和国食品安全法",
            "article_number": "106",
            "text": "第一百零六条 ……",
        }
    ]
    assert detail["claims"][0]["department_code"] == "SCJG-3401"

    code = _ok(client.post("/api/v1/catalog", json=ITEM, headers=officer), 201)["code"]
    no_reason = client.put(
        f"/api/v1/catalog/{code}/responsibility",
        json={"department_code": "WHLY-3401", "reason": ""},
        headers=leader,
    )
    assert no_reason.status_code == 422
    moved = _ok(
        client.put(
            f"/api/v1/catalog/{code}/responsibility",
            json={"department_code": "WHLY-3401", "reason": "三定方案"},
            headers=leader,
        )
    )
    assert (moved["responsible_department"], moved["responsibility_rule"]) == (
        "WHLY-3401",
        "override",
    )
    restored = _ok(
        client.post(
            f"/api/v1/catalog/{code}/responsibility/restore",
            json={"reason": "撤回"},
            headers=leader,
        )
    )
    assert (restored["responsible_department"], restored["responsibility_rule"]) == (
        "SCJG-3401",
        "competent",
    )

    stats = _ok(client.get("/api/v1/catalog/statistics", headers=headers("admin", "HUB", "000000")))
    assert stats["total"]["main_items"] == 1 and stats["never_used"] == ["00010100010000"]
    assert stats["by_department"] == {"SCJG": 1}
    scoped = _ok(client.get("/api/v1/catalog/statistics", headers=officer))
    assert scoped["total"]["main_items"] == 0  # the national item is not the officer's
    assert client.get("/api/v1/catalog/statistics").status_code == 401
