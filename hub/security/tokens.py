"""Signed, expiring access tokens and the principal they carry.

A token is a JWT (HS256, signed with ``HUB_SECRET_KEY``) whose claims are the caller's whole
scope: role, department and region. The API stays stateless behind a load balancer: no
session table, any replica can check any token. The price is that a changed or deactivated
account keeps its old scope until its token expires, hence the short ``token_ttl_seconds``.

    >>> officer = Principal("li.lei", "officer", "SCJG-3401", "340100")
    >>> officer.in_region("340102"), officer.in_region("340200")
    (True, False)
    >>> decode_token(issue_token(officer)) == officer
    True

Roles (who may do what is decided where it is used, with ``hub.api.deps.require_roles``):

- ``admin``: runs the hub; sees every department, and every region when its region is
  ``000000``;
- ``leader``: a department head or government leader; sees every department within its region;
- ``officer``: a law enforcement officer (执法人员); sees its own department within its region;
- ``integrator``: operates the exchange (quarantine replay, channels); usually a machine client.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal, get_args

import jwt

from hub.errors import ConfigurationError, HubError

if TYPE_CHECKING:
    from hub.settings import Settings

Role = Literal["admin", "leader", "officer", "integrator"]
ROLES: Final[tuple[str, ...]] = get_args(Role)
PrincipalKind = Literal["user", "client"]
PRINCIPAL_KINDS: Final[tuple[str, ...]] = get_args(PrincipalKind)

ISSUER: Final = "hub"
ALGORITHM: Final = "HS256"
# RFC 7518 section 3.2: an HS256 key must be at least as long as the hash output.
MIN_KEY_BYTES: Final = 32
# The region code an admin holds to see every region (the whole of China).
NATIONWIDE: Final[tuple[str, ...]] = ("", "000000")


class InvalidTokenError(HubError):
    """The bearer token is malformed, forged, or not issued by this hub (maps to HTTP 401)."""


class ExpiredTokenError(InvalidTokenError):
    """The bearer token was valid but its ``exp`` has passed; the caller must get a new one."""


def region_prefix(region_code: str) -> str:
    """The prefix of a GB/T 2260 code that covers its area: trailing ``00`` pairs stripped.

    ``340000`` (Anhui) -> ``34``, ``340100`` (Hefei) -> ``3401``, ``340102`` -> ``340102``.
    """
    prefix = region_code.strip()
    while prefix.endswith("00"):
        prefix = prefix[:-2]
    return prefix


@dataclass(frozen=True)
class Principal:
    """Who is calling and what they may see: the content of a token."""

    name: str
    role: str
    department_code: str
    region_code: str
    kind: str = "user"

    @property
    def sees_all_departments(self) -> bool:
        """Admins and leaders see every department's records (within their region)."""
        return self.role in ("admin", "leader")

    @property
    def sees_all_regions(self) -> bool:
        """Only an admin with the nationwide region code is unrestricted by region."""
        return self.role == "admin" and self.region_code.strip() in NATIONWIDE

    @property
    def region_prefix(self) -> str:
        """The code prefix of the caller's area (see :func:`region_prefix`)."""
        return region_prefix(self.region_code)

    def in_region(self, region_code: str | None) -> bool:
        """Whether a record in ``region_code`` lies within the caller's area.

        A record without a region is visible only to an unrestricted admin, and a non-admin
        whose region strips to nothing sees no region at all: scope fails closed.
        """
        if self.sees_all_regions:
            return True
        prefix = self.region_prefix
        if not prefix or not region_code:
            return False
        return region_code.startswith(prefix)


def _signing_key(settings: Settings | None) -> str:
    if settings is None:
        from hub.settings import get_settings

        settings = get_settings()
    key = settings.secret_key.get_secret_value()
    if len(key.encode("utf-8")) < MIN_KEY_BYTES:
        raise ConfigurationError(
            f"HUB_SECRET_KEY must be at least {MIN_KEY_BYTES} bytes to sign HS256 tokens"
        )
    return key


def issue_token(
    principal: Principal,
    *,
    settings: Settings | None = None,
    ttl_seconds: int | None = None,
    now: float | None = None,
) -> str:
    """A signed token for ``principal``, valid for ``ttl_seconds`` (default from settings).

    ``settings`` defaults to :func:`hub.settings.get_settings`; the API passes its own.
    """
    if settings is None:
        from hub.settings import get_settings

        settings = get_settings()
    issued_at = int(time.time() if now is None else now)
    ttl = settings.token_ttl_seconds if ttl_seconds is None else ttl_seconds
    claims: dict[str, Any] = {
        "sub": principal.name,
        "role": principal.role,
        "dept": principal.department_code,
        "region": principal.region_code,
        "kind": principal.kind,
        "iat": issued_at,
        "exp": issued_at + ttl,
        "iss": ISSUER,
    }
    return jwt.encode(claims, _signing_key(settings), algorithm=ALGORITHM)


def decode_token(token: str, *, settings: Settings | None = None) -> Principal:
    """The principal a token carries; raises :class:`InvalidTokenError` unless it is intact.

    :class:`ExpiredTokenError` tells an expired token apart, so that clients know to fetch a
    new one rather than to give up.
    """
    key = _signing_key(settings)
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["sub", "iat", "exp", "iss"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise ExpiredTokenError("token expired") from exc
    except jwt.InvalidTokenError as exc:
        raise InvalidTokenError(f"invalid token: {exc}") from exc
    role, kind = claims.get("role"), claims.get("kind")
    dept, region = claims.get("dept"), claims.get("region")
    if role not in ROLES or kind not in PRINCIPAL_KINDS:
        raise InvalidTokenError("invalid token: unknown role or kind")
    if not isinstance(dept, str) or not isinstance(region, str):
        raise InvalidTokenError("invalid token: department or region missing")
    return Principal(
        name=str(claims["sub"]),
        role=str(role),
        department_code=dept,
        region_code=region,
        kind=str(kind),
    )
