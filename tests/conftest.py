"""Shared fixtures: a fresh store per test on every engine the machine offers.

``engine`` is parametrised over SQLite (always) and PostgreSQL (when
``HUB_TEST_POSTGRES_URL`` is set, as ``make test`` does): a test that takes it runs on both,
each time in a store of its own (a temporary file, or a PostgreSQL schema dropped after).
The fixture also points the hub's settings at that store, so CLI and API code under test
use it too.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from hub.security.crypto import get_key_ring
from hub.settings import get_settings
from hub.store.base import Base
from hub.store.engine import dispose_engines, make_engine

POSTGRES_URL = os.environ.get("HUB_TEST_POSTGRES_URL")
ENGINES = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]


def clear_caches() -> None:
    get_settings.cache_clear()
    dispose_engines()
    get_key_ring.cache_clear()


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test gets its own var folder, development settings and fresh caches."""
    monkeypatch.setenv("HUB_ENV", "development")
    monkeypatch.setenv("HUB_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("HUB_DATABASE_URL", f"sqlite:///{tmp_path / 'var' / 'hub.db'}")
    clear_caches()
    yield
    clear_caches()


def _postgres_schema_url(schema: str) -> str:
    assert POSTGRES_URL is not None
    url = make_url(POSTGRES_URL)
    if url.drivername in ("postgresql", "postgresql+psycopg2"):
        url = url.set(drivername="postgresql+psycopg")
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


def _create_store(url: str) -> Engine:
    import hub.store.models  # noqa: F401  (registers every table)

    engine = make_engine(url)
    Base.metadata.create_all(engine)
    return engine


@pytest.fixture(params=ENGINES)
def engine(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    """A fresh, empty canonical store on each available engine."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
        created = _create_store(url)
        monkeypatch.setenv("HUB_DATABASE_URL", url)
        clear_caches()
        yield created
        created.dispose()
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL or "")
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = _postgres_schema_url(schema)
    created = _create_store(url)
    monkeypatch.setenv("HUB_DATABASE_URL", url)
    clear_caches()
    try:
        yield created
    finally:
        created.dispose()
        dispose_engines()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A fresh SQLite store, for tests whose behaviour does not depend on the engine."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    created = _create_store(url)
    monkeypatch.setenv("HUB_DATABASE_URL", url)
    clear_caches()
    yield created
    created.dispose()


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


# Each tier (the first folder under tests/) has a time budget, summed over its tests'
# setup, call and teardown; going over it fails the run, so slow creep is seen early.
TIER_BUDGET_SECONDS = {
    "unit": 240.0,
    "integration": 720.0,
    "conformance": 240.0,
    "dags": 480.0,
    "e2e": 240.0,
    # Long runs at scale under injected faults (the national push: nine types × 10,000 records).
    "soak": 600.0,
}
_tier_seconds: dict[str, float] = {}


def _tier_of(nodeid: str) -> str:
    parts = nodeid.split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "tests" else "other"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    tier = _tier_of(report.nodeid)
    _tier_seconds[tier] = _tier_seconds.get(tier, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.section("tier time budgets")
    for tier, seconds in sorted(_tier_seconds.items()):
        budget = TIER_BUDGET_SECONDS.get(tier)
        verdict = (
            ""
            if budget is None
            else (" OVER BUDGET" if seconds > budget else f" of {budget:.0f} s")
        )
        terminalreporter.write_line(f"{tier}: {seconds:.1f} s{verdict}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    over = [
        tier
        for tier, seconds in _tier_seconds.items()
        if seconds > TIER_BUDGET_SECONDS.get(tier, float("inf"))
    ]
    if over and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
