"""审批联动 end to end: licensing events fetched from the government services simulator, claims
opened by the intake job, claimed and supervised over the work API, published without
personal data, and the result pushed back to the platform with its receipt."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.exceptions import StarletteDeprecationWarning

from hub.catalog.dictionaries import department
from hub.collaboration.approvals import take_new_licensing_events
from hub.exchange.channels import ChannelRegistry, load_channel
from hub.exchange.dispatch import dispatch_outbox
from hub.exchange.runner import run_channel
from hub.security.tokens import Principal, issue_token
from hub.store.models.actions import Licensing
from hub.store.models.collaboration import ApprovalClaim
from hub.store.models.exchange import OutboxMessage
from simulators.government_services import GovernmentServicesSimulator
from simulators.registry import SimulatorOptions

with warnings.catch_warnings():  # as tests/unit/api/conftest.py: httpx fallback warns
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

KEY = "t3st-key-of-the-approvals-4f1a"


@pytest.fixture
def platform(
    repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[GovernmentServicesSimulator]:
    simulator = GovernmentServicesSimulator(SimulatorOptions(seed=11), api_key=KEY, events=40)
    for variable, value in simulator.environment.items():
        monkeypatch.setenv(variable, value)
    yield simulator
    simulator.stop()


def _officer_of(code: str) -> dict[str, str]:
    region = department(code).region_code
    assert region is not None
    token = issue_token(Principal(f"officer.{code}", "officer", code, region))
    return {"Authorization": f"Bearer {token}"}


def test_a_licensing_event_ends_published_and_pushed_back_with_a_receipt(
    engine: Engine, repo_root: Path, platform: GovernmentServicesSimulator
) -> None:
    channel = load_channel(repo_root / "mappings" / "government_services" / "channel.yaml")
    assert run_channel(engine, channel).stored == 40
    granted = [row for row in platform.cases.values() if row["办理结果"] == "准予许可"]

    opened = take_new_licensing_events(engine)
    assert opened["opened"] == len(granted) > 0
    assert take_new_licensing_events(engine)["opened"] == 0

    with Session(engine) as session:
        claim, licensing = session.execute(
            select(ApprovalClaim, Licensing)
            .join(Licensing, Licensing.id == ApprovalClaim.licensing_id)
            .where(Licensing.counterpart_kind != "legal_person")
            .order_by(ApprovalClaim.id)
            .limit(1)
        ).one()
        number, holder = claim.action_number, claim.department_code
        applicant, address = licensing.entity_name, licensing.business_address
    assert applicant and address

    from hub.api.app import create_app

    with TestClient(create_app()) as client:
        officer = _officer_of(holder)
        inbox = client.get(
            "/api/v1/collaboration/approvals/inbox?page_size=200", headers=officer
        ).json()
        item = next(i for i in inbox["items"] if i["action_number"] == number)
        url = f"/api/v1/collaboration/approvals/{item['id']}"
        assert client.post(f"{url}/claim", json={}, headers=officer).status_code == 200
        supervised = client.post(
            f"{url}/result",
            json={"result": "no_problem", "note": "现场核查与许可事项一致"},
            headers=officer,
        )
        assert supervised.status_code == 200, supervised.text

        listing = client.get("/api/v1/public/approvals")
        published = listing.json()
        assert published["total"] == 1
        entry = published["items"][0]
        assert (entry["case_number"], entry["result"], entry["supervising_department"]) == (
            number,
            "未发现问题",
            holder,
        )
        assert entry["entity_name"] is None, "a 个体工商户's name is often its owner's"
        for private in (applicant, address, "现场核查"):
            assert private not in listing.text

    report = dispatch_outbox(engine, ChannelRegistry(repo_root / "mappings"))
    assert report.destination("government_services").sent == 1
    (received,) = platform.results.accepted
    assert received.message["case_number"] == number
    assert (received.message["result"], received.message["department_code"]) == (
        "未发现问题",
        holder,
    )
    with Session(engine) as session:
        row = session.scalars(select(OutboxMessage)).one()
        assert row.status == "sent"
        assert row.receipt is not None and received.receipt_id in row.receipt
