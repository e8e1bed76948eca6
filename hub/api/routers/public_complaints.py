"""Complaints from the public (公众投诉举报) under ``/api/v1/public/complaints``: open, rate-limited.

``POST`` files a complaint and answers its tracking number (查询编号); ``GET /{tracking_no}``
answers where it stands: status, the stages reached with their dates, and the answer once
given. Nothing a complainant wrote about themselves is ever answered, nor the complaint's
text: only what :class:`~hub.cases.public.PublicCaseView` holds.

Every field's form is checked at the edge and each wrong one is named in the 422 answer, so
the person can correct them all at once. What is well-formed but cannot be routed is not
refused: a category code the hub does not know, a region outside the province, no contact
details. The complaint is filed like any other and its case waits in the manual triage queue
(人工分拨) with the reason, so nothing is ever dropped. A complaint that passes is stored before
the answer is sent (its case opened, or put in the triage queue), so an accepted complaint is
never lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Annotated, Any, Self

from fastapi import APIRouter, Path, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)

from hub.api.deps import SessionDep
from hub.api.open311.locations import region_in_address
from hub.api.ratelimit import RateLimitedClient
from hub.cases.categories import categories
from hub.cases.public import (
    PublicCaseView,
    PublicComplaintForm,
    file_public_complaint,
    public_case_view,
)
from hub.cases.settings import case_settings
from hub.errors import NotFoundError
from standards.codes.regions import load_regions
from standards.codes.uscc import validate_uscc


class NoEchoRoute(APIRoute):
    """Answers a validation failure with each field's location and message, but not FastAPI's
    copy of the value sent: what a person typed about themselves (a mistyped phone number)
    is not repeated in a response, where proxies and browser tools keep it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_without_echo(request: Request) -> Response:
            try:
                return await handle(request)
            except RequestValidationError as exc:
                detail = [
                    {"loc": error["loc"], "msg": error["msg"], "type": error["type"]}
                    for error in exc.errors()
                ]
                return JSONResponse(
                    {"detail": jsonable_encoder(detail)},
                    status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
                )

        return handle_without_echo


router = APIRouter(prefix="/complaints", tags=["public"], route_class=NoEchoRoute)

# A mainland mobile (with or without +86); a landline with its area code (010 and 02x
# before 8 digits, 0xxx before 7 or 8) and an extension.
_MOBILE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^(?:0[12]\d-?\d{8}|0[3-9]\d{2}-?\d{7,8})(?:-\d{1,6})?$")
CONTENT_MAX = 4000  # the Open311 limit on a description, kept for both interfaces


def _phone(value: str) -> str:
    compact = re.sub(r"\s", "", value)
    if _MOBILE.match(compact.replace("-", "")):
        return compact.replace("-", "")
    if _LANDLINE.match(compact):
        return compact
    raise ValueError(
        "not a phone number: a mobile of 11 digits (13812345678) or a landline with "
        "its area code (0551-62345678)"
    )


def _region(value: str) -> str:
    if not load_regions().is_valid(value):
        raise ValueError(f"{value!r} is not a GB/T 2260 region code (e.g. 340104)")
    return value


def _uscc(value: str) -> str:
    check = validate_uscc(value)
    if not check.acceptable:
        raise ValueError(f"not a 统一社会信用代码: {check.reason}")
    return check.code.strip().upper()


