"""The app's operational surface: health, metrics, docs, error mapping, refusing to start."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from hub.errors import ConfigurationError, DataError, NotFoundError, PermissionDenied
from hub.settings import Settings, get_settings


def test_healthz_does_a_database_round_trip(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "sqlite"}


def test_metrics_count_requests_by_route_template(client: TestClient, app: FastAPI) -> None:
    client.get("/healthz")
    client.get("/api/v1/entities/91340100MA2N0X1Y2Q")  # 401, counted under its template
    client.get("/no/such/path")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'hub_http_requests_total{method="GET",path="/healthz",status="200"} 1.0' in text
    assert (
        'hub_http_requests_total{method="GET",path="/api/v1/entities/{uscc}",status="401"} 1.0'
        in text
    )
    assert 'path="<unmatched>",status="404"' in text
    assert "hub_http_request_duration_seconds_bucket" in text
    assert "91340100MA2N0X1Y2Q" not in text


def test_each_app_has_its_own_metrics_registry(settings: Settings) -> None:
    from hub.api.app import create_app

    first, second = create_app(), create_app()
    with TestClient(first) as one, TestClient(second) as two:
        one.get("/healthz")
        assert 'path="/healthz"' not in two.get("/metrics").text


def test_docs_and_openapi(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    assert "/api/v1/entities/{uscc}" in schema["paths"]
    assert schema["components"]["securitySchemes"]["OAuth2PasswordBearer"]["type"] == "oauth2"


@pytest.mark.parametrize(
    ("error", "status", "detail"),
    [
        (NotFoundError("no such thing"), 404, "no such thing"),
        (PermissionDenied("not yours"), 403, "not yours"),
        (DataError("bad record"), 422, "bad record"),
        (ConfigurationError("HUB_SECRET_KEY=hunter2 is wrong"), 500, None),
    ],
)
def test_hub_errors_map_to_http(
    app: FastAPI, error: Exception, status: int, detail: str | None
) -> None:
    @app.get("/boom")
    def boom() -> None:
        raise error

    with TestClient(app) as client:
        response = client.get("/boom")
    assert response.status_code == status
    if detail is not None:
        assert response.json() == {"detail": detail}
    else:
        assert "hunter2" not in response.text
        assert "HUB_SECRET_KEY" not in response.text


def test_refuses_to_start_with_the_default_secret_outside_development(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hub.api.app import create_app

    monkeypatch.setenv("HUB_ENV", "production")
    monkeypatch.delenv("HUB_SECRET_KEY")
    get_settings.cache_clear()
    with pytest.raises(ConfigurationError, match="HUB_SECRET_KEY"):
        create_app()
