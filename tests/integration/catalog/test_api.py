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
    assert stats["by_department"] == {"SCJG-3401": 1}  # the claiming department, not SCJG
    scoped = _ok(client.get("/api/v1/catalog/statistics", headers=officer))
    assert scoped["total"]["main_items"] == 1  # claimed by the officer's department
    wuhu = _ok(
        client.get("/api/v1/catalog/statistics", headers=headers("officer", "SCJG-3402", "340200"))
    )
    assert wuhu["total"]["main_items"] == 0
    assert client.get("/api/v1/catalog/statistics").status_code == 401


def _published(client: TestClient, headers: Headers) -> str:
    officer, leader = headers(), headers("leader")
    body = {
        **ITEM,
        "legal_basis": "《安徽省价格条例》第二十四条",
        "supervision_manner": "双随机抽查",
    }
    code: str = _ok(client.post("/api/v1/catalog", json=body, headers=officer), 201)["code"]
    for step, who in (("submit", officer), ("review", leader), ("publish", leader)):
        _ok(client.post(f"/api/v1/catalog/{code}/{step}", json={"reason": step}, headers=who))
    return code


def test_the_basis_is_linked_to_knowledge_base_articles(
    client: TestClient, headers: Headers, engine: Engine
) -> None:
    with Session(engine) as session, session.begin():
        cited = {"law_code": "DF0001", "content_hash": "0" * 32}
        session.add_all(
            [
                Law(**cited, title="安徽省价格条例", kind="local_regulation"),
                LawArticle(**cited, article_number="24", text="第二十四条 ……"),
            ]
        )
    code = _published(client, headers)
    officer, stranger = headers(), headers("officer", "SCJG-3402", "340200")
    link = {"law_code": "DF0001", "article_number": "24", "reason": "依据第二十四条"}
    unknown = client.post(
        f"/api/v1/catalog/{code}/bases", json={**link, "article_number": "99"}, headers=officer
    )
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "law DF0001 has no article 99 in the knowledge base"
    no_law = client.post(
        f"/api/v1/catalog/{code}/bases", json={**link, "law_code": "FL9"}, headers=officer
    )
    assert no_law.status_code == 404 and "no law FL9" in no_law.json()["detail"]
    assert client.post(f"/api/v1/catalog/{code}/bases", json=link).status_code == 401
    assert (
        client.post(f"/api/v1/catalog/{code}/bases", json=link, headers=stranger).status_code == 404
    )
    linked = _ok(client.post(f"/api/v1/catalog/{code}/bases", json=link, headers=officer), 201)
    assert [(row["law_code"], row["article_number"], row["text"]) for row in linked] == [
        ("DF0001", "24", "第二十四条 ……")
    ]
    again = client.post(f"/api/v1/catalog/{code}/bases", json=link, headers=officer)
    assert again.status_code == 422 and "already cites" in again.json()["detail"]
    detail = _ok(client.get(f"/api/v1/public/catalog/{code}"))
    assert [(b["law_code"], b["title"]) for b in detail["bases"]] == [("DF0001", "安徽省价格条例")]
    assert _ok(client.get(f"/api/v1/catalog/{code}", headers=officer))["status"] == "published"

    removed = client.delete(
        f"/api/v1/catalog/{code}/bases",
        params={"law_code": "DF0001", "article_number": "24", "reason": "引用有误"},
        headers=officer,
    )
    assert _ok(removed) == []
    history = _ok(client.get(f"/api/v1/catalog/{code}/versions", headers=officer))
    assert [v["action"] for v in history][-2:] == ["link_basis", "unlink_basis"]
    assert history[-1]["reason"] == "引用有误" and history[-2]["changed"] == ["bases"]
    assert _ok(client.get(f"/api/v1/public/catalog/{code}"))["bases"] == []
    assert _ok(client.get(f"/api/v1/catalog/{code}/bases", headers=officer)) == []


