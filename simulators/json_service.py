"""What the JSON-over-HTTP simulators share: the API key, seeded faults, paged feeds, receipts.

Several outside systems speak the same plain style of REST (an ``X-API-Key``, JSON pages of
``{"code", "msg", "data": {"total", "pageNum", "pageSize", "rows"}}``, POSTs with an
``Idempotency-Key``); their simulators differ only in data and routes, so the serving, the
faults and the idempotency live here once::

    class Registry(JsonService):
        def __init__(self, options: SimulatorOptions) -> None:
            super().__init__(options, api_key="demo-key", env_prefix="HUB_REGISTRY")
            self.entities = Feed(rows, id_field="编号", required_field="名称", plan=self.plan)
            self.serve(options, "registry", {("GET", "/api/entities"): self.entities.page})

Every request first meets the faults of ``SimulatorOptions.faults`` (drawn from a
``random.Random`` seeded with the simulator's seed; ``plan.served`` counts them and the
requests): ``latency_ms``; ``error_rate`` (503 with ``Retry-After: <retry_after>`` seconds,
default 1); ``missing_retry_after`` (a mode: the 503 comes without ``Retry-After``, as some
gateways send it). Then the API key: a missing or wrong ``X-API-Key`` is 401.

A ``Feed`` adds ``malformed_rate`` (one record of a page loses its required field) and
``duplicate_rate`` (one record appears twice in a page). A ``ReceiptBook`` adds
``duplicate_receipts`` (a mode: every new message gets the receipt id of the one before, as
a receiver whose counter does not advance).
"""

from __future__ import annotations

import hmac
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.message import Message
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from simulators.faults import FaultPlan
from simulators.http import BackgroundServer, serve_handler
from simulators.registry import SimulatorOptions
from standards.codes import validate_uscc

BEIJING = timezone(timedelta(hours=8))
STAMP = "%Y-%m-%d %H:%M:%S"  # 更新时间: Beijing time, written without its offset
UPDATED = "更新时间"
MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class Request:
    """One request as the routes see it; ``base_url`` is how the caller reached the server."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Message
    body: bytes
    base_url: str

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass(frozen=True)
class Reply:
    status: int
    document: Any
    headers: Mapping[str, str] = field(default_factory=dict)


Route = Callable[[Request], Reply]


class BadRequest(Exception):
    """Answered 400 with the message."""


class JsonService:
    """A simulated JSON API: ``plan`` (faults), ``url`` once ``serve`` has started it.

    ``env_prefix`` names the variables a channel file refers to: ``<prefix>_URL`` and
    ``<prefix>_KEY`` (``environment`` gives their values for this running simulator).
    """

    url: str

    def __init__(self, options: SimulatorOptions, *, api_key: str, env_prefix: str) -> None:
        self.plan = FaultPlan(options.faults, options.seed)
        self.api_key = api_key
        self.env_prefix = env_prefix
        self._routes: Mapping[tuple[str, str], Route] = {}
        self._served: BackgroundServer | None = None

    def serve(
        self, options: SimulatorOptions, name: str, routes: Mapping[tuple[str, str], Route]
    ) -> None:
        """Start answering ``routes`` ((method, path) → route) on a thread of this process."""
        self._routes = dict(routes)
        handler = type(f"{type(self).__name__}Handler", (_Handler,), {"service": self})
        self._served = serve_handler(handler, options, name=name)
        self.url = self._served.url

    @property
    def environment(self) -> dict[str, str]:
        """The ``${ENV}`` values that point a channel at this simulator: URL and API key."""
        return {f"{self.env_prefix}_URL": self.url, f"{self.env_prefix}_KEY": self.api_key}

    def set_faults(self, faults: Mapping[str, Any]) -> None:
        """Change the injected faults while running (the seeded sequence goes on)."""
        self.plan.faults = dict(faults)

    def stop(self) -> None:
        if self._served is not None:
            self._served.stop()

    def answer(self, request: Request) -> Reply:
        """Faults first, then the API key, then the route."""
        self.plan.note("requests")
        if latency := float(self.plan.faults.get("latency_ms", 0)):
            threading.Event().wait(latency / 1000)  # not time.sleep, which tests record
        if self.plan.roll("error_rate"):
            return self._busy()
        presented = request.headers.get("X-API-Key", "").encode()
        if not hmac.compare_digest(presented, self.api_key.encode()):
            return Reply(401, {"code": 401, "msg": "未授权: X-API-Key 缺失或错误"})
        route = self._routes.get((request.method, request.path))
        if route is None:
            return Reply(404, {"code": 404, "msg": f"no route {request.method} {request.path}"})
        try:
            return route(request)
        except BadRequest as exc:
            return Reply(400, {"code": 400, "msg": str(exc)})

    def _busy(self) -> Reply:
        """503, saying when to come back unless ``missing_retry_after`` leaves that out."""
        headers: dict[str, str] = {}
        if not self.plan.enabled("missing_retry_after"):
            headers["Retry-After"] = str(int(self.plan.faults.get("retry_after", 1)))
        return Reply(503, {"code": 503, "msg": "系统繁忙"}, headers)


class _Handler(BaseHTTPRequestHandler):
    """Turns one HTTP exchange into a ``Request`` for ``service`` and writes its ``Reply``."""

    protocol_version = "HTTP/1.1"
    service: JsonService

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests and the demo read the hub's logs, not the simulator's."""

    def do_GET(self) -> None:
        self._exchange("GET")

    def do_POST(self) -> None:
        self._exchange("POST")

    def _exchange(self, method: str) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        url = urlsplit(self.path)
        request = Request(
            method=method,
            path=url.path,
            query=parse_qs(url.query),
            headers=self.headers,
            body=body,
            base_url=f"http://{self.headers.get('Host', '')}",
        )
        reply = self.service.answer(request)
        payload = json.dumps(reply.document, ensure_ascii=False).encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


