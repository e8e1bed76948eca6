"""The token endpoint (RFC 6749 password and client-credentials grants), tokens, passwords."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from hub.security.passwords import hash_password, verify_password
from hub.security.tokens import (
    ExpiredTokenError,
    InvalidTokenError,
    Principal,
    decode_token,
    issue_token,
)
from hub.settings import Settings
from tests.unit.api.conftest import OWN_DEPARTMENT, OWN_REGION, PASSWORD

TOKEN_URL = "/api/v1/auth/token"


def _add_client(client_id: str, secret: str, *, active: bool = True) -> None:
    from hub.store.engine import session_scope
    from hub.store.models.users import ApiClient

    with session_scope() as session:
        session.add(
            ApiClient(
                client_id=client_id,
                secret_hash=hash_password(secret),
                role="integrator",
                department_code="HUB",
                region_code="340000",
                active=active,
            )
        )


def test_password_grant_issues_a_token_carrying_the_scope(
    client: TestClient, settings: Settings, add_user: Callable[..., None]
) -> None:
    add_user("li.lei")
    response = client.post(
        TOKEN_URL, data={"grant_type": "password", "username": "li.lei", "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == settings.token_ttl_seconds
    assert response.headers["Cache-Control"] == "no-store"
    principal = decode_token(body["access_token"], settings=settings)
    assert principal == Principal("li.lei", "officer", OWN_DEPARTMENT, OWN_REGION, "user")
    auth = {"Authorization": f"Bearer {body['access_token']}"}
    assert client.get("/api/v1/entities", headers=auth).status_code == 200


@pytest.mark.parametrize(
    ("username", "password"), [("li.lei", "wrong password"), ("nobody", PASSWORD)]
)
def test_wrong_password_or_unknown_user_is_invalid_grant(
    client: TestClient, add_user: Callable[..., None], username: str, password: str
) -> None:
    add_user("li.lei")
    response = client.post(
        TOKEN_URL, data={"grant_type": "password", "username": username, "password": password}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert "access_token" not in response.text


def test_inactive_user_is_refused(client: TestClient, add_user: Callable[..., None]) -> None:
    add_user("gone", active=False)
    response = client.post(
        TOKEN_URL, data={"grant_type": "password", "username": "gone", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_client_credentials_in_the_form_or_basic(client: TestClient, settings: Settings) -> None:
    _add_client("provincial-etl", "s3cret/with:colon")
    form = client.post(
        TOKEN_URL,
        data={
            "grant_type": "client_credentials",
            "client_id": "provincial-etl",
            "client_secret": "s3cret/with:colon",
        },
    )
    assert form.status_code == 200, form.text
    principal = decode_token(form.json()["access_token"], settings=settings)
    assert (principal.name, principal.role, principal.kind) == (
        "provincial-etl",
        "integrator",
        "client",
    )
    basic = client.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials"},
        auth=("provincial-etl", "s3cret%2Fwith%3Acolon"),
    )
    assert basic.status_code == 200, basic.text


@pytest.mark.parametrize(
    ("client_id", "secret"), [("provincial-etl", "wrong"), ("unknown", "s3cret"), ("off", "s3cret")]
)
def test_bad_client_is_401_invalid_client(client: TestClient, client_id: str, secret: str) -> None:
    _add_client("provincial-etl", "s3cret")
    _add_client("off", "s3cret", active=False)
    response = client.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert "WWW-Authenticate" in response.headers


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"grant_type": "authorization_code", "code": "x"}, "unsupported_grant_type"),
        ({}, "invalid_request"),
        ({"grant_type": "password", "username": "li.lei"}, "invalid_request"),
    ],
)
def test_malformed_requests_are_400(client: TestClient, data: dict[str, str], error: str) -> None:
    response = client.post(TOKEN_URL, data=data)
    assert response.status_code == 400
    assert response.json()["error"] == error


def test_token_round_trip_and_expiry(settings: Settings) -> None:
    principal = Principal("li.lei", "officer", OWN_DEPARTMENT, OWN_REGION)
    assert decode_token(issue_token(principal, settings=settings), settings=settings) == principal
    expired = issue_token(principal, settings=settings, ttl_seconds=-1)
    with pytest.raises(ExpiredTokenError):
        decode_token(expired, settings=settings)
    with pytest.raises(InvalidTokenError):
        decode_token(expired[:-4] + "AAAA", settings=settings)
    with pytest.raises(InvalidTokenError):
        decode_token("not a token", settings=settings)


def test_expired_token_is_refused_by_the_api(client: TestClient, settings: Settings) -> None:
    principal = Principal("li.lei", "officer", OWN_DEPARTMENT, OWN_REGION)
    token = issue_token(principal, settings=settings, ttl_seconds=-30)
    response = client.get("/api/v1/entities", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json() == {"detail": "token expired"}


@pytest.mark.parametrize(
    ("region", "code", "inside"),
    [
        ("340000", "340104", True),
        ("340100", "340104001000", True),
        ("340100", "340200", False),
        ("340104", "340100", False),
        ("340100", None, False),
    ],
)
def test_region_scope(region: str, code: str | None, inside: bool) -> None:
    assert Principal("x", "officer", "D", region).in_region(code) is inside


def test_only_a_nationwide_admin_sees_every_region() -> None:
    assert Principal("a", "admin", "HUB", "000000").in_region(None)
    assert Principal("a", "admin", "HUB", "").in_region("650100")
    assert not Principal("l", "leader", "ZF", "000000").in_region("340100")
    assert Principal("l", "leader", "ZF", "340000").sees_all_departments
    assert not Principal("o", "officer", "ZF", "340000").sees_all_departments


def test_password_hash_format_and_verify() -> None:
    encoded = hash_password("correct horse")
    scheme, n, r, p, _salt, _digest = encoded.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert encoded != hash_password("correct horse")  # salted
    assert verify_password("correct horse", encoded)
    assert not verify_password("correct horsE", encoded)
    assert not verify_password("correct horse", "scrypt$garbage")
    assert not verify_password("correct horse", "scrypt$99999999999$8$1$AAAA$AAAA")
