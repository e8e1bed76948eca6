"""Entities, quarantine and provenance as their users see them."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hub.api.routers.quarantine import mask_digits
from hub.errors import UnknownNameError
from tests.unit.api.conftest import OWN_DEPARTMENT, OWN_REGION, PHONE, Seed, TokenFactory


def test_entity_detail_leaves_out_personal_fields(
    client: TestClient, seed: Seed, auth_headers: TokenFactory
) -> None:
    response = client.get(f"/api/v1/entities/{seed.uscc.lower()}", headers=auth_headers("officer"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["uscc"] == seed.uscc
    action = body["actions"][0]
    assert action["kind"] == "penalty"
    assert action["decision_number"] == "合市监罚〔2024〕1号"
    for personal in ("张三", "李四", "34010000001", "counterpart_id", "legal_representative"):
        assert personal not in response.text


def test_unknown_entity_is_404(client: TestClient, seed: Seed, auth_headers: TokenFactory) -> None:
    response = client.get("/api/v1/entities/91110000000000000X", headers=auth_headers())
    assert response.status_code == 404


def test_entity_list_filters_and_pages(
    client: TestClient, seed: Seed, auth_headers: TokenFactory
) -> None:
    admin = auth_headers("admin", "HUB", "000000")
    everything = client.get("/api/v1/entities", headers=admin).json()
    assert everything["total"] == 2
    by_name = client.get("/api/v1/entities", params={"name": "芜湖"}, headers=admin).json()
    assert [item["uscc"] for item in by_name["items"]] == [seed.other_uscc]
    page = client.get("/api/v1/entities", params={"page": 2, "page_size": 1}, headers=admin).json()
    assert (page["total"], len(page["items"]), page["page"]) == (2, 1, 2)
    bad = client.get("/api/v1/entities", params={"page_size": 10_000}, headers=admin)
    assert bad.status_code == 422


def test_mask_digits() -> None:
    assert mask_digits(f"call {PHONE}") == "call 138******78"
    assert mask_digits("order 123456 of 2024") == "order 123456 of 2024"


@pytest.mark.parametrize("role", ["officer", "leader"])
def test_quarantine_masks_personal_data_for_non_admins(
    client: TestClient, seed: Seed, auth_headers: TokenFactory, role: str
) -> None:
    headers = auth_headers(role, OWN_DEPARTMENT, OWN_REGION)
    detail = client.get(f"/api/v1/quarantine/{seed.quarantine_id}", headers=headers).json()
    assert detail["masked"] is True
    assert PHONE not in detail["raw"] and PHONE not in detail["reason"]
    assert "138******78" in detail["raw"]
    assert "SENTINEL 王五" in detail["raw"]
    listed = client.get("/api/v1/quarantine", headers=headers).json()["items"]
    assert PHONE not in listed[0]["reason"]


def test_quarantine_shows_admins_the_opened_payload(
    client: TestClient, seed: Seed, auth_headers: TokenFactory
) -> None:
    admin = auth_headers("admin", "HUB", "000000")
    detail = client.get(f"/api/v1/quarantine/{seed.quarantine_id}", headers=admin).json()
    assert detail["masked"] is False
    assert PHONE in detail["raw"]
    assert detail["step"] == "validate_source"


def test_quarantine_filters(client: TestClient, seed: Seed, auth_headers: TokenFactory) -> None:
    integrator = auth_headers("integrator", "HUB", "340000")
    for params, count in (
        ({"channel": "scjg-penalty"}, 1),
        ({"channel": "other"}, 0),
        ({"status": "open", "step": "validate_source"}, 1),
        ({"step": "map"}, 0),
    ):
        body = client.get("/api/v1/quarantine", params=params, headers=integrator).json()
        assert body["total"] == count, params


def test_replay_calls_the_exchange_for_exchange_roles_only(
    client: TestClient, seed: Seed, auth_headers: TokenFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []

    def replay_quarantine(
        factory: Any, *, ids: list[int] | None, channel: str | None, actor: str
    ) -> dict[str, Any]:
        calls.append({"ids": ids, "channel": channel, "actor": actor})
        return {"replayed": len(ids or []), "stored": 1, "quarantined": 0}

    fake = types.ModuleType("hub.exchange.replay")
    fake.replay_quarantine = replay_quarantine  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "hub.exchange.replay", fake)

    integrator = auth_headers("integrator", "HUB", "340000")
    body = {"ids": [seed.quarantine_id]}
    response = client.post("/api/v1/quarantine/replay", json=body, headers=integrator)
    assert response.status_code == 200, response.text
    assert response.json() == {"replayed": 1, "stored": 1, "quarantined": 0}
    assert calls == [{"ids": [seed.quarantine_id], "channel": None, "actor": "integrator-HUB"}]

    officer = auth_headers("officer")
    assert client.post("/api/v1/quarantine/replay", json=body, headers=officer).status_code == 403
    both = {"ids": [1], "channel": "scjg-penalty"}
    assert (
        client.post("/api/v1/quarantine/replay", json=both, headers=integrator).status_code == 422
    )
    assert client.post("/api/v1/quarantine/replay", json={}, headers=integrator).status_code == 422
    assert len(calls) == 1


def test_replay_of_an_unconfigured_channel_is_404(
    client: TestClient, seed: Seed, auth_headers: TokenFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    def replay_quarantine(factory: Any, **_: Any) -> dict[str, Any]:
        raise UnknownNameError("channel", "gone", ["market_registry"])

    fake = types.ModuleType("hub.exchange.replay")
    fake.replay_quarantine = replay_quarantine  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "hub.exchange.replay", fake)
    admin = auth_headers("admin", "HUB", "000000")
    response = client.post("/api/v1/quarantine/replay", json={"channel": "gone"}, headers=admin)
    assert response.status_code == 404, response.text
    assert "known: market_registry" in response.json()["detail"]


def test_provenance_names_the_envelope(
    client: TestClient, seed: Seed, auth_headers: TokenFactory
) -> None:
    response = client.get(
        f"/api/v1/provenance/entity/{seed.entity_id}", headers=auth_headers("officer")
    )
    assert response.status_code == 200, response.text
    (source,) = response.json()["sources"]
    assert source["channel"] == "scjg-penalty"
    assert source["file_name"] == "penalties-20240506.csv"
    assert (source["position"], source["run_uid"], source["size"]) == (3, "run-0001", 2048)


def test_provenance_of_an_unknown_record_type_lists_the_known_ones(
    client: TestClient, seed: Seed, auth_headers: TokenFactory
) -> None:
    response = client.get("/api/v1/provenance/widget/1", headers=auth_headers())
    assert response.status_code == 404
    detail = response.json()["detail"]
    assert "widget" in detail
    assert "entity" in detail and "penalty" in detail and "credit_record" in detail


def test_provenance_of_a_missing_record_is_404(
    client: TestClient, seed: Seed, auth_headers: TokenFactory
) -> None:
    admin = auth_headers("admin", "HUB", "000000")
    assert client.get("/api/v1/provenance/penalty/999999", headers=admin).status_code == 404
