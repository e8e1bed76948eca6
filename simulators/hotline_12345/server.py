"""The HTTP side of the simulated hotline: routes, paging and seeded fault injection.

``GET /api/workorders`` pages orders changed since ``updated_since`` in (更新时间, 工单编号)
order, by ``page``/``page_size``, ``offset``/``limit`` or an opaque ``cursor``; every page
names the next one both as ``data.next`` (a cursor) and as a ``Link: <...>; rel="next"``
header. ``POST /api/workorders/{工单编号}/feedback`` takes ``{"status", "answer",
"feedback"}`` with an ``Idempotency-Key``. ``POST /oauth/token`` issues bearer tokens.

Faults (``SimulatorOptions.faults``; ``FaultPlan.served`` counts them and the requests), each drawn per request from a ``random.Random`` seeded
with the simulator's seed: ``latency_ms``, ``error_rate`` (503, ``Retry-After`` in
seconds), ``rate_limit`` (429, ``Retry-After`` as an HTTP date), ``malformed_rate`` (one
record of the page loses its 来电时间), ``duplicate_rate`` (one record appears twice),
``drop_connection`` (the connection closes halfway through the body); ``retry_after``
sets the seconds announced (default 1).

Non-conforming modes (``faults={mode: True}``), each a way a real system breaks the
profile that ``hub conformance`` must catch: ``missing_retry_after`` (503 and 429 without
``Retry-After``), ``schema_drift`` (来电时间 renamed 来电日期 in every record),
``out_of_order_pages`` (each page's records newest first) and ``duplicate_receipts`` (every
feedback gets the first receipt id ever issued).
"""

from __future__ import annotations

import base64
import json
import re
import socket
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from simulators.faults import FaultPlan
from simulators.hotline_12345.auth import Gatekeeper
from simulators.hotline_12345.orders import OrderBook, parse_since

MAX_PAGE_SIZE = 500
_FEEDBACK_PATH = re.compile(r"^/api/workorders/([^/]+)/feedback$")


class _BadRequest(Exception):
    pass


class HotlineHandler(BaseHTTPRequestHandler):
    """One request; the server object carries the book, the gatekeeper and the fault plan."""

    protocol_version = "HTTP/1.1"
    book: OrderBook
    gatekeeper: Gatekeeper
    plan: FaultPlan

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests and the demo read the hub's logs, not the simulator's."""

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        self.plan.note("requests")
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        url = urlsplit(self.path)
        if method == "POST" and url.path == "/oauth/token":
            token = self.gatekeeper.issue_token(self.headers.get("Authorization", ""))
            if token is None:
                self._reply(401, {"error": "invalid_client"})
            else:
                ttl = self.gatekeeper.credentials.token_ttl
                self._reply(200, {"access_token": token, "token_type": "Bearer", "expires_in": ttl})
            return
        if latency := float(self.plan.faults.get("latency_ms", 0)):
            threading.Event().wait(latency / 1000)  # not time.sleep, which tests record
        retry_after = int(self.plan.faults.get("retry_after", 1))
        announce = not self.plan.enabled("missing_retry_after")
        if self.plan.roll("error_rate"):
            wait = {"Retry-After": str(retry_after)} if announce else {}
            self._reply(503, {"code": 503, "msg": "系统繁忙"}, wait)
            return
        if self.plan.roll("rate_limit"):
            when = formatdate(time.time() + retry_after, usegmt=True)
            self._reply(
                429, {"code": 429, "msg": "请求过于频繁"}, {"Retry-After": when} if announce else {}
            )
            return
        if not self.gatekeeper.admits(method, self.path, self.headers, body):
            # Like many real gateways, it echoes what it was given (clients must mask it).
            presented = self.headers.get("X-API-Key") or self.headers.get("Authorization")
            self._reply(401, {"code": 401, "msg": f"未授权: {presented}"})
            return
        feedback = _FEEDBACK_PATH.match(url.path)
        try:
            if method == "GET" and url.path == "/api/workorders":
                self._work_orders(parse_qs(url.query))
            elif method == "POST" and feedback:
                self._feedback(feedback.group(1), body)
            else:
                self._reply(404, {"code": 404, "msg": f"no route {method} {url.path}"})
        except _BadRequest as exc:
            self._reply(400, {"code": 400, "msg": str(exc)})

    def _work_orders(self, query: dict[str, list[str]]) -> None:
        def number(name: str, default: int) -> int:
            try:
                value = int(query.get(name, [str(default)])[0])
            except ValueError:
                raise _BadRequest(f"{name} must be an integer") from None
            if value < 0 or (name in ("page_size", "limit") and not 0 < value <= MAX_PAGE_SIZE):
                raise _BadRequest(f"{name} out of range")
            return value

        since = query.get("updated_since", [None])[0]
        try:
            stamp = parse_since(since) if since else None
        except ValueError:
            raise _BadRequest("updated_since must be an ISO 8601 date-time") from None
        if "cursor" in query:
            try:
                offset, size = map(int, base64.b64decode(query["cursor"][0]).split(b":"))
            except ValueError:
                raise _BadRequest("cursor is not one this server issued") from None
        elif "offset" in query or "limit" in query:
            offset, size = number("offset", 0), number("limit", 50)
        else:
            size = number("page_size", 50)
            offset = (max(number("page", 1), 1) - 1) * size
        rows, total = self.book.changed_since(stamp, offset=offset, limit=size)
        if rows and self.plan.roll("malformed_rate"):
            rows[self.plan.pick(len(rows))].pop("来电时间", None)
        if rows and self.plan.roll("duplicate_rate"):
            position = self.plan.pick(len(rows))
            rows.insert(position, rows[position])
        if self.plan.enabled("schema_drift"):
            rows = [
                {("来电日期" if name == "来电时间" else name): value for name, value in row.items()}
                for row in rows
            ]
        if self.plan.enabled("out_of_order_pages"):
            rows.reverse()
        data: dict[str, Any] = {
            "total": total,
            "pageNum": offset // size + 1,
            "pageSize": size,
            "rows": rows,
        }
        headers: dict[str, str] = {}
        if offset + size < total:
            data["next"] = base64.b64encode(f"{offset + size}:{size}".encode()).decode()
            params = {**({"updated_since": since} if since else {}), "offset": offset + size}
            link = f"http://{self.headers['Host']}/api/workorders?{urlencode({**params, 'limit': size})}"
            headers["Link"] = f'<{link}>; rel="next"'
        document = {"code": 200, "msg": "操作成功", "data": data}
        self._reply(200, document, headers, may_drop=True)

    def _feedback(self, number: str, body: bytes) -> None:
        key = self.headers.get("Idempotency-Key")
        if not key:
            raise _BadRequest("Idempotency-Key header is required")
        try:
            fields = json.loads(body)
        except ValueError:
            raise _BadRequest("body must be JSON") from None
        if not isinstance(fields, dict):
            raise _BadRequest("body must be a JSON object")
        receipt = self.book.feedback(number, key, fields)
        answer = dict(receipt.body)
        if self.plan.enabled("duplicate_receipts") and "receipt_id" in answer:
            answer["receipt_id"] = "FK00000001"
        self._reply(receipt.status, answer)

    def _reply(
        self,
        status: int,
        document: dict[str, Any],
        headers: dict[str, str] | None = None,
        *,
        may_drop: bool = False,
    ) -> None:
        payload = json.dumps(document, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if may_drop and self.plan.roll("drop_connection"):
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self.wfile.write(payload)
