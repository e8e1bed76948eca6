"""The work API of cases: scoped inboxes, personal data in full only to the handling
department (audited), transitions with optimistic concurrency, triage queue, statistics."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.exceptions import StarletteDeprecationWarning

from hub.cases.handling import case_instance
from hub.cases.intake import intake_pending
from hub.security.tokens import Principal, issue_token
from hub.store.models.audit import AuditEntry
from hub.store.models.cases import Case
from tests.unit.cases.complaints import store_complaint

with warnings.catch_warnings():  # as tests/unit/api/conftest.py: httpx fallback warns
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

PHONE, NAME = "13866667777", "赵投诉"
HANDLER = Principal("officer.wang", "officer", "SCJG-340104", "340104")
NEIGHBOUR = Principal("officer.zhou", "officer", "SCJG-340102", "340102")
DISPATCHER = Principal("dispatcher.li", "officer", "SJZY-34", "340000")
LEADER = Principal("leader.chen", "leader", "SCJG-3401", "340100")


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with Session(engine) as session, session.begin():
        store_complaint(session, complainant_phone=PHONE, complainant_name=NAME)
        store_complaint(session, category="其他", title="咨询公积金", content="如何提取公积金")
        store_complaint(session, region_code="350102", complainant_phone="13900002222")
    intake_pending(engine)
    from hub.api.app import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


def _as(principal: Principal) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(principal)}"}


def _routed(engine: Engine) -> str:
    with Session(engine) as session:
        return session.scalars(select(Case.tracking_no).where(Case.routing_rule.is_not(None))).one()


def test_every_endpoint_needs_a_token(client: TestClient) -> None:
    for path in ("/api/v1/cases", "/api/v1/cases/triage", "/api/v1/cases/statistics"):
        assert client.get(path).status_code == 401


def test_the_inbox_holds_the_departments_cases_only(client: TestClient, engine: Engine) -> None:
    tracking_no = _routed(engine)
    mine = client.get("/api/v1/cases", headers=_as(HANDLER)).json()
    assert [item["tracking_no"] for item in mine["items"]] == [tracking_no]
    assert mine["items"][0]["state"] == "assigned" and not mine["items"][0]["overdue"]
    assert client.get("/api/v1/cases", headers=_as(NEIGHBOUR)).json()["total"] == 0
    assert client.get("/api/v1/cases?state=handling", headers=_as(HANDLER)).json()["total"] == 0
    refused = client.get("/api/v1/cases?department=SCJG-340104", headers=_as(NEIGHBOUR))
    assert refused.status_code == 403
    as_leader = client.get("/api/v1/cases?department=SCJG-340104", headers=_as(LEADER))
    assert as_leader.json()["total"] == 1


def test_personal_data_in_full_only_to_the_handler_and_each_view_audited(
    client: TestClient, engine: Engine
) -> None:
    tracking_no = _routed(engine)
    full = client.get(f"/api/v1/cases/{tracking_no}", headers=_as(HANDLER))
    assert full.status_code == 200
    assert full.json()["personal_data"] == "full"
    assert full.json()["originals"][0]["complainant_phone"] == PHONE
    masked = client.get(f"/api/v1/cases/{tracking_no}", headers=_as(DISPATCHER)).json()
    assert masked["personal_data"] == "masked"
    assert PHONE not in str(masked) and NAME not in str(masked)
    assert masked["originals"][0]["complainant_phone"] == "138****7777"
    assert client.get(f"/api/v1/cases/{tracking_no}", headers=_as(NEIGHBOUR)).status_code == 404
    with Session(engine) as session:
        views = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "case.view_personal")
        ).all()
        assert [(entry.actor, entry.department_code) for entry in views] == [
            ("officer.wang", "SCJG-340104")
        ]
        assert PHONE not in str(views[0].details)


def test_transitions_check_roles_and_refuse_a_stale_state(
    client: TestClient, engine: Engine
) -> None:
    tracking_no = _routed(engine)
    url = f"/api/v1/cases/{tracking_no}/transitions"
    taken = client.post(
        url,
        json={"transition": "start_handling", "expected_state": "assigned"},
        headers=_as(HANDLER),
    )
    assert taken.status_code == 200, taken.text
    assert taken.json()["state"] == "handling"
    assert taken.json()["available_transitions"] == ["return_dispatch", "answer"]
    stale = client.post(
        url,
        json={"transition": "start_handling", "expected_state": "assigned"},
        headers=_as(HANDLER),
    )
    assert stale.status_code == 409 and "is 'handling', not 'assigned'" in stale.json()["detail"]
    missing = client.post(
        url, json={"transition": "answer", "expected_state": "handling"}, headers=_as(HANDLER)
    )
    assert missing.status_code == 422 and "answer: required" in missing.json()["detail"]
    wrong_role = client.post(
        url,
        json={"transition": "answer", "expected_state": "handling", "fields": {"answer": "x"}},
        headers=_as(DISPATCHER),
    )
    assert (
        wrong_role.status_code == 422 and "may be fired by handler" in wrong_role.json()["detail"]
    )
    answered = client.post(
        url,
        json={"transition": "answer", "expected_state": "handling", "fields": {"answer": "已处理"}},
        headers=_as(HANDLER),
    )
    assert answered.status_code == 200 and answered.json()["answer"] == "已处理"
    history = [step["transition"] for step in answered.json()["history"]]
    assert history == ["start", "accept", "assign", "start_handling", "answer"]


def test_the_triage_queue_is_the_dispatching_centres(client: TestClient) -> None:
    queue = client.get("/api/v1/cases/triage", headers=_as(DISPATCHER))
    assert queue.status_code == 200
    reasons = sorted(item["triage_reason"].partition(":")[0] for item in queue.json()["items"])
    assert reasons == ["outside the province", "unknown category"]  # outside: still seen
    assert client.get("/api/v1/cases/triage", headers=_as(HANDLER)).status_code == 403


def test_statistics_count_what_the_caller_may_see(client: TestClient) -> None:
    everything = client.get("/api/v1/cases/statistics?by=category", headers=_as(DISPATCHER)).json()
    assert everything["total"]["cases"] == 3
    assert {group["group"]: group["cases"] for group in everything["groups"]} == {
        "food_safety": 2,
        "-": 1,
    }
    mine = client.get("/api/v1/cases/statistics", headers=_as(HANDLER)).json()
    assert mine["total"]["cases"] == 1 and mine["groups"][0]["group"] == "SCJG-340104"
    assert mine["total"]["on_time_rate"] is None  # nothing answered yet


def test_reminders_and_escalations_reach_their_addressees(
    client: TestClient, engine: Engine
) -> None:
    from datetime import timedelta

    from hub.store.base import utcnow
    from hub.workflow.deadlines import check_time_limits

    check_time_limits(now=utcnow(), engine=engine)  # assigned: due within a working day
    to_handler = client.get("/api/v1/cases/alerts", headers=_as(HANDLER)).json()
    assert [(alert["kind"], alert["tracking_no"]) for alert in to_handler] == [
        ("reminder", _routed(engine))
    ]
    check_time_limits(now=utcnow() + timedelta(days=30), engine=engine)
    to_bureau = client.get("/api/v1/cases/alerts", headers=_as(DISPATCHER)).json()
    assert {alert["kind"] for alert in to_bureau} == {"escalation"}
    assert _routed(engine) in {alert["tracking_no"] for alert in to_bureau}


def _fire(
    client: TestClient, tracking_no: str, who: Principal, transition: str, state: str, **more: Any
) -> dict[str, Any]:
    answer = client.post(
        f"/api/v1/cases/{tracking_no}/transitions",
        json={"transition": transition, "expected_state": state, **more},
        headers=_as(who),
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_the_whole_loop_over_the_api_then_rates_by_region(
    client: TestClient, engine: Engine
) -> None:
    queue = client.get("/api/v1/cases/triage", headers=_as(DISPATCHER)).json()["items"]
    [unknown] = [item for item in queue if item["triage_reason"].startswith("unknown category")]
    refused = client.post(
        f"/api/v1/cases/{unknown['tracking_no']}/transitions",
        json={"transition": "not_accept", "expected_state": "triage", "reason": "非市场监管事项"},
        headers=_as(DISPATCHER),
    )
    assert refused.status_code == 422 and "legal_ground: required" in refused.json()["detail"]
    grounds = {"legal_ground": "outside_remit"}
    not_accepted = _fire(
        client, unknown["tracking_no"], DISPATCHER, "not_accept", "triage",
        reason="非市场监管事项", fields=grounds,
    )  # fmt: skip
    assert not_accepted["state"] == "not_accepted"

    tracking_no = _routed(engine)
    returned = _fire(client, tracking_no, HANDLER, "return_dispatch", "assigned", reason="非本辖区")
    assert (returned["state"], returned["transfer_count"]) == ("returned", 1)
    department = {"department_code": "SCJG-340104"}
    _fire(
        client, tracking_no, DISPATCHER, "reassign", "returned",
        reason="经核实属本辖区", fields=department,
    )  # fmt: skip
    _fire(client, tracking_no, HANDLER, "start_handling", "assigned")
    _fire(client, tracking_no, HANDLER, "answer", "handling", fields={"answer": "已责令整改"})
    visited = _fire(
        client, tracking_no, DISPATCHER, "visit", "answered", fields={"satisfaction": "satisfied"}
    )
    assert visited["satisfaction"] == "satisfied"
    closed = _fire(client, tracking_no, DISPATCHER, "close", "visited")
    assert closed["state"] == "closed"

    by_region = client.get("/api/v1/cases/statistics?by=region", headers=_as(DISPATCHER)).json()
    groups = {group["group"]: group for group in by_region["groups"]}
    assert {name: group["cases"] for name, group in groups.items()} == {"3401": 2, "3501": 1}
    hefei = groups["3401"]
    assert (hefei["open"], hefei["answered"], hefei["answered_on_time"]) == (0, 1, 1)
    assert (hefei["on_time_rate"], hefei["satisfaction_rate"]) == (1.0, 1.0)
    assert by_region["total"]["open"] == 1  # the case from Fujian, still in triage


def test_the_dispatcher_corrects_what_the_intake_could_not_decide_on_accept(
    client: TestClient, engine: Engine
) -> None:
    queue = client.get("/api/v1/cases/triage", headers=_as(DISPATCHER)).json()["items"]
    [outside] = [item for item in queue if item["triage_reason"].startswith("outside")]
    [unknown] = [item for item in queue if item["triage_reason"].startswith("unknown")]
    url = f"/api/v1/cases/{outside['tracking_no']}/transitions"
    wrong = {"category_code": "parking", "region_code": "350102"}
    refused = client.post(
        url,
        json={"transition": "accept", "expected_state": "triage", "fields": wrong},
        headers=_as(DISPATCHER),
    )
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert "category_code: 'parking' is not one of" in detail
    assert "region_code: '350102' is not a GB/T 2260 region of 34xxxx" in detail

    accepted = _fire(
        client, outside["tracking_no"], DISPATCHER, "accept", "triage",
        fields={"region_code": "340102"},
    )  # fmt: skip
    assert (accepted["state"], accepted["region_code"]) == ("accepted", "340102")
    on_assign = client.post(
        url,
        json={
            "transition": "assign",
            "expected_state": "accepted",
            "fields": {"department_code": "SCJG-340102", "category_code": "pricing"},
        },
        headers=_as(DISPATCHER),
    )
    assert on_assign.status_code == 422 and "corrected on accept only" in on_assign.text
    _fire(
        client, unknown["tracking_no"], DISPATCHER, "accept", "triage",
        fields={"category_code": "consumer_rights"},
    )  # fmt: skip

    with Session(engine) as session:
        instance = case_instance(
            session,
            session.scalars(select(Case).where(Case.tracking_no == outside["tracking_no"])).one(),
        )
        assert (instance.region_code, instance.attributes["region_code"]) == ("340102", "340102")
    by_category = client.get("/api/v1/cases/statistics?by=category", headers=_as(DISPATCHER)).json()
    assert {group["group"]: group["cases"] for group in by_category["groups"]} == {
        "food_safety": 2,
        "consumer_rights": 1,
    }
