"""Who is calling ``/api/v1/national/``: the national system, proven by its signature.

The national system's calls carry no token. Each is signed as ``hub.national.signing``
describes, with the national key pinned in ``mappings/national_push/push.yaml``; a call is
served only when

- the signature verifies over the canonical text of this very request (method, path and
  query, timestamp, nonce, the body's digest),
- its timestamp lies within the configured window (five minutes by default) of our clock,
- its nonce was never seen: kept in Redis (``SET NX`` with an expiry) when ``HUB_REDIS_URL``
  is set, so every API process shares the cache, else in the store (``national_nonces``).

Anything else is refused with the reason (``CallerRefused``: HTTP 401).
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Protocol

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hub.errors import HubError
from hub.national.signing import HEADERS, Verifier, canonical_bytes, decode_signature
from hub.store.base import utcnow
from hub.store.models.national import NationalNonce


class CallerRefused(HubError):
    """A call to ``/api/v1/national/`` that does not prove it comes from the national system."""


class NonceCache(Protocol):
    def first_use(self, key_id: str, nonce: str, window_seconds: int) -> bool:
        """Record the nonce; False when it was seen before (a replay)."""


class StoreNonceCache:
    """Nonces in ``national_nonces``: the primary key refuses a second use."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def first_use(self, key_id: str, nonce: str, window_seconds: int) -> bool:
        try:
            with self.sessions.begin() as session:
                cutoff = utcnow() - timedelta(seconds=2 * window_seconds)
                session.execute(delete(NationalNonce).where(NationalNonce.seen_at < cutoff))
                session.add(NationalNonce(nonce=f"{key_id}:{nonce}", key_id=key_id))
        except IntegrityError:
            return False
        return True


class RedisNonceCache:
    """Nonces in Redis, expiring after twice the window (shared by every API process)."""

    def __init__(self, url: str, prefix: str = "hub-national-nonce") -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.prefix = prefix

    def first_use(self, key_id: str, nonce: str, window_seconds: int) -> bool:
        key = f"{self.prefix}:{key_id}:{nonce}"
        return bool(self.client.set(key, b"1", nx=True, ex=2 * window_seconds))


def authenticate(
    verifier: Verifier,
    nonces: NonceCache,
    *,
    window_seconds: int,
    method: str,
    target: str,
    headers: dict[str, str],
    body: bytes,
    now: float | None = None,
) -> str:
    """The caller's key id when the signed request holds; else ``CallerRefused``."""
    wanted = (HEADERS.algorithm, HEADERS.key_id, HEADERS.timestamp, HEADERS.nonce, HEADERS.value)
    values = {name: headers.get(name.lower(), "") for name in wanted}
    if not all(values.values()):
        raise CallerRefused(f"a signed request needs the headers {', '.join(wanted)}")
    if values[HEADERS.algorithm] != verifier.algorithm.value:
        raise CallerRefused(f"the signature algorithm must be {verifier.algorithm.value}")
    if values[HEADERS.key_id] != verifier.key_id:
        raise CallerRefused("the signing key is not the national system's")
    timestamp = values[HEADERS.timestamp]
    try:
        skew = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        raise CallerRefused(f"{HEADERS.timestamp} is not a number of seconds") from None
    if skew > window_seconds:
        raise CallerRefused(f"{HEADERS.timestamp} is outside the {window_seconds} s window")
    signature = decode_signature(values[HEADERS.value])
    text = canonical_bytes(
        verifier.algorithm, method, target, timestamp, values[HEADERS.nonce], body
    )
    if signature is None or not verifier.verify(text, signature):
        raise CallerRefused("the signature does not verify with the national system's key")
    if not nonces.first_use(verifier.key_id, values[HEADERS.nonce], window_seconds):
        raise CallerRefused(f"{HEADERS.nonce} was used before (a replayed request)")
    return verifier.key_id
