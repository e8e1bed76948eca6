"""The hub's HTTP API: work interface, public interface, health, metrics and docs.

``hub serve`` runs it; so does ``uvicorn --factory hub.api.app:create_app``. Layout:

- ``/api/v1/...``: the work interface. Every route mounted on the work router requires a
  bearer token at the router level, so a route added later cannot forget it; each endpoint
  then narrows what it returns to the caller's department and region.
- ``/api/v1/auth/token``: the OAuth2 token endpoint (open, by necessity).
- ``/api/v1/public/...``: the public interface, open.
- ``/open311/v2/...``: the public complaints as Open311 GeoReport v2 (``routers/open311.py``).
- ``/api/v1/national/...``: the national system's queries, authenticated by its signature
  (``routers/national.py``), not by token.
- ``/healthz``, ``/metrics`` (Prometheus text format), ``/docs`` (OpenAPI UI).

Settings are read once, when the app is created: with a default secret outside development
``Settings()`` raises and the app is never built.
"""

from __future__ import annotations

import logging
import time

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.api.deps import SessionFactoryDep, get_current_principal
from hub.api.ratelimit import PublicRateLimiter
from hub.api.routers import (
    auth,
    cases,
    catalog,
    collaboration,
    draws,
    entities,
    national,
    open311,
    provenance,
    public,
    public_approvals,
    public_complaints,
    public_draws,
    public_inspections,
    quarantine,
)
from hub.errors import (
    ConfigurationError,
    DataError,
    HubError,
    NotFoundError,
    PermissionDenied,
    RetryLater,
)
from hub.security.tokens import InvalidTokenError
from hub.settings import Settings, get_settings
from hub.store.engine import engine_for, session_factory

logger = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
# Label for requests that matched no route, so scanners cannot inflate metric cardinality.
UNMATCHED_PATH = "<unmatched>"

# First match wins: subclasses before their bases.
_STATUS_BY_ERROR: tuple[tuple[type[HubError], int], ...] = (
    (InvalidTokenError, 401),
    (NotFoundError, 404),
    (PermissionDenied, 403),
    (DataError, 422),
    (RetryLater, 503),
    (ConfigurationError, 500),
)
_SAFE_SERVER_ERROR = "the hub cannot serve this request; the operators have been told"


async def _hub_error_response(request: Request, exc: Exception) -> Response:
    """Map the hub's error families to HTTP in one place (see :mod:`hub.errors`).

    Client errors carry their message; a server-side error (configuration, anything
    unforeseen) is logged with its cause and answered with a message that reveals nothing of
    the configuration.
    """
    status_code = next((code for family, code in _STATUS_BY_ERROR if isinstance(exc, family)), 500)
    headers: dict[str, str] = {}
    if status_code >= 500:
        logger.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        detail = _SAFE_SERVER_ERROR
        if isinstance(exc, RetryLater):
            detail = "temporarily unavailable; try again later"
            if exc.retry_after is not None:
                headers["Retry-After"] = str(max(1, round(exc.retry_after)))
    else:
        detail = str(exc)
        if status_code == 401:
            headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return JSONResponse({"detail": detail}, status_code=status_code, headers=headers)


class MetricsMiddleware:
    """Counts requests by method, route template and status, and times them.

    Pure ASGI (not ``BaseHTTPMiddleware``) so streaming responses pass through untouched. The
    route template (``/api/v1/entities/{uscc}``) rather than the raw path keeps the number of
    label values bounded.
    """

    def __init__(self, app: ASGIApp, *, requests: Counter, latency: Histogram) -> None:
        self.app = app
        self.requests = requests
        self.latency = latency

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status_code = 500
        started = time.perf_counter()

        async def send_with_status(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or UNMATCHED_PATH
            method = str(scope.get("method", ""))
            self.requests.labels(method=method, path=path, status=str(status_code)).inc()
            self.latency.labels(method=method, path=path).observe(time.perf_counter() - started)


def _work_router() -> APIRouter:
    """Every work endpoint, behind a token check at the router level."""
    router = APIRouter(prefix=API_PREFIX, dependencies=[Depends(get_current_principal)])
    router.include_router(entities.router)
    router.include_router(quarantine.router)
    router.include_router(provenance.router)
    router.include_router(catalog.router)
    router.include_router(draws.router)
    router.include_router(cases.router)
    router.include_router(collaboration.router)
    return router


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the API for ``settings`` (default: the process settings from the environment)."""
    settings = settings if settings is not None else get_settings()
    engine = engine_for(settings.database_url)

    app = FastAPI(
        title="互联网+监管 integration hub",
        summary="Work and public interfaces of the 互联网+监管 integration hub.",
        version="0.1.0",
    )
    app.state.settings = settings
    app.state.session_factory = session_factory(engine)
    app.state.public_rate_limiter = PublicRateLimiter.from_settings(settings)

    registry = CollectorRegistry()
    app.state.metrics_registry = registry
    app.add_middleware(
        MetricsMiddleware,
        requests=Counter(
            "hub_http_requests",
            "HTTP requests by method, route template and status.",
            ["method", "path", "status"],
            registry=registry,
        ),
        latency=Histogram(
            "hub_http_request_duration_seconds",
            "HTTP request latency by method and route template.",
            ["method", "path"],
            registry=registry,
        ),
    )
    app.add_exception_handler(HubError, _hub_error_response)

    app.include_router(auth.router, prefix=API_PREFIX)
    app.include_router(public.router, prefix=f"{API_PREFIX}/public")
    app.include_router(public_draws.router, prefix=f"{API_PREFIX}/public")
    app.include_router(public_complaints.router, prefix=f"{API_PREFIX}/public")
    app.include_router(open311.router, prefix="/open311/v2")
    app.include_router(public_inspections.router, prefix=f"{API_PREFIX}/public")
    app.include_router(public_approvals.router, prefix=f"{API_PREFIX}/public")
    app.include_router(national.router, prefix=f"{API_PREFIX}/national")  # signed, no token
    app.include_router(_work_router())

    @app.get("/healthz", tags=["operations"])
    def healthz(factory: SessionFactoryDep) -> JSONResponse:
        """Liveness and readiness: answers 200 only after a database round trip."""
        database = engine.dialect.name
        try:
            with factory() as session:
                session.execute(text("SELECT 1"))
        except SQLAlchemyError:
            logger.exception("health check: database unreachable")
            return JSONResponse({"status": "unavailable", "database": database}, status_code=503)
        return JSONResponse({"status": "ok", "database": database})

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    def metrics() -> Response:
        """Prometheus scrape endpoint (this app's registry only)."""
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return app
