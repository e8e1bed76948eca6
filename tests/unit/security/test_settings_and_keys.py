"""Settings refuse default secrets outside development; sealed values rotate to a new key."""

from __future__ import annotations

import base64
import os

import pytest
from sqlalchemy import Engine, LargeBinary, select, text, type_coerce

from hub.errors import ConfigurationError
from hub.security.crypto import DecryptionError, KeyRing, get_key_ring
from hub.security.rotation import rotate_keys
from hub.settings import Settings
from hub.store.engine import session_scope
from hub.store.models.complaints import Complaint
from tests.conftest import clear_caches


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def test_production_refuses_the_development_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_ENV", "production")
    with pytest.raises(ConfigurationError, match="HUB_SECRET_KEY"):
        Settings()
    monkeypatch.setenv("HUB_SECRET_KEY", "a-real-secret-from-the-vault")
    with pytest.raises(ConfigurationError, match="HUB_DATA_KEYS"):
        Settings()
    monkeypatch.setenv("HUB_DATA_KEYS", f"k9:{_key()}")
    assert Settings().env == "production"


def test_malformed_data_keys_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_DATA_KEYS", "k1:not-base64!!")
    with pytest.raises(ConfigurationError, match="HUB_DATA_KEYS key 'k1' is not base64"):
        Settings().data_key_ring()
    monkeypatch.setenv("HUB_DATA_KEYS", f"k1:{base64.b64encode(b'short').decode()}")
    with pytest.raises(ConfigurationError, match="must be 32 bytes"):
        Settings().data_key_ring()


def test_sealed_values_are_authenticated() -> None:
    ring = KeyRing([("a", os.urandom(32))])
    sealed = ring.seal(b"13912345678", b"context")
    assert b"13912345678" not in sealed
    assert ring.open(sealed, b"context") == b"13912345678"
    with pytest.raises(DecryptionError):
        ring.open(sealed, b"other context")
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(DecryptionError):
        ring.open(tampered, b"context")
    with pytest.raises(DecryptionError, match="does not list"):
        KeyRing([("b", os.urandom(32))]).open(sealed, b"context")


def _complaint(number: str) -> Complaint:
    return Complaint(
        source="hotline_12345",
        source_number=number,
        received_at=__import__("datetime").datetime(2026, 5, 1, 9, 0),
        complainant_phone="13912345678",
        complainant_name="张三",
        content_hash="x",
        source_version="1",
    )


def test_rotation_reseals_under_the_new_key(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = _key(), _key()
    monkeypatch.setenv("HUB_DATA_KEYS", f"old:{old}")
    clear_caches()
    with session_scope(engine) as session:
        session.add_all([_complaint("A1"), _complaint("A2")])

    monkeypatch.setenv("HUB_DATA_KEYS", f"new:{new},old:{old}")
    clear_caches()
    counts = rotate_keys(engine)
    assert counts["complaints.complainant_phone"] == 2
    assert counts["complaints.complainant_name"] == 2
    assert rotate_keys(engine)["complaints.complainant_phone"] == 0  # re-running changes nothing

    monkeypatch.setenv("HUB_DATA_KEYS", f"new:{new}")
    clear_caches()
    with session_scope(engine) as session:
        phones = session.scalars(select(Complaint.complainant_phone)).all()
        raw = (
            session.execute(select(type_coerce(Complaint.complainant_phone, LargeBinary)))
            .scalars()
            .all()
        )
    assert phones == ["13912345678", "13912345678"]
    assert {get_key_ring().key_id_of(bytes(value)) for value in raw} == {"new"}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM complaints")).scalar() == 2
