"""Typed dependencies every router takes, and the scope rules they all apply.

Routers declare what they need as ``Annotated`` aliases, so an endpoint reads as its
signature::

    @router.get("/things/{thing_id}")
    def read_thing(thing_id: int, session: SessionDep, principal: CurrentPrincipal) -> ...

Scope is decided here once, in SQL (``scope_clauses``), so that every work endpoint answers
the same question the same way and nothing outside the caller's scope is ever loaded: a
record is visible when its department is the caller's (unless the caller sees all
departments) and its region lies within the caller's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import ColumnElement, false
from sqlalchemy.orm import QueryableAttribute, Session, sessionmaker

from hub.security.tokens import ExpiredTokenError, InvalidTokenError, Principal, decode_token
from hub.settings import Settings

TOKEN_URL = "/api/v1/auth/token"

# auto_error=False: a missing token is answered below with the same 401 as a bad one.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


def get_settings_of_app(request: Request) -> Settings:
    """The settings the app was created with (not re-read per request)."""
    settings: Settings = request.app.state.settings
    return settings


def get_session_factory(request: Request) -> sessionmaker[Session]:
    """The app's session factory, bound to the engine of its settings' database URL."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


SettingsDep = Annotated[Settings, Depends(get_settings_of_app)]
SessionFactoryDep = Annotated[sessionmaker[Session], Depends(get_session_factory)]


def get_session(factory: SessionFactoryDep) -> Iterator[Session]:
    """One session per request, closed when the response is sent; endpoints commit."""
    with factory() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def _unauthorized(detail: str, *, error: str | None = None) -> HTTPException:
    challenge = "Bearer" if error is None else f'Bearer error="{error}"'
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": challenge},
    )


def get_current_principal(
    settings: SettingsDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Principal:
    """The caller, from the bearer token; 401 with a Bearer challenge when there is none."""
    if not token:
        raise _unauthorized("not authenticated")
    try:
        return decode_token(token, settings=settings)
    except ExpiredTokenError:
        raise _unauthorized("token expired", error="invalid_token") from None
    except InvalidTokenError:
        raise _unauthorized("invalid token", error="invalid_token") from None


CurrentPrincipal = Annotated[Principal, Depends(get_current_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Principal]:
    """A dependency that lets only ``roles`` through (403 otherwise) and yields the principal.

    Replayer = Annotated[Principal, Depends(require_roles("admin", "integrator"))]
    """
    allowed = frozenset(roles)

    def check_role(principal: CurrentPrincipal) -> Principal:
        if principal.role not in allowed:
            raise HTTPException(
                status_code=status.HTTP_403_FORBIDDEN,
                detail=f"requires role {' or '.join(sorted(allowed))}",
            )
        return principal

    return check_role


def scope_clauses(
    principal: Principal,
    *,
    department: QueryableAttribute[Any] | None = None,
    region: QueryableAttribute[Any] | None = None,
) -> list[ColumnElement[bool]]:
    """SQL conditions restricting a query to what ``principal`` may see.

    Pass the department and region columns the table has (``None`` for none). A row whose
    scoped column is NULL is visible only to a principal unrestricted on that axis.
    """
    clauses: list[ColumnElement[bool]] = []
    if department is not None and not principal.sees_all_departments:
        clauses.append(department == principal.department_code)
    if region is not None and not principal.sees_all_regions:
        prefix = principal.region_prefix
        clauses.append(region.startswith(prefix, autoescape=True) if prefix else false())
    return clauses
