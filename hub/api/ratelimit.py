"""Rate limits of the public POST endpoints, per client, shared by every API process.

A client is the name of its API key when it sends a valid one (a 311 app or a partner portal
posting for many people from one address), else its IP address. Counters live in Redis when
``HUB_REDIS_URL`` is set, so that every API process behind the load balancer counts the same
client together; without it each process counts in its own memory (a single-process trial).
The window moves (the ``limits`` package's moving window): a client that used its 20 a
minute may post again exactly when its oldest post leaves the window, and the 429 answer's
``Retry-After`` says when that is.

Behind a proxy, run uvicorn with ``--proxy-headers --forwarded-allow-ips`` set to the proxy,
so that the address counted is the client's and not the proxy's.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from limits import RateLimitItem, parse_many
from limits.errors import ConfigurationError as LimitsConfigurationError
from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from hub.errors import ConfigurationError, RetryLater
from hub.settings import Settings

API_KEY_HEADER = "X-API-Key"
API_KEY_FIELD = "api_key"  # Open311 sends its key as a form field
# The form encoding GeoReport v2 prescribes for POST (a multipart body is not read here: its
# files would need closing, and the spec does not send one).
_FORM_TYPE = "application/x-www-form-urlencoded"
_NAMESPACE = "public"  # the limits package's first key part, before the client
# How long a client should wait when the counter store itself does not answer.
_STORAGE_RETRY_SECONDS = 5.0


@dataclass(frozen=True)
class RateDecision:
    """Whether a hit was allowed and, when refused, the seconds until one would be."""

    allowed: bool
    retry_after: int = 0


def _storage(redis_url: str | None, key_prefix: str) -> Storage:
    """Redis (``redis://``, ``rediss://``, ``redis+sentinel://``, ...) when given, else memory."""
    if not redis_url:
        return MemoryStorage()
    scheme = redis_url.split("://")[0]
    try:
        storage = storage_from_string(redis_url, key_prefix=key_prefix, wrap_exceptions=True)
    except LimitsConfigurationError as exc:
        raise ConfigurationError(f"HUB_REDIS_URL ({scheme}://...) is not usable: {exc}") from exc
    if not isinstance(storage, Storage):
        raise ConfigurationError(f"HUB_REDIS_URL {scheme}:// is asynchronous; use redis://")
    return storage


class PublicRateLimiter:
    """Counts hits per client against the configured limits (``20/minute``, ``20/minute;200/day``).

    >>> limiter = PublicRateLimiter("2/minute")
    >>> [limiter.hit("ip:203.0.113.9").allowed for _ in range(3)]
    [True, True, False]
    """

    def __init__(
        self, limit: str, *, redis_url: str | None = None, key_prefix: str = "hub-ratelimit"
    ) -> None:
        self.limits: list[RateLimitItem] = parse_many(limit)
        self.storage = _storage(redis_url, key_prefix)
        self._limiter = MovingWindowRateLimiter(self.storage)

    @classmethod
    def from_settings(cls, settings: Settings) -> PublicRateLimiter:
        return cls(
            settings.public_rate_limit,
            redis_url=settings.redis_url,
            key_prefix=settings.rate_limit_key_prefix,
        )

    def hit(self, client: str) -> RateDecision:
        """Count one request of ``client``; refused when any limit is used up.

        Raises :class:`~hub.errors.RetryLater` when Redis does not answer: refusing the
        client for a while is safer than letting every client through unlimited.
        """
        try:
            for limit in self.limits:
                if not self._limiter.hit(limit, _NAMESPACE, client):
                    reset_at, _remaining = self._limiter.get_window_stats(limit, _NAMESPACE, client)
                    return RateDecision(False, max(1, math.ceil(reset_at - time.time())))
        except StorageError as exc:
            raise RetryLater(
                "the rate-limit store does not answer", retry_after=_STORAGE_RETRY_SECONDS
            ) from exc.storage_error
        return RateDecision(True)


@dataclass(frozen=True)
class PublicClient:
    """Who is posting: the API key's client name, if a valid key came, and the counted key."""

    name: str | None
    rate_key: str


def get_rate_limiter(request: Request) -> PublicRateLimiter:
    """The app's limiter (made in ``create_app`` from its settings)."""
    limiter: PublicRateLimiter = request.app.state.public_rate_limiter
    return limiter


async def _sent_api_key(request: Request) -> str | None:
    """The key from the ``X-API-Key`` header, else from an ``api_key`` form field (Open311).

    The form is parsed once: Starlette keeps it on the request for the endpoint's fields."""
    key = request.headers.get(API_KEY_HEADER)
    if not key and request.headers.get("content-type", "").startswith(_FORM_TYPE):
        value = (await request.form()).get(API_KEY_FIELD)
        key = value if isinstance(value, str) else None
    return key or None


async def limit_public_post(request: Request) -> PublicClient:
    """Count the request against its client's limit: 429 with ``Retry-After`` when used up.

    A key that is sent but unknown is answered 403, after counting the request against the
    sender's address, so that guessing keys does not escape the limit.
    """
    settings: Settings = request.app.state.settings
    key = await _sent_api_key(request)
    name = settings.public_api_key_names().get(key) if key else None
    address = request.client.host if request.client else "unknown"
    client = PublicClient(name, f"key:{name}" if name else f"ip:{address}")
    decision = await run_in_threadpool(get_rate_limiter(request).hit, client.rate_key)
    if not decision.allowed:
        raise HTTPException(
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            detail=f"too many requests; try again in {decision.retry_after} s",
            headers={"Retry-After": str(decision.retry_after)},
        )
    if key and name is None:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="invalid api_key")
    return client


RateLimitedClient = Annotated[PublicClient, Depends(limit_public_post)]
