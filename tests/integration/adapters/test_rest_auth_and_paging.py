"""The REST adapter's pagination styles, authentication schemes and settings checks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from adapters.base import OutboundMessage
from adapters.rest.client import RestAdapter
from adapters.rest.errors import AuthenticationRefused
from hub.errors import ConfigurationError
from hub.exchange.runner import build_adapter, run_channel
from simulators.hotline_12345 import HotlineSimulator
from simulators.registry import SimulatorOptions
from tests.integration.adapters.test_rest_hotline import CREDENTIALS, KEY, ORDERS, rest_channel

PAGE_SIZE = 7
PAGES = -(-ORDERS // PAGE_SIZE)


@pytest.fixture
def hotline() -> Iterator[HotlineSimulator]:
    simulator = HotlineSimulator(SimulatorOptions(seed=13), orders=ORDERS, credentials=CREDENTIALS)
    yield simulator
    simulator.stop()


@pytest.mark.parametrize(
    "pagination",
    [
        {"style": "page"},
        {"style": "offset"},
        {"style": "cursor", "next_pointer": "/data/next"},
        {"style": "link"},
    ],
    ids=lambda pagination: pagination["style"],
)
def test_every_pagination_style_walks_every_page_once(
    sqlite_engine: Engine,
    repo_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    hotline: HotlineSimulator,
    pagination: dict[str, Any],
) -> None:
    channel = rest_channel(
        repo_root, monkeypatch, hotline, pagination={**pagination, "page_size": PAGE_SIZE}
    )
    report = run_channel(sqlite_engine, channel)
    assert (report.received, report.stored, report.envelopes) == (ORDERS, ORDERS, PAGES)
    assert hotline.plan.served["requests"] == PAGES


def test_a_refused_api_key_is_a_configuration_error_with_the_key_masked(
    sqlite_engine: Engine,
    repo_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    hotline: HotlineSimulator,
) -> None:
    channel = rest_channel(repo_root, monkeypatch, hotline)
    monkeypatch.setenv("HUB_HOTLINE_12345_KEY", "wr0ng-key-echoed-by-the-remote")
    with pytest.raises(AuthenticationRefused, match="authentication refused") as caught:
        run_channel(sqlite_engine, channel)
    assert "wr0ng-key-echoed-by-the-remote" not in str(caught.value)
    assert "****" in str(caught.value)
    assert hotline.plan.served["requests"] == 1  # not retried


def _oauth(monkeypatch: pytest.MonkeyPatch, hotline: HotlineSimulator, secret: str) -> Any:
    monkeypatch.setenv("HUB_TEST_CLIENT_SECRET", secret)
    return {
        "type": "oauth2_client_credentials",
        "token_url": f"{hotline.url}/oauth/token",
        "client_id": CREDENTIALS.client_id,
        "client_secret": "${HUB_TEST_CLIENT_SECRET}",
    }


def test_oauth2_tokens_are_fetched_once_and_again_after_a_401(
    repo_root: Path, monkeypatch: pytest.MonkeyPatch, hotline: HotlineSimulator
) -> None:
    auth = _oauth(monkeypatch, hotline, CREDENTIALS.client_secret)
    with build_adapter(rest_channel(repo_root, monkeypatch, hotline, auth=auth)) as adapter:
        assert len(list(adapter.fetch(None))) == 5
        assert hotline.gatekeeper.tokens_issued == 1
        hotline.gatekeeper.revoke_tokens()  # the token ends its life early
        assert len(list(adapter.fetch(None))) == 5
    assert hotline.gatekeeper.tokens_issued == 2


def test_oauth2_tokens_are_refreshed_before_they_expire(
    repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    simulator = HotlineSimulator(
        SimulatorOptions(), orders=ORDERS, credentials=replace(CREDENTIALS, token_ttl=30)
    )
    try:
        auth = _oauth(monkeypatch, simulator, CREDENTIALS.client_secret)
        with build_adapter(rest_channel(repo_root, monkeypatch, simulator, auth=auth)) as adapter:
            assert len(list(adapter.fetch(None))) == 5
    finally:
        simulator.stop()
    # 30 s of life is within the refresh margin: every page asks for a fresh token
    assert simulator.gatekeeper.tokens_issued == 5


def test_a_refused_client_secret_is_masked(
    repo_root: Path, monkeypatch: pytest.MonkeyPatch, hotline: HotlineSimulator
) -> None:
    auth = _oauth(monkeypatch, hotline, "n0t-the-client-s3cret")
    with (
        build_adapter(rest_channel(repo_root, monkeypatch, hotline, auth=auth)) as adapter,
        pytest.raises(AuthenticationRefused, match="authentication refused") as caught,
    ):
        list(adapter.fetch(None))
    assert "n0t-the-client-s3cret" not in str(caught.value)


@pytest.mark.parametrize("secret", [CREDENTIALS.hmac_secret, "an0ther-hmac-s3cret"])
def test_hmac_signed_requests_pass_only_with_the_right_secret(
    repo_root: Path, monkeypatch: pytest.MonkeyPatch, hotline: HotlineSimulator, secret: str
) -> None:
    monkeypatch.setenv("HUB_TEST_HMAC_SECRET", secret)
    auth = {"type": "hmac_sha256", "key_id": "hub", "secret": "${HUB_TEST_HMAC_SECRET}"}
    number = sorted(hotline.book.orders)[1]
    feedback = OutboundMessage(
        "feedback", json.dumps({"工单编号": number, "answer": "已办结"}).encode(), "fb-signed"
    )
    with build_adapter(rest_channel(repo_root, monkeypatch, hotline, auth=auth)) as adapter:
        if secret != CREDENTIALS.hmac_secret:
            with pytest.raises(AuthenticationRefused) as caught:
                list(adapter.fetch(None))
            assert secret not in str(caught.value)
            return
        assert len(list(adapter.fetch(None))) == 5
        assert adapter.push(feedback).accepted  # the body is signed too
    assert hotline.book.feedback_applied == 1


def test_secrets_must_be_environment_references_and_tls_is_verified(
    repo_root: Path, monkeypatch: pytest.MonkeyPatch, hotline: HotlineSimulator
) -> None:
    literal = {"type": "api_key", "key": KEY}
    with pytest.raises(ConfigurationError, match=r"adapter\.auth"):
        build_adapter(rest_channel(repo_root, monkeypatch, hotline, auth=literal))

    with build_adapter(rest_channel(repo_root, monkeypatch, hotline)) as adapter:
        assert isinstance(adapter, RestAdapter) and adapter.session.verify is True
    channel = rest_channel(repo_root, monkeypatch, hotline, ca_bundle="ca.pem")
    with build_adapter(channel) as bundled:
        assert isinstance(bundled, RestAdapter)
        assert bundled.session.verify == str(channel.path.parent / "ca.pem")
