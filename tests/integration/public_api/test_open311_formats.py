"""GeoReport v2's two formats from one document: XML (parsed back with lxml) and Spark JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from hub.api.open311.formats import (
    XML_INCOMPATIBLE,
    Collection,
    Document,
    Record,
    render_json,
    render_xml,
    respond,
    w3_datetime,
)

SERVICES = Document(
    "services",
    Collection(
        "service",
        (
            Record(
                (
                    ("service_code", "food_safety"),
                    ("service_name", "食品安全"),
                    ("metadata", False),
                    ("keywords", "食品安全, 过期食品"),
                )
            ),
        ),
    ),
)


def test_xml_has_the_declaration_with_its_encoding_and_no_namespace() -> None:
    body = render_xml(SERVICES)
    assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = etree.fromstring(body)
    assert root.tag == "services" and root.nsmap == {}
    service = root.find("service")
    assert service is not None
    assert [child.tag for child in service] == [
        "service_code",
        "service_name",
        "metadata",
        "keywords",
    ]
    assert service.findtext("service_name") == "食品安全"
    assert service.findtext("metadata") == "false"


def test_json_is_spark_an_array_even_for_one_item() -> None:
    assert json.loads(render_json(SERVICES)) == [
        {
            "service_code": "food_safety",
            "service_name": "食品安全",
            "metadata": False,
            "keywords": "食品安全, 过期食品",
        }
    ]


def test_a_record_root_is_an_object_and_nested_containers_are_arrays() -> None:
    document = Document(
        "service_definition",
        Record(
            (
                ("service_code", "pricing"),
                ("attributes", Collection("attribute", ())),
                ("formats", Collection("format", ("text/xml",))),
            )
        ),
    )
    assert json.loads(render_json(document)) == {
        "service_code": "pricing",
        "attributes": [],
        "formats": ["text/xml"],
    }
    root = etree.fromstring(render_xml(document))
    assert root.tag == "service_definition"
    assert root.find("attributes") is not None and len(root.find("attributes")) == 0
    assert root.findtext("formats/format") == "text/xml"


def test_none_is_an_empty_element_and_null() -> None:
    document = Document(
        "service_requests", Collection("request", (Record((("account_id", None),)),))
    )
    assert etree.fromstring(render_xml(document)).find("request/account_id").text is None
    assert json.loads(render_json(document)) == [{"account_id": None}]


@given(st.text())
def test_any_text_survives_xml_escaping(text: str) -> None:
    """Markup in a value is data, never structure; characters XML cannot carry are dropped."""
    document = Document("errors", Collection("error", (Record((("description", text),)),)))
    parsed = etree.fromstring(render_xml(document)).findtext("error/description") or ""
    assert parsed == XML_INCOMPATIBLE.sub("", text)
    assert json.loads(render_json(document)) == [{"description": text}]


def test_datetimes_are_w3_with_their_zone() -> None:
    assert w3_datetime(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05Z"
    beijing = timezone(timedelta(hours=8))
    assert w3_datetime(datetime(2026, 1, 2, 3, 4, 5, 999, tzinfo=beijing)) == (
        "2026-01-02T03:04:05+08:00"
    )
    assert w3_datetime(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05Z"  # stored naive UTC


def test_responses_carry_the_spec_content_types() -> None:
    assert respond(SERVICES, "xml").media_type == "text/xml; charset=utf-8"
    json_response = respond(SERVICES, "json", status_code=404, headers={"Retry-After": "3"})
    assert json_response.media_type == "application/json; charset=utf-8"
    assert json_response.status_code == 404 and json_response.headers["Retry-After"] == "3"
