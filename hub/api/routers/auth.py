"""The OAuth2 token endpoint (RFC 6749): people by password, systems by client credentials.

    curl -d grant_type=password -d username=li.lei -d password=... /api/v1/auth/token
    curl -u CLIENT_ID:SECRET -d grant_type=client_credentials /api/v1/auth/token

Errors follow RFC 6749 section 5.2 (``{"error": ..., "error_description": ...}``): 400
``unsupported_grant_type`` or ``invalid_request``, 400 ``invalid_grant`` for a wrong or
inactive user's password, 401 ``invalid_client`` for a wrong or inactive client. The
messages never say whether an account exists.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated
from urllib.parse import unquote_plus

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import select

from hub.api.deps import SessionDep, SettingsDep
from hub.security.passwords import dummy_hash, verify_password
from hub.security.tokens import Principal, issue_token
from hub.settings import Settings
from hub.store.models.users import ApiClient, User

router = APIRouter(prefix="/auth", tags=["auth"])

# RFC 6749 section 5.1: token responses must not be cached.
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

FormField = Annotated[str | None, Form()]


class TokenPublic(BaseModel):
    """A successful token response (RFC 6749 section 5.1)."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int


class OAuthErrorPublic(BaseModel):
    """An error response (RFC 6749 section 5.2)."""

    error: str
    error_description: str | None = None


def _oauth_error(
    error: str, description: str, *, status_code: int = status.HTTP_400_BAD_REQUEST
) -> JSONResponse:
    headers = dict(_NO_STORE)
    if status_code == status.HTTP_401_UNAUTHORIZED:
        headers["WWW-Authenticate"] = 'Basic realm="hub"'
    return JSONResponse(
        OAuthErrorPublic(error=error, error_description=description).model_dump(),
        status_code=status_code,
        headers=headers,
    )


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    """Client id and secret from an HTTP Basic header, form-decoded (RFC 6749 2.3.1)."""
    scheme, _, param = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic" or not param:
        return None
    try:
        decoded = base64.b64decode(param.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        return None
    return unquote_plus(client_id), unquote_plus(secret)


def _token_response(principal: Principal, settings: Settings) -> JSONResponse:
    token = TokenPublic(
        access_token=issue_token(principal, settings=settings),
        expires_in=settings.token_ttl_seconds,
    )
    return JSONResponse(token.model_dump(), headers=_NO_STORE)


@router.post(
    "/token",
    response_model=TokenPublic,
    responses={400: {"model": OAuthErrorPublic}, 401: {"model": OAuthErrorPublic}},
)
def issue_access_token(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    grant_type: FormField = None,
    username: FormField = None,
    password: FormField = None,
    client_id: FormField = None,
    client_secret: FormField = None,
    scope: FormField = None,
) -> JSONResponse:
    """Exchange a password or client credentials for a bearer token.

    ``scope`` is accepted and ignored: a token always carries the account's whole scope.
    """
    if grant_type == "password":
        if not username or password is None:
            return _oauth_error("invalid_request", "username and password are required")
        user = session.scalars(select(User).where(User.username == username)).one_or_none()
        stored = user.password_hash if user is not None else dummy_hash()
        if not verify_password(password, stored) or user is None or not user.active:
            return _oauth_error("invalid_grant", "invalid username or password")
        return _token_response(user.principal(), settings)

    if grant_type == "client_credentials":
        basic = _basic_credentials(request)
        if basic is not None:
            client_id, client_secret = basic
        if not client_id or client_secret is None:
            return _oauth_error(
                "invalid_client",
                "client authentication failed",
                status_code=status.HTTP_401_UNAUTHORIZED,
            )
        client = session.scalars(
            select(ApiClient).where(ApiClient.client_id == client_id)
        ).one_or_none()
        stored = client.secret_hash if client is not None else dummy_hash()
        if not verify_password(client_secret, stored) or client is None or not client.active:
            return _oauth_error(
                "invalid_client",
                "client authentication failed",
                status_code=status.HTTP_401_UNAUTHORIZED,
            )
        return _token_response(client.principal(), settings)

    if not grant_type:
        return _oauth_error("invalid_request", "grant_type is required")
    return _oauth_error(
        "unsupported_grant_type", "grant_type must be password or client_credentials"
    )
