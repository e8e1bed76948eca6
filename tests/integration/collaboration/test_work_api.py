"""The collaboration work API over HTTP: tokens, department scope (403 asking for another
department's inbox, 404 for what another department holds), transitions through the
engine (422 refused, 409 stale), notices, assistance, campaigns and claims end to end."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.exceptions import StarletteDeprecationWarning

from hub.cases.intake import intake_pending
from hub.collaboration.approvals import take_new_licensing_events
from hub.security.tokens import Principal, issue_token
from hub.store.models.cases import Case
from hub.workflow.deadlines import check_time_limits
from tests.unit.cases.complaints import store_complaint
from tests.unit.collaboration.records import store_inspection, store_licensing

with warnings.catch_warnings():  # as tests/unit/api/conftest.py: httpx fallback warns
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

CITY_MARKET = Principal("officer.wang", "officer", "SCJG-3401", "340100")
ECOLOGY = Principal("officer.li", "officer", "SThJ-3401", "340100")
SAFETY = Principal("officer.sun", "officer", "YJGL-3401", "340100")
SHUSHAN = Principal("officer.zhou", "officer", "SCJG-340104", "340104")
YAOHAI = Principal("officer.qian", "officer", "SCJG-340102", "340102")
DISPATCHER = Principal("dispatcher.li", "officer", "SJZY-34", "340000")
LEADER = Principal("leader.chen", "leader", "SCJG-34", "340000")
INSPECTION = "SCJG-3401-JC-900001"
PREFIX = "/api/v1/collaboration"


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with Session(engine) as session, session.begin():
        store_inspection(session, action_number=INSPECTION)
        store_licensing(session)
    take_new_licensing_events(engine)
    from hub.api.app import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


def _as(principal: Principal) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(principal)}"}


def _notice(client: TestClient) -> dict[str, object]:
    sent = client.post(
        f"{PREFIX}/notices",
        json={
            "origin_type": "inspection",
            "origin_reference": INSPECTION,
            "title": "检查发现疑似非法排污",
            "content": "企业后院有排污管道直通河道",
            "recipients": ["SThJ-3401", "YJGL-3401"],
        },
        headers=_as(CITY_MARKET),
    )
    assert sent.status_code == 201, sent.text
    notice: dict[str, object] = sent.json()
    return notice


def test_every_endpoint_needs_a_token(client: TestClient) -> None:
    for method, path in (
        ("GET", "/notices/inbox"),
        ("POST", "/notices"),
        ("GET", "/assistance/inbox"),
        ("POST", "/campaigns"),
        ("GET", "/campaigns/tasks/inbox"),
        ("GET", "/approvals/inbox"),
        ("POST", "/approvals/1/claim"),
        ("GET", "/feedback"),
    ):
        answer = client.request(method, f"{PREFIX}{path}", json={})
        assert answer.status_code == 401, path
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_notice_goes_round_and_its_sender_is_told(client: TestClient) -> None:
    _notice(client)
    inbox = client.get(f"{PREFIX}/notices/inbox", headers=_as(ECOLOGY)).json()
    assert inbox["total"] == 1
    mine = inbox["items"][0]
    assert (mine["standing"]["state"], mine["sender_department"]) == ("sent", "SCJG-3401")
    url = f"{PREFIX}/notices/inbox/{mine['id']}"

    assert client.post(f"{url}/receive", json={}, headers=_as(SAFETY)).status_code == 404
    received = client.post(f"{url}/receive", json={"expected_state": "sent"}, headers=_as(ECOLOGY))
    assert received.json()["standing"]["state"] == "received"
    stale = client.post(f"{url}/report", json={"expected_state": "sent"}, headers=_as(ECOLOGY))
    assert stale.status_code == 409
    refused = client.post(f"{url}/report", json={}, headers=_as(ECOLOGY))
    assert refused.status_code == 422 and "result: required" in refused.json()["detail"]
    reported = client.post(f"{url}/report", json={"result": "已立案"}, headers=_as(ECOLOGY))
    assert reported.json()["result"] == "已立案"

    told = client.get(f"{PREFIX}/feedback", headers=_as(CITY_MARKET)).json()
    assert [item["kind"] for item in told] == ["notice_result"]
    sent = client.get(f"{PREFIX}/notices/sent", headers=_as(CITY_MARKET)).json()
    states = {r["department_code"]: r["standing"]["state"] for r in sent[0]["recipients"]}
    assert states == {"SThJ-3401": "reported", "YJGL-3401": "sent"}


def test_inboxes_are_the_callers_department_only(client: TestClient) -> None:
    _notice(client)
    assert client.get(f"{PREFIX}/notices/inbox", headers=_as(SAFETY)).json()["total"] == 1
    assert client.get(f"{PREFIX}/notices/inbox", headers=_as(SHUSHAN)).json()["total"] == 0
    other = client.get(f"{PREFIX}/notices/inbox?department=SThJ-3401", headers=_as(SAFETY))
    assert other.status_code == 403
    as_leader = client.get(f"{PREFIX}/notices/inbox?department=SThJ-3401", headers=_as(LEADER))
    assert as_leader.json()["total"] == 1


def test_a_notice_only_from_the_senders_own_inspection(client: TestClient) -> None:
    answer = client.post(
        f"{PREFIX}/notices",
        json={
            "origin_type": "inspection",
            "origin_reference": INSPECTION,
            "title": "t",
            "content": "c",
            "recipients": ["SCJG-3401"],
        },
        headers=_as(ECOLOGY),
    )
    assert answer.status_code == 404
    unknown = client.post(
        f"{PREFIX}/notices",
        json={
            "origin_type": "inspection",
            "origin_reference": INSPECTION,
            "title": "t",
            "content": "c",
            "recipients": ["NOPE-3401"],
        },
        headers=_as(CITY_MARKET),
    )
    assert unknown.status_code == 422 and "NOPE" in unknown.json()["detail"]


def test_a_notice_from_a_case_by_the_department_handling_it(
    client: TestClient, engine: Engine
) -> None:
    with Session(engine) as session, session.begin():
        store_complaint(session, title="超市销售过期食品", content="超市后厨污水直排河道")
    intake_pending(engine)
    with Session(engine) as session:
        case = session.scalars(select(Case)).one()
    body = {
        "origin_type": "case",
        "origin_reference": case.tracking_no,
        "title": "投诉中发现污水直排线索",
        "content": "请核查排污情况",
        "recipients": ["SThJ-3401"],
    }
    assert client.post(f"{PREFIX}/notices", json=body, headers=_as(YAOHAI)).status_code == 404
    sent = client.post(f"{PREFIX}/notices", json=body, headers=_as(SHUSHAN))
    assert sent.status_code == 201, sent.text
    assert (sent.json()["origin_type"], sent.json()["sender_department"]) == (
        "case",
        "SCJG-340104",
    )
    inbox = client.get(f"{PREFIX}/notices/inbox", headers=_as(ECOLOGY)).json()
    assert [item["standing"]["state"] for item in inbox["items"]] == ["sent"]


def test_assistance_declined_with_its_reason_reaches_the_requester(client: TestClient) -> None:
    created = client.post(
        f"{PREFIX}/assistance",
        json={"department_code": "SThJ-3401", "subject": "协查排污许可", "content": "请核实"},
        headers=_as(SHUSHAN),
    )
    assert created.status_code == 201, created.text
    request_id = created.json()["id"]
    url = f"{PREFIX}/assistance/{request_id}"
    assert client.post(f"{url}/accept", json={}, headers=_as(SHUSHAN)).status_code == 404
    declined = client.post(f"{url}/decline", json={"reason": "非本部门职责"}, headers=_as(ECOLOGY))
    assert declined.json()["standing"]["state"] == "declined"
    sent = client.get(f"{PREFIX}/assistance/sent", headers=_as(SHUSHAN)).json()
    assert sent["items"][0]["decline_reason"] == "非本部门职责"
    told = client.get(f"{PREFIX}/feedback", headers=_as(SHUSHAN)).json()
    assert told[0]["kind"] == "assistance_declined"


def test_a_campaign_deployed_reported_and_followed(client: TestClient) -> None:
    created = client.post(
        f"{PREFIX}/campaigns",
        json={
            "name": "校园周边食品安全专项整治",
            "goal": "排查校园周边食品经营者",
            "starts_on": "2026-05-11",
            "ends_on": "2099-06-30",
            "departments": ["SCJG-340104", "SCJG-340102"],
            "regions": ["340104", "340102"],
        },
        headers=_as(CITY_MARKET),
    )
    assert created.status_code == 201, created.text
    campaign_id = created.json()["id"]
    tasks = [
        {"department_code": "SCJG-340104", "region_code": "340104", "instructions": "蜀山区"},
        {"department_code": "SCJG-340102", "region_code": "340102", "instructions": "瑶海区"},
    ]
    not_lead = client.post(
        f"{PREFIX}/campaigns/{campaign_id}/tasks", json={"tasks": tasks}, headers=_as(SHUSHAN)
    )
    assert not_lead.status_code == 404
    deployed = client.post(
        f"{PREFIX}/campaigns/{campaign_id}/tasks", json={"tasks": tasks}, headers=_as(CITY_MARKET)
    )
    assert deployed.status_code == 201, deployed.text
    inbox = client.get(f"{PREFIX}/campaigns/tasks/inbox", headers=_as(SHUSHAN)).json()
    task_id = inbox["items"][0]["id"]
    url = f"{PREFIX}/campaigns/tasks/{task_id}"
    assert client.post(f"{url}/receive", json={}, headers=_as(YAOHAI)).status_code == 404
    client.post(f"{url}/receive", json={}, headers=_as(SHUSHAN))
    for percent in (30, 70):
        progress = {"progress_percent": percent, "content": f"{percent}%"}
        assert (
            client.post(f"{url}/progress", json=progress, headers=_as(SHUSHAN)).status_code == 200
        )
    done = client.post(f"{url}/result", json={"result": "整改完毕"}, headers=_as(SHUSHAN))
    assert done.json()["standing"]["state"] == "completed"

    view = client.get(f"{PREFIX}/campaigns/{campaign_id}/completion", headers=_as(CITY_MARKET))
    assert (view.json()["tasks"], view.json()["completed"], view.json()["late"]) == (2, 1, 0)
    assert {row["department_code"]: row["progress_percent"] for row in view.json()["rows"]} == {
        "SCJG-340102": 0,
        "SCJG-340104": 100,
    }
    hidden = client.get(f"{PREFIX}/campaigns/{campaign_id}/completion", headers=_as(ECOLOGY))
    assert hidden.status_code == 404


def test_a_claim_is_claimed_and_its_result_published(client: TestClient) -> None:
    inbox = client.get(f"{PREFIX}/approvals/inbox", headers=_as(SHUSHAN)).json()
    assert inbox["total"] == 1
    claim = inbox["items"][0]
    assert (claim["rule"], claim["standing"]["state"]) == ("approval", "pending")
    url = f"{PREFIX}/approvals/{claim['id']}"
    assert client.post(f"{url}/claim", json={}, headers=_as(YAOHAI)).status_code == 404
    assert client.post(f"{url}/claim", json={}, headers=_as(SHUSHAN)).status_code == 200
    bad = client.post(f"{url}/result", json={"result": "fine"}, headers=_as(SHUSHAN))
    assert bad.status_code == 422
    result = {"result": "rectification_ordered", "note": "责令整改"}
    reported = client.post(f"{url}/result", json=result, headers=_as(SHUSHAN))
    assert reported.json()["standing"]["state"] == "supervised"
    public = client.get("/api/v1/public/approvals").json()
    assert public["total"] == 1 and public["items"][0]["result"] == "责令整改"


def test_reminders_and_escalations_reach_their_addressees(
    client: TestClient, engine: Engine
) -> None:
    friday = datetime(2026, 2, 13, 2, tzinfo=UTC)
    with time_machine.travel(friday, tick=False) as clock:
        created = client.post(
            f"{PREFIX}/assistance",
            json={"department_code": "SThJ-3401", "subject": "协查", "content": "请核实"},
            headers=_as(SHUSHAN),
        )
        assert created.status_code == 201
        clock.move_to(datetime(2026, 2, 20, 2, tzinfo=UTC))
        check_time_limits(engine=engine)
        clock.move_to(datetime(2026, 2, 25, 2, tzinfo=UTC))
        check_time_limits(engine=engine)
        reminded = client.get(f"{PREFIX}/alerts", headers=_as(ECOLOGY)).json()
        escalated = client.get(f"{PREFIX}/alerts", headers=_as(DISPATCHER)).json()
    assert [(a["workflow"], a["kind"], a["state"]) for a in reminded] == [
        ("assistance", "reminder", "requested")
    ]
    assert [(a["kind"], a["level"], a["department_code"]) for a in escalated] == [
        ("escalation", 1, "SThJ-3401")
    ]
