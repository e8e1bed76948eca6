"""The public rate limit: per client, in memory or shared through the real Redis."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator

import pytest
import redis
from fastapi import FastAPI
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.exceptions import StarletteDeprecationWarning

from hub.api.ratelimit import PublicRateLimiter, RateLimitedClient
from hub.errors import ConfigurationError, RetryLater
from hub.settings import Settings

with warnings.catch_warnings():  # as tests/unit/api/conftest.py: httpx fallback warns
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own in the real Redis, its keys deleted afterwards."""
    prefix = f"hub-test-{uuid.uuid4().hex}"
    yield prefix
    connection = redis.Redis.from_url(REDIS_URL)
    keys = list(connection.scan_iter(f"{prefix}*"))
    if keys:
        connection.delete(*keys)
    connection.close()


def test_a_client_is_refused_past_its_limit_with_the_wait_until_a_slot_frees() -> None:
    limiter = PublicRateLimiter("3/minute")
    assert [limiter.hit("ip:198.51.100.7").allowed for _ in range(3)] == [True] * 3
    refused = limiter.hit("ip:198.51.100.7")
    assert not refused.allowed
    assert 0 < refused.retry_after <= 60


def test_clients_are_counted_apart() -> None:
    limiter = PublicRateLimiter("1/minute")
    assert limiter.hit("ip:198.51.100.7").allowed
    assert limiter.hit("ip:198.51.100.8").allowed
    assert limiter.hit("key:wechat").allowed
    assert not limiter.hit("ip:198.51.100.7").allowed


def test_every_limit_of_a_list_applies() -> None:
    limiter = PublicRateLimiter("5/minute;2/hour")
    assert [limiter.hit("ip:a").allowed for _ in range(3)] == [True, True, False]
    assert limiter.hit("ip:a").retry_after > 60  # the hourly window decides the wait


@settings(max_examples=25, deadline=None)
@given(limit=st.integers(min_value=1, max_value=30), attempts=st.integers(0, 60))
def test_never_more_hits_pass_than_the_limit(limit: int, attempts: int) -> None:
    limiter = PublicRateLimiter(f"{limit}/hour")
    passed = sum(limiter.hit("ip:a").allowed for _ in range(attempts))
    assert passed == min(limit, attempts)


def test_two_limiters_on_one_redis_share_the_count(redis_prefix: str) -> None:
    """Two API processes, each with its own limiter and connection, see one counter."""
    first = PublicRateLimiter("3/minute", redis_url=REDIS_URL, key_prefix=redis_prefix)
    second = PublicRateLimiter("3/minute", redis_url=REDIS_URL, key_prefix=redis_prefix)
    assert first.hit("ip:203.0.113.1").allowed
    assert second.hit("ip:203.0.113.1").allowed
    assert first.hit("ip:203.0.113.1").allowed
    assert not second.hit("ip:203.0.113.1").allowed
    assert second.hit("ip:203.0.113.2").allowed
    keys = redis.Redis.from_url(REDIS_URL).keys(f"{redis_prefix}*")
    assert keys, "the counters are in Redis under the configured prefix"


def test_an_unreachable_redis_is_a_retry_later_not_an_open_door() -> None:
    limiter = PublicRateLimiter("3/minute", redis_url="redis://127.0.0.1:1/0")
    with pytest.raises(RetryLater) as raised:
        limiter.hit("ip:203.0.113.1")
    assert raised.value.retry_after


def test_a_limit_that_does_not_parse_refuses_to_start() -> None:
    with pytest.raises(ConfigurationError, match="HUB_PUBLIC_RATE_LIMIT"):
        Settings(public_rate_limit="twenty a minute")


def test_api_keys_parse_into_client_names() -> None:
    configured = Settings(public_api_keys="wechat:k-one, open311-app:k-two")  # type: ignore[arg-type]
    assert configured.public_api_key_names() == {"k-one": "wechat", "k-two": "open311-app"}
    with pytest.raises(ConfigurationError, match="NAME:KEY"):
        Settings(public_api_keys="no-colon").public_api_key_names()  # type: ignore[arg-type]


@pytest.fixture
def limited_app() -> FastAPI:
    """A bare app with one limited POST, limit 2 a minute, one issued key."""
    app = FastAPI()
    app.state.settings = Settings(public_api_keys="partner:s3cret")  # type: ignore[arg-type]
    app.state.public_rate_limiter = PublicRateLimiter("2/minute")

    @app.post("/things")
    def post_thing(client: RateLimitedClient) -> dict[str, str | None]:
        return {"name": client.name, "counted_as": client.rate_key}

    return app


def test_the_dependency_answers_429_with_retry_after(limited_app: FastAPI) -> None:
    with TestClient(limited_app) as client:
        assert [client.post("/things").status_code for _ in range(2)] == [200, 200]
        refused = client.post("/things")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60


def test_a_valid_key_counts_apart_from_the_address(limited_app: FastAPI) -> None:
    with TestClient(limited_app) as client:
        for _ in range(2):
            client.post("/things")
        keyed = client.post("/things", headers={"X-API-Key": "s3cret"})
        assert keyed.status_code == 200
        assert keyed.json() == {"name": "partner", "counted_as": "key:partner"}
        form_keyed = client.post("/things", data={"api_key": "s3cret"})
        assert form_keyed.json()["name"] == "partner"  # Open311 sends it as a form field


def test_an_unknown_key_is_refused_and_still_counted(limited_app: FastAPI) -> None:
    with TestClient(limited_app) as client:
        answers = [client.post("/things", headers={"X-API-Key": "guess"}) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [403, 403, 429]
