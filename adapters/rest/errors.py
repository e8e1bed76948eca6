"""The one place where ``requests`` exceptions and HTTP statuses become the hub's errors.

    requests.Timeout, ConnectionError, ChunkedEncodingError  →  RemoteUnavailable (retry)
    HTTP 429, 5xx                                             →  RemoteUnavailable (retry,
                                                                 with the Retry-After wait)
    HTTP 401, 403                                             →  AuthenticationRefused (an AuthenticationFailed)
    any other HTTP 4xx                                        →  RequestRejected
    requests.InvalidURL, SSLError, other RequestException     →  ConfigurationError

Every message is masked: the channel's secret values (API keys, client secrets, tokens)
never appear in an error, even when the remote echoes them back.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import parsedate_to_datetime

import requests

from adapters.secrets import mask
from hub.errors import AuthenticationFailed, ConfigurationError, RemoteUnavailable

_BODY_EXCERPT = 200


class RequestRejected(ConfigurationError):
    """The remote refused the request as malformed (a 4xx): retrying the same cannot help."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class AuthenticationRefused(RequestRejected, AuthenticationFailed):
    """401 or 403: the credentials in the channel's ``auth`` settings are wrong or revoked."""


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds to wait: delta-seconds or an HTTP date; None if absent."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def _describe(response: requests.Response) -> str:
    request = response.request
    excerpt = response.text[:_BODY_EXCERPT].strip() if response.content else ""
    return f"{request.method} {request.url}: HTTP {response.status_code} {response.reason}" + (
        f": {excerpt}" if excerpt else ""
    )


def error_for_response(response: requests.Response, secrets: set[str]) -> Exception:
    """The hub error an unsuccessful response stands for (to raise or to retry on)."""
    text = mask(_describe(response), secrets)
    status = response.status_code
    if status in (401, 403):
        return AuthenticationRefused(
            f"authentication refused: {text} (check the channel's adapter.auth settings)",
            status=status,
        )
    if status == 429 or status >= 500:
        return RemoteUnavailable(
            text, retry_after=retry_after_seconds(response.headers.get("Retry-After"))
        )
    return RequestRejected(text, status=status)


@contextmanager
def translating(what: str, secrets: set[str]) -> Iterator[None]:
    """Translate ``requests`` exceptions raised inside into hub errors, keeping the cause."""
    try:
        yield
    except (
        requests.Timeout,
        requests.ConnectionError,
        requests.exceptions.ChunkedEncodingError,
        requests.exceptions.ContentDecodingError,
    ) as exc:
        if isinstance(exc, requests.exceptions.SSLError):
            raise ConfigurationError(
                mask(f"{what}: TLS verification failed (set adapter.ca_bundle?): {exc}", secrets)
            ) from exc
        raise RemoteUnavailable(mask(f"{what}: {type(exc).__name__}: {exc}", secrets)) from exc
    except requests.RequestException as exc:
        raise ConfigurationError(mask(f"{what}: {type(exc).__name__}: {exc}", secrets)) from exc
