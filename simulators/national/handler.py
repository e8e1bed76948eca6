"""The HTTP side of the simulated national system: one port for REST and SOAP.

REST (JSON, ``X-API-Key`` and optionally HMAC, see ``auth``):

    POST /api/v1/batches     a batch (standards/national/batch.json) with an Idempotency-Key:
                             200 and the receipt (receipt.json), 422 for an invalid envelope,
                             400 without key or JSON, 409 for a used key with another batch
    GET  /api/v1/catalog     the national catalog  } ?updated_since=&page=&page_size=, in
    GET  /api/v1/complaints  complaints assigned   } (updated_at, id) order; data.rows,
                                                     data.next and a Link rel="next" header
    GET  /api/v1/accepted    ?data_type=&date=YYYY-MM-DD[&page=&page_size=]: reconciliation
                             (standards/national/accepted.json) in data
    GET  /api/v1/entities/<uscc>/records
                             what other regions and State Council departments hold about
                             the entity (``elsewhere``), in data.rows

With ``require_signature`` the pushes and the entity pulls must also be signed
(``signatures``); a bad signature is answered 401 with the reason.

SOAP: ``/ws/national`` (``soap``). Every request but the WSDL and XSD first meets the fault
gate (``gate``), then authentication, then its route; a late answer (``timeout_rate``) is
sent after the work is done.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import SplitResult, parse_qs, urlencode, urlsplit

from simulators.national.auth import Gatekeeper
from simulators.national.elsewhere import records_about
from simulators.national.gate import FaultGate
from simulators.national.listing import drifted, parse_since, select_page
from simulators.national.signatures import SignatureCheck
from simulators.national.soap import SOAP_PATH, NationalSoap
from simulators.national.store import AcceptedStore

MAX_REQUEST_BYTES = 8 * 1024 * 1024
MAX_PAGE_SIZE = 500
MAX_KEYS_PER_PAGE = 10000
# What schema_drift renames: a required field of each listing, so the change is noticed.
DRIFT = {"catalog": ("department_code", "dept_code"), "complaints": ("received_at", "receive_time")}
JSON_TYPE = "application/json; charset=utf-8"
ENTITY_RECORDS = re.compile(r"^/api/v1/entities/([0-9A-Z]{18})/records$")


class BadRequest(Exception):
    """A query the national side cannot answer: HTTP 400 with the reason."""


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)


def _json(status: int, document: dict[str, Any], headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, json.dumps(document, ensure_ascii=False).encode(), headers=headers or {})


def _message(status: int, message: str) -> Reply:
    return _json(status, {"code": status, "message": message})


class NationalHandler(BaseHTTPRequestHandler):
    """One request; the bound subclass carries the simulator's state as class attributes."""

    protocol_version = "HTTP/1.1"
    store: AcceptedStore
    catalog: list[dict[str, Any]]
    complaints: list[dict[str, Any]]
    gatekeeper: Gatekeeper
    signature_check: SignatureCheck | None
    gate: FaultGate
    soap: NationalSoap
    seed: int

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests and the demo read the hub's logs, not the simulator's."""

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:
            self.close_connection = True
            self._send(_message(413, "request too large"))
            return
        body = self.rfile.read(length)
        url = urlsplit(self.path)
        document = self.soap.document(url.path, url.query) if method == "GET" else None
        if document is not None:
            self._send(Reply(200, document, "text/xml; charset=utf-8"))
            return
        decision = self.gate.decide()
        if decision.drop_connection:
            self.close_connection = True  # closed without a word, like a server going down
            return
        if decision.unavailable:
            retry = {"Retry-After": decision.retry_after} if decision.retry_after else {}
            self._send(_json(503, {"code": 503, "message": "系统繁忙，请稍后重试"}, retry))
            return
        try:
            reply = self._route(method, url, body)
        except BadRequest as exc:
            reply = _message(400, str(exc))
        if decision.delay_seconds:
            threading.Event().wait(decision.delay_seconds)  # not time.sleep, which tests patch
        self._send(reply)

    def _route(self, method: str, url: SplitResult, body: bytes) -> Reply:
        if url.path == SOAP_PATH:
            if method != "POST":
                return _message(405, "POST a SOAP envelope, or GET ?wsdl")
            status, data = self.soap.answer(body, mode=self.gate.mode)
            return Reply(status, data, "text/xml; charset=utf-8")
        refusal = self.gatekeeper.refusal(method, self.path, self.headers, body)
        if refusal is None and self.signature_check and self.signature_check.applies_to(url.path):
            refusal = self.signature_check.refusal(method, self.path, self.headers, body)
        if refusal is not None:
            return _message(401, f"未授权: {refusal}")
        query = parse_qs(url.query)
        if method == "POST" and url.path == "/api/v1/batches":
            return self._submit(body)
        if method == "GET" and url.path == "/api/v1/catalog":
            return self._listing(url.path, query, self.catalog, "code", DRIFT["catalog"])
        if method == "GET" and url.path == "/api/v1/complaints":
            return self._listing(
                url.path, query, self.complaints, "complaint_number", DRIFT["complaints"]
            )
        if method == "GET" and url.path == "/api/v1/accepted":
            return self._accepted(url.path, query)
        entity = ENTITY_RECORDS.match(url.path)
        if method == "GET" and entity:
            rows = records_about(entity.group(1), self.seed, self.store.province)
            return _json(200, {"code": 200, "message": "成功", "data": {"rows": rows}})
        return _message(404, f"no route {method} {url.path}")

    def _submit(self, body: bytes) -> Reply:
        answer = self.store.submit(
            self.headers.get("Idempotency-Key", ""),
            body,
            repeat_result=self.gate.mode("duplicate_receipts"),
        )
        headers = {"Idempotent-Replayed": "true"} if answer.replayed else {}
        return _json(answer.status, answer.document, headers)

    def _listing(
        self,
        path: str,
        query: dict[str, list[str]],
        rows: list[dict[str, Any]],
        id_field: str,
        drift: tuple[str, str],
    ) -> Reply:
        since_text = _param(query, "updated_since")
        try:
            since = parse_since(since_text) if since_text else None
        except ValueError:
            raise BadRequest("updated_since must be an ISO 8601 date-time") from None
        page = select_page(
            rows,
            id_field=id_field,
            since=since,
            page=_number(query, "page", 1, None),
            page_size=_number(query, "page_size", 100, MAX_PAGE_SIZE),
            reverse_full_pages=self.gate.mode("out_of_order_pages"),
        )
        served = drifted(page.rows, *drift) if self.gate.mode("schema_drift") else page.rows
        data: dict[str, Any] = {
            "total": page.total,
            "page": page.page,
            "page_size": page.page_size,
            "rows": served,
            "next": None,
        }
        headers = {}
        if page.has_next:
            following = {"updated_since": since_text} if since_text else {}
            following.update(page=str(page.page + 1), page_size=str(page.page_size))
            data["next"] = self._link(path, following)
            headers["Link"] = f'<{data["next"]}>; rel="next"'
        return _json(200, {"code": 200, "message": "成功", "data": data}, headers)

    def _accepted(self, path: str, query: dict[str, list[str]]) -> Reply:
        page = _number(query, "page", 1, None)
        page_size = _number(query, "page_size", 1000, MAX_KEYS_PER_PAGE)
        try:
            found = self.store.reconcile(
                _param(query, "data_type") or "",
                _param(query, "date") or "",
                page=page,
                page_size=page_size,
            )
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        following = {
            "data_type": found.data_type,
            "date": found.day.isoformat(),
            "page": str(page + 1),
            "page_size": str(page_size),
        }
        data = {
            "data_type": found.data_type,
            "date": found.day.isoformat(),
            "count": found.count,
            "checksum": found.checksum,
            "page": page,
            "page_size": page_size,
            "keys": found.keys,
            "next": self._link(path, following) if found.has_more else None,
        }
        return _json(200, {"code": 200, "message": "成功", "data": data})

    def _link(self, path: str, params: dict[str, str]) -> str:
        return f"http://{self.headers['Host']}{path}?{urlencode(params)}"

    def _send(self, reply: Reply) -> None:
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up waiting (timeout_rate)


def _param(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _number(query: dict[str, list[str]], name: str, default: int, maximum: int | None) -> int:
    text = _param(query, name)
    try:
        value = int(text) if text is not None else default
    except ValueError:
        raise BadRequest(f"{name} must be an integer") from None
    if value < 1 or (maximum is not None and value > maximum):
        raise BadRequest(f"{name} must be between 1 and {maximum or 'any'}")
    return value
