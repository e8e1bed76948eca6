"""``GET /api/v1/public/approvals``: open, paginated, filtered, no personal data."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.exceptions import StarletteDeprecationWarning

from hub.collaboration import approvals
from hub.store.models.collaboration import ApprovalClaim
from hub.workflow import Actor
from tests.unit.collaboration.records import store_licensing

with warnings.catch_warnings():  # as tests/unit/api/conftest.py: httpx fallback warns
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

OWNER = "张个体"
ID_NUMBER = "11010519491231002X"
NOTE = "负责人张个体电话13955501234"


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with Session(engine) as session, session.begin():
        store_licensing(session)
        store_licensing(session, action_name="公共场所卫生许可", department_code="WSJK-3401")
        store_licensing(
            session,
            entity_name=OWNER,
            counterpart_kind="other",
            counterpart_id_type="citizen_id",
            counterpart_id=ID_NUMBER,
        )
        store_licensing(session)  # claimed, never supervised: not published
    approvals.take_new_licensing_events(engine)
    with Session(engine) as session, session.begin():
        claims = session.scalars(select(ApprovalClaim).order_by(ApprovalClaim.id)).all()
        for claim in claims:
            actor = Actor("officer", claim.department_code, "officer")
            approvals.fire_claim(session, claim, "claim", actor)
        for claim in claims[:3]:
            actor = Actor("officer", claim.department_code, "officer")
            approvals.report_supervision(session, claim, actor, result="no_problem", note=NOTE)
    from hub.api.app import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


def test_published_results_are_paged_and_filtered(client: TestClient) -> None:
    first = client.get("/api/v1/public/approvals?page_size=2").json()
    second = client.get("/api/v1/public/approvals?page_size=2&page=2").json()
    assert (first["total"], len(first["items"]), len(second["items"])) == (3, 2, 1)
    numbers = {i["case_number"] for i in first["items"] + second["items"]}
    assert len(numbers) == 3
    health = client.get("/api/v1/public/approvals?department=WSJK-3401").json()
    assert [i["item_name"] for i in health["items"]] == ["公共场所卫生许可"]
    assert client.get("/api/v1/public/approvals?region=3402").json()["total"] == 0
    assert client.get("/api/v1/public/approvals?page_size=501").status_code == 422


def test_no_personal_data_is_ever_published(client: TestClient) -> None:
    answer = client.get("/api/v1/public/approvals?page_size=500")
    for private in (OWNER, ID_NUMBER, "13955501234", "示例路"):
        assert private not in answer.text
    names = {i["entity_name"] for i in answer.json()["items"]}
    assert names == {"合肥示例餐饮有限公司", None}
    assert all(i["result"] == "未发现问题" for i in answer.json()["items"])
