"""Fixtures for the API tests: an app on a fresh SQLite file, seeded data, tokens.

The seed puts one entity of Hefei (340100) with a penalty of the market regulator
``SCJG-3401``, a credit record, the envelope they came from and a quarantined record with a
phone number, so scope tests can check that another department or region sees none of it.
"""

from __future__ import annotations

import base64
import os
import secrets
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from starlette.exceptions import StarletteDeprecationWarning

# Starlette prefers ``httpx2`` for its test client and warns (an error in this suite) when it
# falls back to ``httpx``, the dev dependency we have; the fallback works the same.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from hub.settings import Settings, get_settings
from hub.store.engine import engine_for
from tests.conftest import clear_caches

OWN_DEPARTMENT = "SCJG-3401"
OWN_REGION = "340100"
OTHER_DEPARTMENT = "HBJ-3402"
OTHER_REGION = "340200"
PASSWORD = "correct horse battery staple"
PHONE = "13812345678"


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Test (not development) settings on a fresh SQLite file, with every table created.

    Real secrets rather than the development defaults, so the app starts as in production;
    caches are cleared with the suite's ``clear_caches`` so cached engines follow the env.
    """
    monkeypatch.setenv("HUB_ENV", "test")
    monkeypatch.setenv("HUB_DATABASE_URL", f"sqlite:///{tmp_path / 'hub.db'}")
    monkeypatch.setenv("HUB_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("HUB_SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("HUB_DATA_KEYS", "t1:" + base64.b64encode(os.urandom(32)).decode())
    monkeypatch.setenv("HUB_TOKEN_TTL_SECONDS", "600")
    clear_caches()
    import hub.store.models  # noqa: F401  (every table)
    from hub.store.base import Base

    current = get_settings()
    engine = engine_for(current.database_url)
    Base.metadata.create_all(engine)
    yield current
    clear_caches()


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    from hub.api.app import create_app

    return create_app()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@dataclass(frozen=True)
class Seed:
    """Ids and sentinel texts of the seeded records."""

    uscc: str
    other_uscc: str
    entity_name: str
    penalty_id: int
    penalty_number: str
    credit_document: str
    envelope_sha256: str
    quarantine_id: int
    quarantine_reason: str
    entity_id: int

    @property
    def sentinels(self) -> tuple[str, ...]:
        """Texts that only someone in scope of SCJG-3401 / 340100 may ever receive."""
        return (
            self.entity_name,
            self.penalty_number,
            self.credit_document,
            self.envelope_sha256,
            "SENTINEL",
            PHONE[:3] + "*",
            PHONE,
        )


@pytest.fixture
def seed(settings: Settings) -> Seed:
    from hub.security.crypto import get_key_ring
    from hub.store.engine import session_scope
    from hub.store.models.actions import Penalty
    from hub.store.models.credit import CreditRecord
    from hub.store.models.entities import RegulatedEntity
    from hub.store.models.exchange import Envelope, ExchangeRun, Provenance, QuarantineEntry

    uscc, other_uscc = "91340100MA2N0X1Y2Q", "91340200MA2N0X1Y3R"
    now = datetime(2024, 5, 6, 9, 30, tzinfo=UTC)
    with session_scope() as session:
        run = ExchangeRun(run_uid="run-0001", channel="scjg-penalty", status="done")
        session.add(run)
        session.flush()
        envelope = Envelope(
            channel="scjg-penalty",
            message_type="penalty",
            file_name="penalties-20240506.csv",
            remote_id="batch-42",
            offset="0",
            content_type="text/csv",
            sha256="ab" * 32,
            size=2048,
            first_run_id=run.id,
        )
        session.add(envelope)
        session.flush()
        entity = RegulatedEntity(
            uscc=uscc,
            name="合肥示例食品有限公司",
            region_code="340104",
            legal_representative="张三",
            content_hash="0" * 32,
        )
        other = RegulatedEntity(
            uscc=other_uscc,
            name="芜湖示例化工有限公司",
            region_code="340202",
            content_hash="1" * 32,
        )
        penalty = Penalty(
            action_number="SCJG-CF-2024-0001",
            department_code=OWN_DEPARTMENT,
            entity_uscc=uscc,
            entity_name="合肥示例食品有限公司",
            counterpart_kind="legal_person",
            counterpart_id_type="uscc",
            counterpart_id=uscc,
            region_code=OWN_REGION,
            acted_at=now,
            reporter="李四",
            officers=["34010000001"],
            decision_number="合市监罚〔2024〕1号",
            fine_amount=5000,
            content_hash="2" * 32,
        )
        credit = CreditRecord(
            record_kind="penalty_publicity",
            entity_uscc=uscc,
            document_number="合市监信〔2024〕7号",
            department_code=OWN_DEPARTMENT,
            region_code=OWN_REGION,
            listed_on=date(2024, 5, 7),
            content_hash="3" * 32,
        )
        session.add_all([entity, other, penalty, credit])
        session.flush()
        session.add_all(
            [
                Provenance(
                    record_type="penalty",
                    record_id=penalty.id,
                    envelope_id=envelope.id,
                    position=3,
                    run_id=run.id,
                ),
                Provenance(
                    record_type="entity",
                    record_id=entity.id,
                    envelope_id=envelope.id,
                    position=3,
                    run_id=run.id,
                ),
            ]
        )
        raw = f'{{"phone": "{PHONE}", "name": "SENTINEL 王五"}}'.encode()
        entry = QuarantineEntry(
            channel="scjg-penalty",
            message_type="penalty",
            envelope_id=envelope.id,
            position=7,
            step="validate_source",
            reason=f"SENTINEL: '{PHONE}' is not a valid 统一社会信用代码",
            raw=get_key_ring().seal(raw),
            encrypted=True,
            department_code=OWN_DEPARTMENT,
            run_id=run.id,
        )
        session.add(entry)
        session.flush()
        return Seed(
            uscc=uscc,
            other_uscc=other_uscc,
            entity_name=entity.name,
            penalty_id=penalty.id,
            penalty_number=penalty.action_number,
            credit_document=credit.document_number,
            envelope_sha256=envelope.sha256,
            quarantine_id=entry.id,
            quarantine_reason=entry.reason,
            entity_id=entity.id,
        )


TokenFactory = Callable[..., dict[str, str]]


@pytest.fixture
def auth_headers(settings: Settings) -> TokenFactory:
    """``auth_headers(role, department, region, ttl_seconds=None)`` -> Authorization header."""
    from hub.security.tokens import Principal, issue_token

    def make(
        role: str = "officer",
        department: str = OWN_DEPARTMENT,
        region: str = OWN_REGION,
        *,
        ttl_seconds: int | None = None,
        kind: str = "user",
    ) -> dict[str, str]:
        principal = Principal(f"{role}-{department}", role, department, region, kind)
        token = issue_token(principal, settings=settings, ttl_seconds=ttl_seconds)
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def add_user(settings: Settings) -> Callable[..., None]:
    """Create a user (password ``PASSWORD``) directly in the store."""
    from hub.security.passwords import hash_password
    from hub.store.engine import session_scope
    from hub.store.models.users import User

    def make(
        username: str,
        role: str = "officer",
        department: str = OWN_DEPARTMENT,
        region: str = OWN_REGION,
        *,
        active: bool = True,
    ) -> None:
        with session_scope() as session:
            session.add(
                User(
                    username=username,
                    password_hash=hash_password(PASSWORD),
                    role=role,
                    department_code=department,
                    region_code=region,
                    active=active,
                )
            )

    return make
