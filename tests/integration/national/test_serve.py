"""``/api/v1/national/``: served to the national system on its signature alone; a wrong,
stale or replayed signature is refused (401), on either nonce cache."""

from __future__ import annotations

import base64
import secrets
import time
import uuid
import warnings
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session
from starlette.exceptions import StarletteDeprecationWarning

from hub.national.signing import HEADERS, Algorithm, Signer, canonical_bytes, generate_key_pair
from hub.national.signing import private_key as signer_from
from hub.store.models.actions import Inspection
from hub.store.models.complaints import Complaint
from simulators.national.keys import DEMO_NATIONAL_PUBLIC_KEY, national_signer
from tests.integration.national.support import inspection_row

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

ENTITY = "91340100MA2N000000"
ACTIONS = f"/api/v1/national/entities/{ENTITY}/actions"


def signed(signer: Signer, target: str, *, timestamp: int | None = None) -> dict[str, str]:
    """Headers signing ``GET target`` at ``timestamp`` (default now) with a fresh nonce."""
    moment, nonce = str(timestamp or int(time.time())), secrets.token_hex(16)
    text = canonical_bytes(signer.algorithm, "GET", target, moment, nonce, b"")
    return {
        HEADERS.algorithm: signer.algorithm.value,
        HEADERS.key_id: signer.key_id,
        HEADERS.timestamp: moment,
        HEADERS.nonce: nonce,
        HEADERS.value: base64.b64encode(signer.sign(text)).decode(),
    }


@pytest.fixture
def nonce_cache(request: pytest.FixtureRequest) -> str:
    """Where the API keeps nonces: the store unless a test asks for Redis too."""
    return str(getattr(request, "param", "store"))


@pytest.fixture
def client(
    engine: Engine, nonce_cache: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    monkeypatch.setenv("HUB_NATIONAL_PUBLIC_KEY", DEMO_NATIONAL_PUBLIC_KEY)
    if nonce_cache == "redis":
        monkeypatch.setenv("HUB_REDIS_URL", "redis://127.0.0.1:6379/15")
    from hub.api.app import create_app
    from tests.conftest import clear_caches

    clear_caches()
    with Session(engine) as session, session.begin():
        session.execute(
            insert(Inspection), [inspection_row(1, counterpart_id="340104199001011234")]
        )
        session.add(
            Complaint(
                source="national",
                source_number="GJ-2026-0001",
                received_at=inspection_row(1)["acted_at"],
                complainant_name="赵六",
                status="handling",
                handling_department_code="SCJG-3401",
                content_hash="0" * 32,
            )
        )
    app: FastAPI = create_app()
    with TestClient(app) as test_client:
        yield test_client


def test_a_signed_call_gets_the_entitys_actions_without_personal_data(client: TestClient) -> None:
    answer = client.get(ACTIONS, headers=signed(national_signer(), ACTIONS))
    assert answer.status_code == 200, answer.text
    (action,) = answer.json()["actions"]
    assert action["action_number"] == "JC-000001" and action["data_type"] == "inspection"
    assert "340104199001011234" not in answer.text and "officers" not in action
    status_path = "/api/v1/national/complaints/GJ-2026-0001/status"
    status = client.get(status_path, headers=signed(national_signer(), status_path))
    assert status.json()["status"] == "handling" and "赵六" not in status.text


def test_no_token_and_no_signature_is_refused(client: TestClient) -> None:
    answer = client.get(ACTIONS)
    assert answer.status_code == 401 and "X-Sign-Algorithm" in answer.json()["detail"]


def test_a_signature_by_another_key_is_refused(client: TestClient) -> None:
    impostor_key, _ = generate_key_pair(Algorithm.SM2_SM3)
    impostor = signer_from(Algorithm.SM2_SM3, "national", impostor_key, setting="test")
    answer = client.get(ACTIONS, headers=signed(impostor, ACTIONS))
    assert answer.status_code == 401 and "does not verify" in answer.json()["detail"]


def test_a_signature_for_another_request_is_refused(client: TestClient) -> None:
    other = f"/api/v1/national/entities/{ENTITY[:-1]}1/actions"
    answer = client.get(ACTIONS, headers=signed(national_signer(), other))
    assert answer.status_code == 401 and "does not verify" in answer.json()["detail"]


def test_a_stale_timestamp_is_refused(client: TestClient) -> None:
    stale = signed(national_signer(), ACTIONS, timestamp=int(time.time()) - 301)
    answer = client.get(ACTIONS, headers=stale)
    assert answer.status_code == 401 and "window" in answer.json()["detail"]


@pytest.mark.parametrize("nonce_cache", ["store", "redis"], indirect=True)
def test_a_replayed_request_is_refused(client: TestClient) -> None:
    headers = signed(national_signer(), ACTIONS)
    headers[HEADERS.nonce] = uuid.uuid4().hex  # a nonce no earlier run of the suite used
    text = canonical_bytes(
        Algorithm.SM2_SM3, "GET", ACTIONS, headers[HEADERS.timestamp], headers[HEADERS.nonce], b""
    )
    headers[HEADERS.value] = base64.b64encode(national_signer().sign(text)).decode()
    assert client.get(ACTIONS, headers=headers).status_code == 200
    replayed = client.get(ACTIONS, headers=headers)
    assert replayed.status_code == 401 and "used before" in replayed.json()["detail"]


def test_only_published_catalog_items_are_answered(client: TestClient) -> None:
    path = "/api/v1/national/catalog/34010100010000"
    assert client.get(path, headers=signed(national_signer(), path)).status_code == 404
