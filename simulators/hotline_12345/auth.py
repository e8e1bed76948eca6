"""How callers prove themselves to the simulated hotline: API key, OAuth2 token or HMAC.

A request passes with any one of them:

- ``X-API-Key: <api_key>``;
- ``Authorization: Bearer <token>`` from ``POST /oauth/token`` (client credentials, HTTP
  Basic ``client_id:client_secret``), valid for ``token_ttl`` seconds or until revoked;
- HMAC-SHA256 over ``METHOD\\nPATH?QUERY\\nX-Timestamp\\nX-Nonce\\nSHA256(body)`` with the
  key named in ``X-Key-Id``, hex in ``X-Signature``; the timestamp must be within five
  minutes and a nonce is accepted once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from email.message import Message

CLOCK_SKEW_SECONDS = 300


@dataclass(frozen=True)
class Credentials:
    """What the simulated hotline accepts (demo values; tests pass their own)."""

    api_key: str = "hotline-demo-key"
    client_id: str = "hub"
    client_secret: str = "hotline-demo-client-secret"
    hmac_key_id: str = "hub"
    hmac_secret: str = "hotline-demo-hmac-secret"
    token_ttl: float = 3600.0


def signing_string(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """The text both sides sign; the adapter's signer builds the same."""
    digest = hashlib.sha256(body).hexdigest()
    return f"{method.upper()}\n{path}\n{timestamp}\n{nonce}\n{digest}".encode()


@dataclass
class Gatekeeper:
    """Checks requests against ``credentials``; issues and revokes OAuth2 tokens."""

    credentials: Credentials
    tokens: dict[str, float] = field(default_factory=dict)
    tokens_issued: int = 0
    _nonces: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def issue_token(self, authorization: str) -> str | None:
        """A new bearer token for valid client credentials in HTTP Basic form, else None."""
        if not authorization.startswith("Basic "):
            return None
        try:
            client = base64.b64decode(authorization[6:]).decode()
        except (ValueError, UnicodeDecodeError):
            return None
        expected = f"{self.credentials.client_id}:{self.credentials.client_secret}"
        if not hmac.compare_digest(client, expected):
            return None
        token = secrets.token_urlsafe(24)
        with self._lock:
            self.tokens[token] = time.monotonic() + self.credentials.token_ttl
            self.tokens_issued += 1
        return token

    def revoke_tokens(self) -> None:
        """Expire every token at once (what a token's end of life looks like to a client)."""
        with self._lock:
            self.tokens.clear()

    def admits(self, method: str, path: str, headers: Message, body: bytes) -> bool:
        key = headers.get("X-API-Key")
        if key is not None:
            return hmac.compare_digest(key, self.credentials.api_key)
        authorization = headers.get("Authorization", "")
        if authorization.startswith("Bearer "):
            with self._lock:
                expiry = self.tokens.get(authorization[7:])
            return expiry is not None and expiry > time.monotonic()
        if "X-Signature" in headers:
            return self._signature_valid(method, path, headers, body)
        return False

    def _signature_valid(self, method: str, path: str, headers: Message, body: bytes) -> bool:
        timestamp, nonce = headers.get("X-Timestamp", ""), headers.get("X-Nonce", "")
        if headers.get("X-Key-Id") != self.credentials.hmac_key_id or not nonce:
            return False
        try:
            skew = abs(time.time() - float(timestamp))
        except ValueError:
            return False
        expected = hmac.new(
            self.credentials.hmac_secret.encode(),
            signing_string(method, path, timestamp, nonce, body),
            hashlib.sha256,
        ).hexdigest()
        if skew > CLOCK_SKEW_SECONDS or not hmac.compare_digest(
            expected, headers.get("X-Signature", "")
        ):
            return False
        with self._lock:
            if nonce in self._nonces:
                return False
            self._nonces.add(nonce)
        return True
