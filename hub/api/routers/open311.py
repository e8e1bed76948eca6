"""Open311 GeoReport v2 under ``/open311/v2/``: the public complaints as a 311 endpoint.

To the letter of https://wiki.open311.org/GeoReport_v2, so that existing 311 clients work
unchanged: every resource in XML (required) and JSON, chosen by the path's extension;
``POST requests`` form-encoded with an ``api_key`` (``HUB_PUBLIC_API_KEYS``) and a location;
errors as the spec's error array with its HTTP codes (403 for the api_key, 404 for what does
not exist, 400 for everything else, 429 when the client's rate limit is used up). The
services are the complaint categories (``standards/cases/categories.yaml``); a request's id is
the complaint's tracking number, the same as ``/api/v1/public/complaints`` answers.

One jurisdiction is served (``HUB_OPEN311_JURISDICTION_ID``): ``jurisdiction_id`` may be left
out, and any other value is answered 404.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import EmailStr

from hub.api.deps import SessionDep, SettingsDep
from hub.api.open311 import documents, filters
from hub.api.open311.formats import Format, respond
from hub.api.open311.locations import region_in_address
from hub.api.ratelimit import RateLimitedClient
from hub.api.routers.public_complaints import CONTENT_MAX, Phone
from hub.cases.categories import categories
from hub.cases.public import (
    PublicComplaintForm,
    file_public_complaint,
    list_public_cases,
    public_case_view,
)
from hub.cases.settings import CASES_DIR, case_settings
from hub.errors import DataError, NotFoundError, RetryLater

MAX_REQUESTS = 1000  # the spec's default query limit
SERVICE_NOTICE = "已接收，可凭 service_request_id 查询办理进度 (received; follow it by its id)"


def _format_of(request: Request) -> Format:
    """Every resource ends in ``.xml`` or ``.json``; anything else is answered in XML."""
    return "json" if request.url.path.endswith(".json") else "xml"


def _problem(error: Mapping[str, Any]) -> str:
    """One validation error as ``field: message`` (without FastAPI's body/query prefix)."""
    location = ".".join(str(part) for part in error["loc"] if part not in ("body", "query"))
    return f"{location}: {error['msg']}" if location else str(error["msg"])


class Open311Route(APIRoute):
    """Answers every failure of its endpoint as the spec's error array, in the asked format.

    FastAPI's own answers (422 validation details, ``{"detail": ...}``) would break a 311
    client, so validation errors become 400s, one ``error`` per field, and HTTP and hub
    errors keep their status (and ``Retry-After``) inside the array.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_as_open311(request: Request) -> Response:
            format_ = _format_of(request)
            try:
                return await handle(request)
            except RequestValidationError as exc:
                problems = [(400, _problem(error)) for error in exc.errors()]
                return respond(documents.errors(*problems), format_, status_code=400)
            except HTTPException as exc:
                return respond(
                    documents.errors((exc.status_code, str(exc.detail))),
                    format_,
                    status_code=exc.status_code,
                    headers=dict(exc.headers or {}),
                )
            except NotFoundError as exc:
                return respond(documents.errors((404, str(exc))), format_, status_code=404)
            except DataError as exc:
                return respond(documents.errors((400, str(exc))), format_, status_code=400)
            except RetryLater as exc:
                retry_after = str(max(1, round(exc.retry_after or 1)))
                return respond(
                    documents.errors((503, "temporarily unavailable; try again later")),
                    format_,
                    status_code=503,
                    headers={"Retry-After": retry_after},
                )

        return handle_as_open311


router = APIRouter(route_class=Open311Route, tags=["open311"])


def output_format(fmt: str) -> Format:
    """The path's extension: ``xml`` or ``json`` (404 for any other)."""
    if fmt not in ("xml", "json"):
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"format {fmt!r} is not served; use xml or json"
        )
    return "json" if fmt == "json" else "xml"


OutputFormat = Annotated[Format, Depends(output_format)]


def _check_jurisdiction(given: str | None, served: str) -> None:
    if given and given != served:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"jurisdiction_id {given!r} was not found; this is {served}"
        )


def check_jurisdiction(
    settings: SettingsDep, jurisdiction_id: Annotated[str | None, Query()] = None
) -> None:
    _check_jurisdiction(jurisdiction_id, settings.open311_jurisdiction_id)


InJurisdiction = Depends(check_jurisdiction)


@router.get("/discovery.{fmt}", dependencies=[InJurisdiction])
def discovery(request: Request, format_: OutputFormat, settings: SettingsDep) -> Response:
    """The service discovery file: where the endpoint is and which formats it speaks."""
    endpoint = str(request.url.replace(query="")).rsplit("/", 1)[0]
    changed = datetime.fromtimestamp((CASES_DIR / "categories.yaml").stat().st_mtime, UTC)
    document = documents.discovery(
        endpoint_url=endpoint,
        changeset=changed.strftime("%Y-%m-%d %H:%M"),
        contact=f"{settings.open311_jurisdiction_id}: call 12345 (政务服务便民热线)",
        key_service="API keys are issued by the provincial data bureau (数据资源管理局)",
    )
    return respond(document, format_)


@router.get("/services.{fmt}", dependencies=[InJurisdiction])
def list_services(format_: OutputFormat) -> Response:
    """GET Service List: the complaint categories."""
    return respond(documents.service_list(categories().values()), format_)


