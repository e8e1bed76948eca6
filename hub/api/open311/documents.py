"""The GeoReport v2 documents, field by field as the spec names and orders them.

Service requests are built from :class:`~hub.cases.public.PublicCaseView`, which holds no
personal data, so nothing here can leak a complainant's name, phone or e-mail. The complaint's
text is not published either (``description`` is null): people write their names, numbers and
addresses into it; nor is the department's answer, which the tracking number shows
(``/api/v1/public/complaints/{tracking_no}``) to whoever holds it, while ``GET requests``
lists every request to anyone. The spec's status is only ``open`` or ``closed``; the hub's finer stage
(received, accepted, assigned, handling, answered, ...) goes into ``status_notes``, with
the date it was reached.
"""

from __future__ import annotations

from collections.abc import Iterable

from hub.api.open311.formats import Collection, Document, Node, Record, w3_datetime
from hub.cases.categories import Category
from hub.cases.public import PublicCaseView

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# The hub files every request at once and answers with its id: never a token.
SERVICE_TYPE = "realtime"

# The public stages of a case (``public_stage`` in standards/workflows/complaint.yaml) as a
# reader of status_notes sees them; a stage not listed is shown by its code.
STAGE_LABELS = {
    "received": "已接收 received",
    "accepted": "已受理 accepted",
    "not_accepted": "不予受理 not accepted",
    "assigned": "已派单 assigned",
    "handling": "办理中 being handled",
    "answered": "已答复 answered",
    "visited": "已回访 visited back",
    "closed": "已办结 closed",
}


def errors(*problems: tuple[int, str]) -> Document:
    """The spec's error array: one ``error`` (code, description) per problem."""
    return Document(
        "errors",
        Collection(
            "error",
            tuple(Record((("code", code), ("description", text))) for code, text in problems),
        ),
    )


def _service(category: Category) -> Record:
    return Record(
        (
            ("service_code", category.code),
            ("service_name", category.name),
            ("description", category.description),
            ("metadata", False),
            ("type", SERVICE_TYPE),
            ("keywords", ", ".join(category.keywords)),
            ("group", category.group),
        )
    )


def service_list(categories: Iterable[Category]) -> Document:
    """GET services: every category as a service without extra attributes (metadata false)."""
    return Document("services", Collection("service", tuple(map(_service, categories))))


def service_definition(category: Category) -> Document:
    """GET services/{code}: the category's definition, which asks for no extra attributes."""
    return Document(
        "service_definition",
        Record((("service_code", category.code), ("attributes", Collection("attribute", ())))),
    )


def created_request(view: PublicCaseView, service_notice: str) -> Document:
    """POST requests: the new request's id (never a token: the hub files at once)."""
    created = Record(
        (
            ("service_request_id", view.tracking_no),
            ("service_notice", service_notice),
            ("account_id", None),
        )
    )
    return Document("service_requests", Collection("request", (created,)))


def status_notes(view: PublicCaseView) -> str:
    """The latest public stage and when it was reached: ``办理中 being handled (since ...)``."""
    if not view.stages:
        return STAGE_LABELS.get(view.status, view.status)
    latest = view.stages[-1]
    return f"{STAGE_LABELS.get(latest.stage, latest.stage)} (since {w3_datetime(latest.at)})"


def _request(view: PublicCaseView, categories: dict[str, Category]) -> Record:
    category = categories.get(view.category_code)
    fields: list[tuple[str, Node]] = [
        ("service_request_id", view.tracking_no),
        ("status", "open" if view.is_open else "closed"),
        ("status_notes", status_notes(view)),
        ("service_name", category.name if category else view.category_code),
        ("service_code", view.category_code),
        ("description", None),
    ]
    if view.agency_responsible:
        fields.append(("agency_responsible", view.agency_responsible))
    fields += [
        ("requested_datetime", w3_datetime(view.requested_at)),
        ("updated_datetime", w3_datetime(view.updated_at)),
        ("address", view.address),
        ("address_id", None),
        ("zipcode", None),
        ("lat", view.latitude),
        ("long", view.longitude),
        ("media_url", None),
    ]
    return Record(tuple(fields))


def service_requests(views: Iterable[PublicCaseView], categories: dict[str, Category]) -> Document:
    """GET requests and GET requests/{id}: each request's public state."""
    requests = tuple(_request(view, categories) for view in views)
    return Document("service_requests", Collection("request", requests))


def discovery(endpoint_url: str, changeset: str, contact: str, key_service: str) -> Document:
    """The service discovery file (https://wiki.open311.org/Service_Discovery)."""
    endpoint = Record(
        (
            ("specification", SPECIFICATION),
            ("url", endpoint_url),
            ("changeset", changeset),
            ("type", "production"),
            ("formats", Collection("format", ("text/xml", "application/json"))),
        )
    )
    return Document(
        "discovery",
        Record(
            (
                ("changeset", changeset),
                ("contact", contact),
                ("key_service", key_service),
                ("endpoints", Collection("endpoint", (endpoint,))),
            )
        ),
    )