# -- feeds -------------------------------------------------------------------------------------


def since_stamp(value: str) -> str:
    """``updated_since`` (ISO 8601) as a 更新时间 stamp; an offset-aware value is converted."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadRequest("updated_since must be an ISO 8601 date-time") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(BEIJING).replace(tzinfo=None)
    return moment.strftime(STAMP)


def _number(request: Request, name: str, default: int, *, size: bool = False) -> int:
    try:
        value = int(request.param(name) or default)
    except ValueError:
        raise BadRequest(f"{name} must be an integer") from None
    if value < 0 or (size and not 0 < value <= MAX_PAGE_SIZE):
        raise BadRequest(f"{name} out of range")
    return value


def page_window(request: Request) -> tuple[int, int]:
    """(offset, size) from ``offset``/``limit`` or ``page`` (from 1)/``page_size``."""
    if request.param("offset") is not None or request.param("limit") is not None:
        return _number(request, "offset", 0), _number(request, "limit", 50, size=True)
    size = _number(request, "page_size", 50, size=True)
    return (max(_number(request, "page", 1), 1) - 1) * size, size


@dataclass
class Feed:
    """Records served in (更新时间, ``id_field``) order, changed since ``updated_since``.

    Every page names the next one in a ``Link: <...>; rel="next"`` header (offset and limit).
    ``required_field`` is what the ``malformed_rate`` fault takes out of a record.
    """

    records: list[dict[str, Any]]
    id_field: str
    required_field: str
    plan: FaultPlan
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _order(self, record: dict[str, Any]) -> tuple[str, str]:
        return str(record[UPDATED]), str(record[self.id_field])

    def page(self, request: Request) -> Reply:
        since = request.param("updated_since")
        stamp = since_stamp(since) if since else None
        offset, size = page_window(request)
        with self._lock:
            selected = sorted(
                (r for r in self.records if stamp is None or r[UPDATED] >= stamp), key=self._order
            )
        rows = [dict(record) for record in selected[offset : offset + size]]
        self._spoil(rows)
        data = {
            "total": len(selected),
            "pageNum": offset // size + 1,
            "pageSize": size,
            "rows": rows,
        }
        headers: dict[str, str] = {}
        if offset + size < len(selected):
            params = {**({"updated_since": since} if since else {}), "offset": offset + size}
            query = urlencode({**params, "limit": size})
            headers["Link"] = f'<{request.base_url}{request.path}?{query}>; rel="next"'
        return Reply(200, {"code": 200, "msg": "操作成功", "data": data}, headers)

    def _spoil(self, rows: list[dict[str, Any]]) -> None:
        if rows and self.plan.roll("malformed_rate"):
            rows[self.plan.pick(len(rows))].pop(self.required_field, None)
        if rows and self.plan.roll("duplicate_rate"):
            position = self.plan.pick(len(rows))
            rows.insert(position, rows[position])

    def revise(self, record_id: str, changes: Mapping[str, Any]) -> str:
        """Change one record, stamped one minute after the latest change; returns the stamp."""
        with self._lock:
            latest = max(datetime.strptime(str(r[UPDATED]), STAMP) for r in self.records)
            stamp = (latest + timedelta(minutes=1)).strftime(STAMP)
            record = next(r for r in self.records if r[self.id_field] == record_id)
            record.update(changes)
            record[UPDATED] = stamp
        return stamp


# -- receivers ---------------------------------------------------------------------------------


def message_problems(
    message: Mapping[str, Any],
    *,
    required: tuple[str, ...],
    usccs: tuple[str, ...] = (),
    dates: tuple[str, ...] = (),
    times: tuple[str, ...] = (),
) -> list[str]:
    """Why a received message is refused: missing fields, a 统一社会信用代码 failing GB 32100
    (an allow-listed one passes), dates (``dates``) or date-times (``times``) not ISO 8601."""
    reasons = [f"{name}: required" for name in required if message.get(name) in (None, "")]
    present = {name: value for name, value in message.items() if value not in (None, "")}
    for name in usccs:
        if name in present:
            check = validate_uscc(str(present[name]))
            if not check.acceptable:
                reasons.append(f"{name}: {check.reason}")
    for names, parse, what in (
        (dates, date.fromisoformat, "date"),
        (times, datetime.fromisoformat, "date-time"),
    ):
        for name in names:
            if name in present and not _parses(parse, present[name]):
                reasons.append(f"{name}: not an ISO 8601 {what}: {present[name]!r}")
    return reasons


def _parses(parse: Callable[[str], object], value: Any) -> bool:
    try:
        parse(str(value))
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Accepted:
    """A message taken in, with the receipt it got."""

    receipt_id: str
    kind: str
    idempotency_key: str
    accepted_at: datetime
    message: dict[str, Any]

    def listing(self) -> dict[str, Any]:
        return {
            "receipt_id": self.receipt_id,
            "kind": self.kind,
            "idempotency_key": self.idempotency_key,
            "accepted_at": self.accepted_at.isoformat(timespec="seconds"),
            "message": self.message,
        }


def _rejected(status: int, reasons: list[str]) -> Reply:
    return Reply(status, {"status": "rejected", "reasons": reasons})


@dataclass
class ReceiptBook:
    """Messages accepted once per ``Idempotency-Key``, in order, with their receipts.

    The same key with the same message gets the first receipt again and stores nothing; the
    same key with another message is a 409; an invalid message is a 422 with its reasons and
    is not remembered, so the sender may correct it and send it again under the same key.
    """

    prefix: str
    plan: FaultPlan
    accepted: list[Accepted] = field(default_factory=list)
    _by_key: dict[str, Accepted] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def receive(
        self, request: Request, kind: str, problems: Callable[[dict[str, Any]], list[str]]
    ) -> Reply:
        key = request.headers.get("Idempotency-Key")
        if not key:
            return _rejected(400, ["Idempotency-Key header is required"])
        try:
            message = json.loads(request.body)
        except ValueError:
            return _rejected(422, ["body must be JSON"])
        if not isinstance(message, dict):
            return _rejected(422, ["body must be a JSON object"])
        with self._lock:
            known = self._by_key.get(key)
            if known is not None:
                if (known.kind, known.message) != (kind, message):
                    return _rejected(409, [f"Idempotency-Key {key!r} was used for another message"])
                return _receipt(known)
            reasons = problems(message)
            if reasons:
                return _rejected(422, reasons)
            accepted = Accepted(self._next_id(), kind, key, datetime.now(BEIJING), message)
            self.accepted.append(accepted)
            self._by_key[key] = accepted
        return _receipt(accepted)

    def _next_id(self) -> str:
        if self.accepted and self.plan.enabled("duplicate_receipts"):
            self.plan.note("duplicate_receipts")
            return self.accepted[-1].receipt_id
        return f"{self.prefix}{len(self.accepted) + 1:08d}"

    def find(self, kind: str | None = None, day: date | None = None) -> list[Accepted]:
        """What was accepted, of one kind and on one day (Beijing time) when given."""
        with self._lock:
            return [
                accepted
                for accepted in self.accepted
                if kind in (None, accepted.kind) and day in (None, accepted.accepted_at.date())
            ]


def _receipt(accepted: Accepted) -> Reply:
    return Reply(201, {"receipt_id": accepted.receipt_id, "status": "accepted"})
