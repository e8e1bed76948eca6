"""Service requests built from public case views: open/closed, the stage in status_notes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from lxml import etree

from hub.api.open311 import documents
from hub.api.open311.formats import render_json, render_xml
from hub.cases.categories import categories
from hub.cases.public import PublicCaseView, PublicStage

RECEIVED = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
CLOSED = datetime(2026, 3, 9, 8, 30, tzinfo=UTC)
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "requested_datetime",
    "updated_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


def view(
    status: str, *, is_open: bool, agency: str | None = "合肥市市场监督管理局"
) -> PublicCaseView:
    stages = [PublicStage("received", RECEIVED)]
    if status != "received":
        stages.append(PublicStage(status, CLOSED))
    return PublicCaseView(
        tracking_no="TS20260302000001",
        category_code="food_safety",
        status=status,
        is_open=is_open,
        stages=stages,
        answer=None if is_open else "已责令整改并立案调查。",
        requested_at=RECEIVED,
        updated_at=CLOSED if not is_open else RECEIVED,
        address="合肥市蜀山区长江西路 100 号",
        latitude=31.8206,
        longitude=117.2272,
        agency_responsible=agency,
    )


def test_a_closed_case_is_closed_with_its_stage_and_date_in_status_notes() -> None:
    document = documents.service_requests([view("closed", is_open=False)], categories())
    request = etree.fromstring(render_xml(document)).find("request")
    assert request is not None
    assert [child.tag for child in request] == REQUEST_FIELDS
    assert request.findtext("status") == "closed"
    assert request.findtext("status_notes") == "已办结 closed (since 2026-03-09T08:30:00Z)"
    assert request.findtext("updated_datetime") == "2026-03-09T08:30:00Z"
    assert request.findtext("agency_responsible") == "合肥市市场监督管理局"
    assert request.findtext("description") == ""  # an empty element: the text is not published


def test_an_open_case_in_any_finer_stage_is_open() -> None:
    for stage in ("received", "accepted", "assigned", "handling", "answered", "visited"):
        document = documents.service_requests([view(stage, is_open=True)], categories())
        [request] = json.loads(render_json(document))
        assert request["status"] == "open"
        assert request["status_notes"].startswith(documents.STAGE_LABELS[stage])


def test_a_stage_without_a_label_is_shown_by_its_code() -> None:
    notes = documents.status_notes(view("supervised", is_open=True))
    assert notes == "supervised (since 2026-03-09T08:30:00Z)"


def test_agency_responsible_is_left_out_until_one_is_assigned() -> None:
    document = documents.service_requests(
        [view("received", is_open=True, agency=None)], categories()
    )
    [request] = json.loads(render_json(document))
    assert "agency_responsible" not in request