def test_implementation_list_lines_are_made_listed_and_withdrawn(
    client: TestClient, headers: Headers
) -> None:
    from standards.codes import uscc_check_character

    agency = "11340100MB000001" + "2"
    agency += uscc_check_character(agency)
    code = _published(client, headers)
    officer, leader = headers(), headers("leader")
    stranger = headers("officer", "SCJG-3402", "340200")
    line = {
        "region_code": "340100",
        "department_code": "SCJG-3401",
        "agency_uscc": agency,
        "agency_name": "合肥市市场监督管理局",
    }
    made = _ok(
        client.post(f"/api/v1/catalog/{code}/implementations", json=line, headers=officer), 201
    )
    assert (made["code"], made["status"], made["level_digit"]) == (
        f"{agency}2000001",
        "active",
        "2",
    )
    county = {**line, "region_code": "340104", "level": "county"}
    second = _ok(
        client.post(f"/api/v1/catalog/{code}/implementations", json=county, headers=officer), 201
    )
    assert second["code"] == f"{agency}3000001"
    other_area = client.post(
        f"/api/v1/catalog/{code}/implementations",
        json={**line, "region_code": "340200", "department_code": "SCJG-3402"},
        headers=officer,
    )
    assert other_area.status_code == 403
    bad_agency = client.post(
        f"/api/v1/catalog/{code}/implementations",
        json={**line, "agency_uscc": agency[:-1] + ("0" if agency[-1] != "0" else "1")},
        headers=officer,
    )
    assert (
        bad_agency.status_code == 422 and "implementing agency code" in bad_agency.json()["detail"]
    )

    page = _ok(client.get("/api/v1/catalog/implementations", headers=officer))
    assert page["total"] == 2 and [i["code"] for i in page["items"]] == [
        made["code"],
        second["code"],
    ]
    assert _ok(client.get("/api/v1/catalog/implementations", headers=stranger))["total"] == 0
    one = _ok(client.get(f"/api/v1/catalog/implementations/{made['code']}", headers=officer))
    assert one["agency_name"] == "合肥市市场监督管理局"
    assert (
        client.get(f"/api/v1/catalog/implementations/{made['code']}", headers=stranger).status_code
        == 404
    )
    public = _ok(client.get(f"/api/v1/public/catalog/{code}"))
    assert [i["code"] for i in public["implementations"]] == [made["code"], second["code"]]
    assert "withdrawn_by" not in public["implementations"][0]

    withdraw = f"/api/v1/catalog/implementations/{made['code']}/withdraw"
    assert client.post(withdraw, json={"reason": "机构调整"}, headers=officer).status_code == 403
    gone = _ok(client.post(withdraw, json={"reason": "机构调整"}, headers=leader))
    assert (gone["status"], gone["withdrawn_by"], gone["withdrawal_reason"]) == (
        "withdrawn",
        "leader.SCJG-3401",
        "机构调整",
    )
    assert client.post(withdraw, json={"reason": "x"}, headers=leader).status_code == 422
    active = _ok(
        client.get("/api/v1/catalog/implementations", params={"status": "active"}, headers=officer)
    )
    assert [i["code"] for i in active["items"]] == [second["code"]]
    public = _ok(client.get(f"/api/v1/public/catalog/{code}"))
    assert [i["code"] for i in public["implementations"]] == [second["code"]]


def test_statistics_name_the_level_of_each_region(client: TestClient, headers: Headers) -> None:
    _published(client, headers)
    stats = _ok(client.get("/api/v1/catalog/statistics", headers=headers()))
    rows = {row["group"]: row for row in stats["coverage_by_region"]}
    assert (rows["340100"]["level"], rows["340100"]["main_items"]) == ("city", 1)
    assert (rows["340104"]["level"], rows["340104"]["main_items"]) == ("county", 1)
    assert "340000" not in rows  # the officer's scope is Hefei
    assert stats["coverage_by_department"][0]["level"] is None