Phone = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_phone)]
# The form of a category code; an unknown one is filed and triaged (the intake classifies it
# from the text, or the dispatching centre decides).
CategoryCode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z][a-z0-9_]{0,49}$")
]
RegionCode = Annotated[str, StringConstraints(pattern=r"^\d{6}$"), AfterValidator(_region)]
Uscc = Annotated[str, AfterValidator(_uscc)]
Content = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=5, max_length=CONTENT_MAX)
]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ComplaintCreate(BaseModel):
    """A complaint as the public sends it. Contact details are optional: a complaint without
    them still gets a case, in manual triage (the dispatching centre may not accept it for
    lack of them: ``missing_identity``)."""

    model_config = ConfigDict(extra="forbid")

    category_code: CategoryCode = Field(
        description="a code of GET /open311/v2/services.json (another code is triaged by hand)"
    )
    content: Content = Field(description="what happened, where and when (5-4000 characters)")
    title: ShortText | None = None
    complainant_name: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] | None
    ) = None
    complainant_phone: Phone | None = Field(default=None, examples=["13812345678"])
    complainant_email: EmailStr | None = None
    address: ShortText | None = Field(default=None, description="where it happened")
    region_code: RegionCode | None = Field(
        default=None, description="GB/T 2260; one outside the province is triaged by hand"
    )
    latitude: float | None = Field(default=None, ge=-90, le=90, description="WGS84")
    longitude: float | None = Field(default=None, ge=-180, le=180, description="WGS84")
    target_uscc: Uscc | None = Field(default=None, description="统一社会信用代码 of the business")
    target_name: ShortText | None = Field(default=None, description="the business complained of")
    client_ref: Annotated[str, StringConstraints(max_length=100)] | None = Field(
        default=None, description="your own id of this complaint: posting it again is harmless"
    )

    @model_validator(mode="after")
    def _coordinates_come_in_pairs(self) -> Self:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude come together: send both or neither")
        return self

    def form(self, region_code: str | None) -> PublicComplaintForm:
        """The intake's form, with the region given or found in the address."""
        return PublicComplaintForm(
            category_code=self.category_code,
            content=self.content,
            title=self.title,
            complainant_name=self.complainant_name,
            complainant_phone=self.complainant_phone,
            complainant_email=self.complainant_email,
            address=self.address,
            region_code=region_code,
            latitude=self.latitude,
            longitude=self.longitude,
            target_uscc=self.target_uscc,
            target_name=self.target_name,
            channel="public_api",
            client_ref=self.client_ref,
        )


class ComplaintReceipt(BaseModel):
    """What the complainant keeps: the number to follow the complaint with."""

    tracking_no: str
    status: str
    is_open: bool
    requested_at: datetime


class PublicStageOut(BaseModel):
    stage: str
    at: datetime


class ComplaintStatus(BaseModel):
    """Where a complaint stands, for anyone holding its tracking number."""

    tracking_no: str
    category_code: str | None = Field(
        description="none while the case waits in triage unclassified"
    )
    category_name: str | None
    status: str
    is_open: bool
    stages: list[PublicStageOut]
    answer: str | None
    agency_responsible: str | None
    requested_at: datetime
    updated_at: datetime


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ComplaintReceipt)
def file_complaint(
    complaint: ComplaintCreate,
    _client: RateLimitedClient,
    session: SessionDep,
) -> ComplaintReceipt:
    """File a complaint; the answer's ``tracking_no`` follows it. The same ``client_ref``
    posted again answers the same complaint. One that cannot be routed (unknown category,
    region outside the province, no contact details) is answered ``status: triage``."""
    province = case_settings().province_region_prefix
    region = complaint.region_code or region_in_address(complaint.address, province)
    view = file_public_complaint(session, complaint.form(region))
    return ComplaintReceipt(
        tracking_no=view.tracking_no,
        status=view.status,
        is_open=view.is_open,
        requested_at=view.requested_at,
    )


def status_of(view: PublicCaseView) -> ComplaintStatus:
    category = categories().get(view.category_code)
    return ComplaintStatus(
        tracking_no=view.tracking_no,
        category_code=view.category_code or None,
        category_name=category.name if category else None,
        status=view.status,
        is_open=view.is_open,
        stages=[PublicStageOut(stage=stage.stage, at=stage.at) for stage in view.stages],
        answer=view.answer,
        agency_responsible=view.agency_responsible,
        requested_at=view.requested_at,
        updated_at=view.updated_at,
    )


@router.get("/{tracking_no}", response_model=ComplaintStatus)
def read_complaint(
    tracking_no: Annotated[str, Path(max_length=64, description="the number POST answered")],
    session: SessionDep,
) -> ComplaintStatus:
    """Status, stages with dates and the answer; 404 for a number the hub never gave."""
    view = public_case_view(session, tracking_no)
    if view is None:
        raise NotFoundError(f"no complaint has the tracking number {tracking_no!r}")
    return status_of(view)
