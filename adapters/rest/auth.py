"""Request authentication of the REST adapter, chosen by ``adapter.auth.type``.

- ``api_key``: a header (``X-API-Key`` unless ``header`` says otherwise) carries the key.
- ``oauth2_client_credentials``: a bearer token from ``token_url`` (HTTP Basic client id and
  secret), fetched on first use, again shortly before ``expires_in`` runs out and whenever
  the remote answers 401 (``forget`` then retry).
- ``hmac_sha256``: each request is signed over method, path and query, ``X-Timestamp``,
  ``X-Nonce`` and the body's SHA-256, so a captured request cannot be replayed or altered.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests
from requests.auth import AuthBase

from hub.errors import ConfigurationError

TOKEN_MARGIN_SECONDS = 30.0


class ApiKeyAuth(AuthBase):
    def __init__(self, key: str, header: str) -> None:
        self.key, self.header = key, header

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers[self.header] = self.key
        return request


class OAuth2ClientCredentials(AuthBase):
    """Bearer tokens for one client; ``fetch_token`` posts to the token endpoint.

    ``fetch_token`` is given by the adapter so the token request goes through the same
    timeouts, TLS settings and error translation as every other request.
    """

    def __init__(self, fetch_token: Callable[[], Mapping[str, Any]]) -> None:
        self._fetch_token = fetch_token
        self._token: str | None = None
        self._expires_at = 0.0

    @property
    def token(self) -> str | None:
        return self._token

    def forget(self) -> None:
        """Drop the token (the remote said 401): the next request fetches a new one."""
        self._token = None

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if self._token is None or time.monotonic() >= self._expires_at:
            answer = self._fetch_token()
            token = answer.get("access_token")
            if not isinstance(token, str) or not token:
                raise ConfigurationError("OAuth2 token endpoint answered without access_token")
            expires_in = float(answer.get("expires_in") or 3600)
            self._token = token
            self._expires_at = time.monotonic() + max(0.0, expires_in - TOKEN_MARGIN_SECONDS)
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request


def signing_string(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """``METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nhex(SHA-256(body))``, what is signed."""
    digest = hashlib.sha256(body).hexdigest()
    return f"{method.upper()}\n{path}\n{timestamp}\n{nonce}\n{digest}".encode()


class HmacSha256Auth(AuthBase):
    def __init__(self, key_id: str, secret: str) -> None:
        self.key_id, self.secret = key_id, secret.encode()

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        body = request.body or b""
        body_bytes = body.encode() if isinstance(body, str) else bytes(body)
        text = signing_string(
            str(request.method), str(request.path_url), timestamp, nonce, body_bytes
        )
        request.headers["X-Key-Id"] = self.key_id
        request.headers["X-Timestamp"] = timestamp
        request.headers["X-Nonce"] = nonce
        request.headers["X-Signature"] = hmac.new(self.secret, text, hashlib.sha256).hexdigest()
        return request


def build_auth(
    settings: Mapping[str, Any] | None, fetch_token: Callable[[], Mapping[str, Any]]
) -> AuthBase | None:
    """The ``AuthBase`` for ``adapter.auth`` (already validated by the config schema)."""
    if not settings:
        return None
    kind = settings["type"]
    if kind == "api_key":
        return ApiKeyAuth(str(settings["key"]), str(settings.get("header", "X-API-Key")))
    if kind == "oauth2_client_credentials":
        return OAuth2ClientCredentials(fetch_token)
    if kind == "hmac_sha256":
        return HmacSha256Auth(str(settings["key_id"]), str(settings["secret"]))
    raise ConfigurationError(f"unknown adapter.auth.type {kind!r}")