@router.get("/services/{service_code}.{fmt}", dependencies=[InJurisdiction])
def read_service(service_code: str, format_: OutputFormat) -> Response:
    """GET Service Definition: no category asks for extra attributes (metadata false)."""
    category = categories().get(service_code)
    if category is None:
        raise NotFoundError(f"service_code {service_code!r} was not found")
    return respond(documents.service_definition(category), format_)


def _complainant_name(first_name: str | None, last_name: str | None) -> str | None:
    """A Chinese name is family name first, without a space (张 + 三 = 张三)."""
    parts = [part for part in (last_name, first_name) if part]
    if not parts:
        return None
    if all("\u4e00" <= part[0] <= "\u9fff" for part in parts):
        return "".join(parts)
    return " ".join(reversed(parts))


OptionalForm = Annotated[str | None, Form(max_length=200)]


@router.post("/requests.{fmt}")
def create_request(
    format_: OutputFormat,
    client: RateLimitedClient,
    session: SessionDep,
    settings: SettingsDep,
    service_code: OptionalForm = None,
    jurisdiction_id: OptionalForm = None,
    lat: Annotated[float | None, Form(ge=-90, le=90)] = None,
    long: Annotated[float | None, Form(ge=-180, le=180)] = None,
    address_string: OptionalForm = None,
    address_id: OptionalForm = None,
    email: Annotated[EmailStr | None, Form()] = None,
    first_name: Annotated[str | None, Form(max_length=50)] = None,
    last_name: Annotated[str | None, Form(max_length=50)] = None,
    phone: Annotated[Phone | None, Form()] = None,
    description: Annotated[str | None, Form(max_length=CONTENT_MAX)] = None,
    media_url: Annotated[str | None, Form(max_length=1000)] = None,
) -> Response:
    """POST Service Request: files the complaint at once and answers its id.

    ``device_id``, ``account_id`` and ``attribute[...]`` are accepted and not kept (no
    service has attributes). ``media_url`` is kept in the complaint's text, so the handler
    sees it; a request without ``description`` is filed with the service's name as its text.
    The region is the one ``address_string`` names, if any (Open311 has no region field).
    """
    if client.name is None:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "api_key was not provided (in a form sent as application/x-www-form-urlencoded)",
        )
    _check_jurisdiction(jurisdiction_id, settings.open311_jurisdiction_id)
    missing = []
    if not service_code:
        missing.append((400, "service_code was not provided"))
    if (lat is None) != (long is None):
        missing.append((400, "lat and long both need to be sent"))
    elif lat is None and not address_string and not address_id:
        missing.append(
            (400, "a location was not provided: lat and long, address_string or address_id")
        )
    if missing:
        return respond(documents.errors(*missing), format_, status_code=400)
    category = categories().get(service_code or "")
    if category is None:
        raise NotFoundError(f"service_code {service_code!r} was not found")
    content = description or category.name
    if media_url:
        content = f"{content}\n\nmedia_url: {media_url}"
    view = file_public_complaint(
        session,
        PublicComplaintForm(
            category_code=category.code,
            content=content,
            title=None,
            complainant_name=_complainant_name(first_name, last_name),
            complainant_phone=phone,
            complainant_email=email,
            address=address_string or (f"address_id {address_id}" if address_id else None),
            region_code=region_in_address(address_string, case_settings().province_region_prefix),
            latitude=lat,
            longitude=long,
            target_uscc=None,
            target_name=None,
            channel="open311",
        ),
    )
    return respond(documents.created_request(view, SERVICE_NOTICE), format_)


@router.get("/requests.{fmt}", dependencies=[InJurisdiction])
def list_requests(
    format_: OutputFormat,
    session: SessionDep,
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status_filter: Annotated[str | None, Query(alias="status")] = None,
) -> Response:
    """GET Service Requests: by ids (which override every other filter), or by service codes,
    date range of the request and status; at most 1000, over at most 90 days."""
    ids = filters.comma_list(service_request_id)
    if ids:
        found = (public_case_view(session, tracking_no) for tracking_no in ids[:MAX_REQUESTS])
        views = [view for view in found if view is not None]
    else:
        start, end = filters.date_range(
            filters.w3_datetime_argument(start_date, "start_date"),
            filters.w3_datetime_argument(end_date, "end_date"),
        )
        views = list_public_cases(
            session,
            category_codes=filters.comma_list(service_code) or None,
            is_open=filters.open_or_closed(status_filter),
            start=start,
            end=end,
            limit=MAX_REQUESTS,
        )
    return respond(documents.service_requests(views, categories()), format_)


@router.get("/requests/{service_request_id}.{fmt}", dependencies=[InJurisdiction])
def read_request(service_request_id: str, format_: OutputFormat, session: SessionDep) -> Response:
    """GET Service Request: one request's public state; 404 for an unknown id."""
    view = public_case_view(session, service_request_id)
    if view is None:
        raise NotFoundError(f"service_request_id {service_request_id!r} was not found")
    return respond(documents.service_requests([view], categories()), format_)


@router.api_route("/{unknown:path}", methods=["GET", "POST"], include_in_schema=False)
def unknown_resource(unknown: str) -> Response:
    """Anything else under the endpoint: the spec's 404, in its error array."""
    raise HTTPException(status.HTTP_404_NOT_FOUND, f"{unknown!r} is not a GeoReport v2 resource")
