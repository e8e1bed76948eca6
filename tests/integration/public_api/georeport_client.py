"""A GeoReport v2 client written from the spec alone, as an existing 311 app would be.

It knows nothing of the hub: it starts from a discovery URL, speaks XML (the one format
every server must offer), sends form-encoded POSTs, follows a token when a server answers
one, and reads the error array. If the hub serves it, it serves the 311 apps written the
same way (https://wiki.open311.org/GeoReport_v2).
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from lxml import etree

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


class GeoReportError(Exception):
    """The server answered with its error array."""

    def __init__(self, status: int, errors: list[tuple[str, str]]) -> None:
        super().__init__(f"{status}: {errors}")
        self.status = status
        self.errors = errors


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    group: str
    needs_definition: bool


@dataclass(frozen=True)
class ServiceRequest:
    id: str
    status: str
    status_notes: str | None
    service_code: str
    requested: str
    updated: str
    fields: dict[str, str | None]


class GeoReportClient:
    """discover → services → post → poll, in XML."""

    def __init__(self, http: httpx.Client, discovery_url: str, api_key: str, jurisdiction: str):
        self.http = http
        self.api_key = api_key
        self.jurisdiction = jurisdiction
        self.endpoint = self._discover(discovery_url)

    def _get(self, url: str, **params: str) -> etree._Element:
        response = self.http.get(url, params={"jurisdiction_id": self.jurisdiction, **params})
        return self._parsed(response)

    @staticmethod
    def _parsed(response: httpx.Response) -> etree._Element:
        root = etree.fromstring(response.content)
        if response.status_code >= 400:
            assert root.tag == "errors"
            raise GeoReportError(
                response.status_code,
                [(e.findtext("code") or "", e.findtext("description") or "") for e in root],
            )
        return root

    def _discover(self, discovery_url: str) -> str:
        root = self._parsed(self.http.get(discovery_url))
        for endpoint in root.iterfind("endpoints/endpoint"):
            formats = [node.text for node in endpoint.iterfind("formats/format")]
            if endpoint.findtext("specification") == SPECIFICATION and "text/xml" in formats:
                return (endpoint.findtext("url") or "").rstrip("/")
        raise LookupError("no GeoReport v2 endpoint speaking XML")

    def services(self) -> list[Service]:
        return [
            Service(
                code=node.findtext("service_code") or "",
                name=node.findtext("service_name") or "",
                group=node.findtext("group") or "",
                needs_definition=node.findtext("metadata") == "true",
            )
            for node in self._get(f"{self.endpoint}/services.xml").iterfind("service")
        ]

    def post(self, service_code: str, *, lat: float, long: float, **fields: str) -> str:
        """Create a request; answers its id, following the token of a batch server."""
        data = {
            "api_key": self.api_key,
            "jurisdiction_id": self.jurisdiction,
            "service_code": service_code,
            "lat": str(lat),
            "long": str(long),
            **fields,
        }
        response = self.http.post(
            f"{self.endpoint}/requests.xml",
            data=data,
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
        created = self._parsed(response).find("request")
        assert created is not None
        request_id = created.findtext("service_request_id")
        if request_id:
            return request_id
        token = created.findtext("token")
        return (
            self._get(f"{self.endpoint}/tokens/{token}.xml").findtext("request/service_request_id")
            or ""
        )

    def _request(self, node: etree._Element) -> ServiceRequest:
        return ServiceRequest(
            id=node.findtext("service_request_id") or "",
            status=node.findtext("status") or "",
            status_notes=node.findtext("status_notes"),
            service_code=node.findtext("service_code") or "",
            requested=node.findtext("requested_datetime") or "",
            updated=node.findtext("updated_datetime") or "",
            fields={child.tag: child.text for child in node},
        )

    def request(self, request_id: str) -> ServiceRequest:
        root = self._get(f"{self.endpoint}/requests/{request_id}.xml")
        [node] = root.iterfind("request")
        return self._request(node)

    def requests(self, **filters: str) -> list[ServiceRequest]:
        root = self._get(f"{self.endpoint}/requests.xml", **filters)
        return [self._request(node) for node in root.iterfind("request")]
