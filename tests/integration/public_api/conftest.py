"""The public API on a fresh store (SQLite and PostgreSQL), as the internet sees it.

``make_app(**env)`` builds an app from the environment the test adds (a rate limit, Redis)
on top of production-like settings: real secrets, one issued API key (``API_KEY``);
``make_client`` wraps one in a test client, ``live_url`` serves one over real HTTP.
"""

from __future__ import annotations

import base64
import os
import secrets
import socket
import threading
import time
import warnings
from collections.abc import Callable, Iterator

import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine
from starlette.exceptions import StarletteDeprecationWarning

from hub.settings import get_settings
from tests.conftest import clear_caches

with warnings.catch_warnings():  # as tests/unit/api/conftest.py: httpx fallback warns
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

API_KEY = "k-" + secrets.token_urlsafe(16)
JURISDICTION = "ah.gov.cn"
PHONE = "13955501234"

AppFactory = Callable[..., FastAPI]
ClientFactory = Callable[..., TestClient]


@pytest.fixture
def make_app(monkeypatch: pytest.MonkeyPatch) -> AppFactory:
    """Build apps on the store of the test's store fixture (``sqlite_engine`` or ``engine``);
    each call is another API process's app, with the environment it is given added
    (``make_app(redis_url=...)`` sets ``HUB_REDIS_URL``)."""
    monkeypatch.setenv("HUB_ENV", "test")
    monkeypatch.setenv("HUB_SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("HUB_DATA_KEYS", "t1:" + base64.b64encode(os.urandom(32)).decode())
    monkeypatch.setenv("HUB_PUBLIC_API_KEYS", f"311-app:{API_KEY}")
    monkeypatch.setenv("HUB_PUBLIC_RATE_LIMIT", "1000/minute")
    clear_caches()

    def make(**env: str) -> FastAPI:
        for name, value in env.items():
            monkeypatch.setenv(f"HUB_{name.upper()}", value)
        # New settings on the same store: the cached engine is kept (disposing it under an
        # app made earlier would leave that app's new connections unclosed).
        get_settings.cache_clear()
        from hub.api.app import create_app

        return create_app()

    return make


@pytest.fixture
def make_client(make_app: AppFactory) -> Iterator[ClientFactory]:
    """Test clients of apps built by ``make_app``."""
    started: list[TestClient] = []

    def make(**env: str) -> TestClient:
        client = TestClient(make_app(**env))
        client.__enter__()
        started.append(client)
        return client

    yield make
    for client in started:
        client.__exit__(None, None, None)


@pytest.fixture
def client(sqlite_engine: Engine, make_client: ClientFactory) -> TestClient:
    """The API on a SQLite store: for what does not depend on the database engine."""
    return make_client()


@pytest.fixture
def each_engine_client(engine: Engine, make_client: ClientFactory) -> TestClient:
    """The API on SQLite, then on PostgreSQL: for what stores and queries complaints."""
    return make_client()


@pytest.fixture
def live_url(sqlite_engine: Engine, make_app: AppFactory) -> Iterator[str]:
    """The app served over real HTTP by uvicorn on a thread; its base URL."""
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(make_app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    host, port = listening.getsockname()
    yield f"http://{host}:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    listening.close()
