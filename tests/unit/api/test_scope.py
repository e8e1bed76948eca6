"""Every work endpoint: 401 without a valid token, and nothing outside the caller's scope.

Routes are enumerated from the app itself, so an endpoint added later is covered without
touching this file; give its path parameters a plausible value in ``_path_values`` if the
fallback ``1`` does not reach its data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.unit.api.conftest import (
    OTHER_DEPARTMENT,
    OTHER_REGION,
    OWN_DEPARTMENT,
    OWN_REGION,
    Seed,
    TokenFactory,
)

OPEN_PREFIXES = ("/api/v1/public/", "/api/v1/national/", "/api/v1/auth/")
KNOWN_WORK_ROUTES = {
    ("GET", "/api/v1/entities"),
    ("GET", "/api/v1/entities/{uscc}"),
    ("GET", "/api/v1/quarantine"),
    ("GET", "/api/v1/quarantine/{entry_id}"),
    ("POST", "/api/v1/quarantine/replay"),
    ("GET", "/api/v1/provenance/{record_type}/{record_id}"),
}
_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def work_routes(app: FastAPI) -> Iterator[tuple[str, APIRoute]]:
    """(method, route) for every route under /api/v1/ that needs a token."""
    for route in app.routes:
        if not isinstance(route, APIRoute) or not route.path.startswith("/api/v1/"):
            continue
        if route.path.startswith(OPEN_PREFIXES):
            continue
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            yield method, route


def _path_values(seed: Seed) -> dict[str, str]:
    return {
        "uscc": seed.uscc,
        "entry_id": str(seed.quarantine_id),
        "record_type": "penalty",
        "record_id": str(seed.penalty_id),
    }


def _request(
    client: TestClient, method: str, route: APIRoute, seed: Seed, headers: dict[str, str]
) -> Any:
    values = _path_values(seed)
    url = _PARAM.sub(lambda m: values.get(m.group(1), "1"), route.path)
    body: dict[str, Any] | None = None
    if method in ("POST", "PUT", "PATCH"):
        body = {"ids": [seed.quarantine_id]}
    return client.request(method, url, headers=headers, json=body)


def test_the_known_work_routes_are_enumerated(app: FastAPI) -> None:
    found = {(method, route.path) for method, route in work_routes(app)}
    assert found >= KNOWN_WORK_ROUTES


def test_no_token_is_401_everywhere(app: FastAPI, client: TestClient, seed: Seed) -> None:
    for method, route in work_routes(app):
        response = _request(client, method, route, seed, {})
        assert response.status_code == 401, (method, route.path, response.text)
        assert response.headers["WWW-Authenticate"].startswith("Bearer"), route.path


def test_expired_token_is_401_everywhere(
    app: FastAPI, client: TestClient, seed: Seed, auth_headers: TokenFactory
) -> None:
    expired = auth_headers("admin", "HUB", "000000", ttl_seconds=-60)
    for method, route in work_routes(app):
        response = _request(client, method, route, seed, expired)
        assert response.status_code == 401, (method, route.path, response.text)
        assert "invalid_token" in response.headers["WWW-Authenticate"]


def test_forged_token_is_401_everywhere(app: FastAPI, client: TestClient, seed: Seed) -> None:
    import jwt

    forged = jwt.encode(
        {"sub": "x", "role": "admin", "dept": "HUB", "region": "000000", "kind": "user"}
        | {"iat": 0, "exp": 4_000_000_000, "iss": "hub"},
        "a-key-that-is-not-the-hubs-secret-key-at-all",
        algorithm="HS256",
    )
    for method, route in work_routes(app):
        response = _request(client, method, route, seed, {"Authorization": f"Bearer {forged}"})
        assert response.status_code == 401, (method, route.path, response.text)


@pytest.mark.parametrize("role", ["officer", "leader"])
def test_another_department_and_region_sees_nothing(
    app: FastAPI, client: TestClient, seed: Seed, auth_headers: TokenFactory, role: str
) -> None:
    outsider = auth_headers(role, OTHER_DEPARTMENT, OTHER_REGION)
    for method, route in work_routes(app):
        response = _request(client, method, route, seed, outsider)
        assert response.status_code < 500, (method, route.path, response.text)
        for sentinel in seed.sentinels:
            assert sentinel not in response.text, (method, route.path, sentinel)


def test_another_department_gets_404_and_empty_lists(
    client: TestClient, seed: Seed, auth_headers: TokenFactory
) -> None:
    outsider = auth_headers("officer", OTHER_DEPARTMENT, OTHER_REGION)
    assert client.get(f"/api/v1/entities/{seed.uscc}", headers=outsider).status_code == 404
    listed = client.get("/api/v1/entities", headers=outsider).json()
    assert [item["uscc"] for item in listed["items"]] == [seed.other_uscc]
    assert client.get("/api/v1/quarantine", headers=outsider).json()["items"] == []
    assert (
        client.get(f"/api/v1/quarantine/{seed.quarantine_id}", headers=outsider).status_code == 404
    )
    path = f"/api/v1/provenance/penalty/{seed.penalty_id}"
    assert client.get(path, headers=outsider).status_code == 404


def test_same_region_other_department_sees_the_entity_but_not_its_records(
    client: TestClient, seed: Seed, auth_headers: TokenFactory
) -> None:
    neighbour = auth_headers("officer", "HBJ-3401", OWN_REGION)
    body = client.get(f"/api/v1/entities/{seed.uscc}", headers=neighbour).json()
    assert body["name"] == seed.entity_name
    assert body["actions"] == [] and body["credit_records"] == []
    path = f"/api/v1/provenance/penalty/{seed.penalty_id}"
    assert client.get(path, headers=neighbour).status_code == 404


def test_own_department_sees_its_data(
    client: TestClient, seed: Seed, auth_headers: TokenFactory
) -> None:
    own = auth_headers("officer", OWN_DEPARTMENT, OWN_REGION)
    entity = client.get(f"/api/v1/entities/{seed.uscc}", headers=own).json()
    assert [a["action_number"] for a in entity["actions"]] == [seed.penalty_number]
    assert [c["document_number"] for c in entity["credit_records"]] == [seed.credit_document]
    listed = client.get("/api/v1/entities", headers=own).json()
    assert [item["uscc"] for item in listed["items"]] == [seed.uscc]
    assert [e["id"] for e in client.get("/api/v1/quarantine", headers=own).json()["items"]] == [
        seed.quarantine_id
    ]
    sources = client.get(f"/api/v1/provenance/penalty/{seed.penalty_id}", headers=own).json()
    assert [s["sha256"] for s in sources["sources"]] == [seed.envelope_sha256]


def test_provincial_leader_sees_every_department_in_the_province(
    client: TestClient, seed: Seed, auth_headers: TokenFactory
) -> None:
    leader = auth_headers("leader", "ZF-3400", "340000")
    entity = client.get(f"/api/v1/entities/{seed.uscc}", headers=leader).json()
    assert len(entity["actions"]) == 1 and len(entity["credit_records"]) == 1
    listed = client.get("/api/v1/entities", headers=leader).json()
    assert listed["total"] == 2
    # Quarantine has no region: a leader sees only their own department's entries.
    assert client.get("/api/v1/quarantine", headers=leader).json()["items"] == []


def test_admin_of_another_region_is_still_bound_by_region(
    client: TestClient, seed: Seed, auth_headers: TokenFactory
) -> None:
    admin = auth_headers("admin", "HUB", OTHER_REGION)
    assert client.get(f"/api/v1/entities/{seed.uscc}", headers=admin).status_code == 404
    nationwide = auth_headers("admin", "HUB", "000000")
    assert client.get(f"/api/v1/entities/{seed.uscc}", headers=nationwide).status_code == 200


def test_a_region_filter_cannot_widen_the_scope(
    client: TestClient, seed: Seed, auth_headers: TokenFactory
) -> None:
    own = auth_headers("officer", OWN_DEPARTMENT, OWN_REGION)
    wider = client.get("/api/v1/entities", params={"region_code": "340000"}, headers=own).json()
    assert [item["uscc"] for item in wider["items"]] == [seed.uscc]
    elsewhere = client.get("/api/v1/entities", params={"region_code": "340200"}, headers=own).json()
    assert elsewhere == {"items": [], "total": 0, "page": 1, "page_size": 50}
