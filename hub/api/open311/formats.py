"""GeoReport v2 documents and their two formats: XML (required) and JSON (the Spark convention).

A document is a tree of three kinds of node, which is all the spec's documents need:

- a scalar (text, number, boolean, or ``None`` for an empty element / ``null``),
- a :class:`Record`: an XML element with named children; a JSON object,
- a :class:`Collection`: an XML container of repeated elements; a JSON array, even with a
  single item (the Spark convention's one difference from Parker).

So ``Document("services", Collection("service", (Record(...), ...)))`` is
``<services><service>...`` in XML and ``[{...}, ...]`` in JSON. XML is built with lxml, never by concatenating strings,
and carries the declaration with its encoding, as the spec requires.

>>> error = Record((("code", 404), ("description", "no")))
>>> document = Document("errors", Collection("error", (error,)))
>>> render_json(document)
b'[{"code":404,"description":"no"}]'
>>> render_xml(document).decode().splitlines()[1]
'<errors><error><code>404</code><description>no</description></error></errors>'

"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, TypeAlias

from fastapi.responses import Response
from lxml import etree

Format = Literal["xml", "json"]
MEDIA_TYPES: dict[Format, str] = {"xml": "text/xml", "json": "application/json"}

Scalar: TypeAlias = str | int | float | bool | None

# Characters XML 1.0 cannot carry at all (control characters a hotline's text may hold): they
# are dropped from XML output rather than failing the whole response.
XML_INCOMPATIBLE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Record:
    """Named children in order: an XML element's sub-elements, a JSON object's members."""

    fields: tuple[tuple[str, Node], ...]


@dataclass(frozen=True)
class Collection:
    """Repeated ``item_tag`` elements in their container: always a JSON array."""

    item_tag: str
    items: tuple[Node, ...]


Node: TypeAlias = Scalar | Record | Collection


@dataclass(frozen=True)
class Document:
    """A whole response: the root element's name and what it holds."""

    root: str
    content: Record | Collection


def w3_datetime(moment: datetime) -> str:
    """The spec's date format (W3C note): seconds, and the zone as ``Z`` or ``±HH:MM``.

    >>> w3_datetime(datetime(2010, 4, 14, 14, 37, 38, 123456, tzinfo=UTC))
    '2010-04-14T14:37:38Z'
    """
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    text = aware.isoformat(timespec="seconds")
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


def _scalar_text(value: Scalar) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else XML_INCOMPATIBLE.sub("", str(value))


def _fill(element: etree._Element, node: Node) -> None:
    if isinstance(node, Record):
        for name, child in node.fields:
            _fill(etree.SubElement(element, name), child)
    elif isinstance(node, Collection):
        for item in node.items:
            _fill(etree.SubElement(element, node.item_tag), item)
    else:
        element.text = _scalar_text(node)


def _as_json(node: Node) -> object:
    if isinstance(node, Record):
        return {name: _as_json(child) for name, child in node.fields}
    if isinstance(node, Collection):
        return [_as_json(item) for item in node.items]
    return node


def render_xml(document: Document) -> bytes:
    """The document as UTF-8 XML with its declaration (no namespace, as the spec asks)."""
    root = etree.Element(document.root)
    _fill(root, document.content)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def render_json(document: Document) -> bytes:
    """The document in the Spark convention: the root element is dropped, containers are arrays."""
    return json.dumps(
        _as_json(document.content), ensure_ascii=False, separators=(",", ":")
    ).encode()


def respond(
    document: Document,
    format_: Format,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """An HTTP response in ``format_`` with the spec's content type and charset."""
    body = render_xml(document) if format_ == "xml" else render_json(document)
    return Response(
        body,
        status_code=status_code,
        media_type=f"{MEDIA_TYPES[format_]}; charset=utf-8",
        headers=headers,
    )
