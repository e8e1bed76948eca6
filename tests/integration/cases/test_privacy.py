"""A complainant's phone number, filed through both public interfaces, is found nowhere:
not in any public response, not in the logs, not in the SQLite file, not in a PostgreSQL dump.
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
import shutil
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from starlette.exceptions import StarletteDeprecationWarning

from tests.conftest import clear_caches

with warnings.catch_warnings():  # as tests/unit/api/conftest.py: httpx fallback warns
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

API_KEY = "k-" + secrets.token_urlsafe(16)
# Digits no fixture or code table holds, so any occurrence is the complainant's.
PHONE = "1395" + "".join(secrets.choice("0123456789") for _ in range(7))
NAME = "隐私测试" + secrets.choice("甲乙丙丁")
CONTENT = "超市标价与结算价不一致，多收了钱。"


@pytest.fixture
def client(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("HUB_ENV", "test")
    monkeypatch.setenv("HUB_SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("HUB_DATA_KEYS", "t1:" + base64.b64encode(os.urandom(32)).decode())
    monkeypatch.setenv("HUB_PUBLIC_API_KEYS", f"311-app:{API_KEY}")
    clear_caches()
    from hub.api.app import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


def _file_and_read_everything(client: TestClient) -> list[str]:
    """File one complaint through each interface; every public answer's text."""
    answers = []
    filed = client.post(
        "/api/v1/public/complaints",
        json={
            "category_code": "pricing",
            "content": CONTENT,
            "complainant_name": NAME,
            "complainant_phone": PHONE,
            "address": "合肥市庐阳区长江中路 1 号",
            "region_code": "340103",
        },
    )
    assert filed.status_code == 201, filed.text
    tracking_no = filed.json()["tracking_no"]
    posted = client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": API_KEY,
            "service_code": "food_safety",
            "lat": "31.86",
            "long": "117.28",
            "first_name": NAME[2:],
            "last_name": NAME[:2],
            "phone": PHONE,
            "description": "面包过期仍在销售。",
        },
    )
    assert posted.status_code == 200, posted.text
    request_id = posted.json()[0]["service_request_id"]
    answers += [filed.text, posted.text]
    for path in (
        f"/api/v1/public/complaints/{tracking_no}",
        f"/open311/v2/requests/{request_id}.xml",
        f"/open311/v2/requests/{request_id}.json",
        f"/open311/v2/requests/{tracking_no}.json",
        "/open311/v2/requests.xml",
        "/open311/v2/requests.json",
    ):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text)
        answers.append(response.text)
    return answers


def _schema_of(engine: Engine) -> str:
    """The test's PostgreSQL schema, from the ``-csearch_path=...`` option of its URL."""
    options = str(make_url(str(engine.url)).query["options"])
    return options.removeprefix("-csearch_path=")


def _pg_dump(engine: Engine) -> bytes:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.fail("pg_dump is not installed")
    url = engine.url
    dump = subprocess.run(
        [
            pg_dump,
            "--host",
            url.host or "127.0.0.1",
            "--port",
            str(url.port or 5432),
            "--username",
            url.username or "postgres",
            "--schema",
            _schema_of(engine),
            "--no-password",
            url.database or "test",
        ],
        capture_output=True,
        check=True,
        timeout=120,
    )
    return dump.stdout


def test_a_known_phone_is_nowhere_public_or_at_rest(
    client: TestClient, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="hub")
    answers = _file_and_read_everything(client)

    for answer in answers:
        assert PHONE not in answer and NAME not in answer
    assert PHONE not in caplog.text and NAME not in caplog.text

    engine.dispose()  # every write on disk, nothing left only in a connection
    if engine.dialect.name == "sqlite":
        database = Path(engine.url.database or "")
        at_rest = b"".join(
            path.read_bytes()
            for path in database.parent.glob(database.name + "*")  # the file, its WAL, journal
        )
    else:
        at_rest = _pg_dump(engine)
    # The scan sees what is stored in clear (the complaint's text), so it would see the phone.
    assert CONTENT.encode() in at_rest
    assert PHONE.encode() not in at_rest
    assert NAME.encode() not in at_rest
    assert NAME.encode("utf-16-le") not in at_rest
