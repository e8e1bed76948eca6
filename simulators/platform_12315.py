"""The 12315 platform (全国12315平台) as a SOAP 1.1 service on a real socket.

It serves ``standards/wsdl/platform_12315`` at ``<url>?wsdl``, checks WS-Security on every
call (UsernameToken with PasswordDigest, a fresh nonce and ``Created``; an X.509 signature
of Body and Timestamp when a client certificate is configured), and answers GetComplaints
with complaints and reports generated from the seed, oldest ``updatedAt`` first, and
SubmitHandlingResult with one receipt per idempotency key. Built on lxml and wsgiref,
parsing with the hub's safe options and refusing any DTD, since spyne does not import on
current Pythons.

``SimulatorOptions.faults`` carries the simulator's settings and seeded faults:

    complaints          how many complaints to serve (25)
    page_size           complaints per page (10)
    username, password  the accepted UsernameToken ("hub", "12315-simulator")
    client_cert         PEM file: require requests signed by its key
    server_key, server_cert  PEM files: sign every answer (faults included)
    server_faults       the first N GetComplaints calls answer a soap:Server fault (0)
    latency_seconds     a pause before every answer (0)
    malformed_every     every Nth complaint has no number and a USCC failing its check (0)
    hostile             "dtd" or "entity": answers declare a DTD or an external entity
    nonconforming_digest  signed answers carry a wrong DigestValue
    duplicate_receipts  a result for an already answered complaint gets its first receipt,
                        whatever the key (a platform that deduplicates by complaint)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from lxml import etree

import standards
from hub.exchange.parsers import refuses_doctype, xml_parser_options
from simulators.http import BackgroundServer, serve_wsgi
from simulators.registry import SimulatorOptions, register_simulator
from standards.codes.uscc import USCC_CHARSET, uscc_check_character

WSDL_FOLDER = Path(standards.__file__).resolve().parent / "wsdl" / "platform_12315"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
TNS = "urn:cn:samr:12315:complaints:v1"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DIGEST_TYPE = "#PasswordDigest"
MAX_REQUEST_BYTES = 1024 * 1024
FRESHNESS = timedelta(minutes=5)
START = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)

CATEGORIES = ("食品安全", "产品质量", "预付式消费", "价格收费", "网络购物", "广告宣传", "服务质量")
STATUSES = ("登记", "受理", "调解中", "办结", "不予受理")
BUSINESSES = (
    "合肥市庐阳区便民超市",
    "芜湖鸿运家电有限公司",
    "安庆市迎江区美食餐厅",
    "黄山景区旅游服务公司",
)
SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = ("伟", "芳", "娜", "敏", "静", "磊", "洋", "艳")


class SoapFault(Exception):
    """Answered as a SOAP 1.1 fault with ``code`` (a QName text such as ``soap:Server``)."""

    def __init__(self, code: str, message: str, status: int = 500) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


def password_digest(nonce: bytes, created: str, password: str) -> str:
    """WS-Security UsernameToken Profile 1.0: Base64(SHA-1(nonce + created + password))."""
    digest = hashlib.sha1(nonce + created.encode() + password.encode(), usedforsecurity=False)
    return base64.b64encode(digest.digest()).decode()


def check_username_token(
    envelope: etree._Element,
    *,
    username: str,
    password: str,
    seen_nonces: set[str],
    lock: threading.Lock,
) -> None:
    """Refuse (``SoapFault``) a request whose WS-Security UsernameToken is missing, not a
    PasswordDigest, for another user or password, older than five minutes, or replayed."""
    token = envelope.find(f"{{{SOAP}}}Header/{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
    if token is None:
        raise SoapFault("wsse:InvalidSecurity", "a UsernameToken is required")
    given = token.find(f"{{{WSSE}}}Password")
    nonce = token.findtext(f"{{{WSSE}}}Nonce") or ""
    created = token.findtext(f"{{{WSU}}}Created") or ""
    if given is None or not str(given.get("Type", "")).endswith(DIGEST_TYPE):
        raise SoapFault("wsse:UnsupportedSecurityToken", "PasswordDigest is required")
    try:
        age = datetime.now(UTC) - datetime.fromisoformat(created.replace("Z", "+00:00"))
        nonce_bytes = base64.b64decode(nonce, validate=True)
    except ValueError:
        raise SoapFault("wsse:InvalidSecurityToken", "bad Nonce or Created") from None
    expected = password_digest(nonce_bytes, created, password)
    if (token.findtext(f"{{{WSSE}}}Username") or "") != username or not hmac.compare_digest(
        expected, given.text or ""
    ):
        raise SoapFault(
            "wsse:FailedAuthentication", "the security token could not be authenticated"
        )
    if abs(age) > FRESHNESS:
        raise SoapFault("wsse:MessageExpired", "Created is not within five minutes")
    with lock:
        if nonce in seen_nonces:
            raise SoapFault("wsse:FailedAuthentication", "the nonce was used before")
        seen_nonces.add(nonce)


def complaints(seed: int, count: int, malformed_every: int = 0) -> list[dict[str, Any]]:
    """The platform's complaints, the same for the same seed (each a flat dict of strings)."""
    rng = random.Random(seed)
    records = []
    for index in range(1, count + 1):
        first17 = "913401" + "00" + "".join(rng.choice(USCC_CHARSET) for _ in range(9))
        uscc = first17 + uscc_check_character(first17)
        received = START + timedelta(hours=index * 5, minutes=rng.randrange(60))
        record = {
            "number": f"1231520240301{index:05d}",
            "kind": rng.choice(("complaint", "report")),
            "uscc": uscc,
            "business": rng.choice(BUSINESSES),
            "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
            "phone": "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9)),
            "content": f"消费者反映第{index}号问题：商品与宣传不符，要求退款。",
            "received": received.isoformat(),
            "category": rng.choice(CATEGORIES),
            "status": rng.choice(STATUSES),
            "updated": (START + timedelta(days=30, minutes=7 * index)).isoformat(),
        }
        if malformed_every and index % malformed_every == 0:
            wrong = USCC_CHARSET[(USCC_CHARSET.index(uscc[17]) + 1) % 31]
            record.update(number="", uscc=uscc[:17] + wrong)
        records.append(record)
    return records


@dataclass
class Platform12315:
    """The service's state: its complaints, the receipts given and the faults still due."""

    options: SimulatorOptions
    records: list[dict[str, Any]] = field(init=False)
    receipts: dict[str, str] = field(default_factory=dict)
    effects: list[dict[str, str]] = field(default_factory=list)
    seen_nonces: set[str] = field(default_factory=set)
    calls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        faults = self.options.faults
        self.records = complaints(
            self.options.seed,
            int(faults.get("complaints", 25)),
            int(faults.get("malformed_every", 0)),
        )

    def setting(self, name: str, default: Any = None) -> Any:
        return self.options.faults.get(name, default)

    # -- security ---------------------------------------------------------------------------

    def check_security(self, envelope: etree._Element) -> None:
        """Refuse a request whose UsernameToken digest, nonce, age or signature is wrong."""
        check_username_token(
            envelope,
            username=str(self.setting("username", "hub")),
            password=str(self.setting("password", "12315-simulator")),
            seen_nonces=self.seen_nonces,
            lock=self.lock,
        )
        client_cert = self.setting("client_cert")
        if client_cert:
            from zeep.exceptions import SignatureVerificationFailed
            from zeep.wsse.signature import _make_verify_key, _verify_envelope_with_key

            try:
                _verify_envelope_with_key(
                    envelope, _make_verify_key(Path(client_cert).read_bytes())
                )
            except SignatureVerificationFailed:
                raise SoapFault("wsse:FailedCheck", "the signature is invalid") from None

    def sign(self, envelope: etree._Element) -> None:
        """Sign an answer with the server key; ``nonconforming_digest`` spoils the digest."""
        from zeep.wsse.signature import _make_sign_key, _sign_envelope_with_key

        key = _make_sign_key(
            Path(self.setting("server_key")).read_bytes(),
            Path(self.setting("server_cert")).read_bytes(),
            None,
        )
        _sign_envelope_with_key(envelope, key, None, None)
        if self.setting("nonconforming_digest"):
            digest = envelope.find(".//{http://www.w3.org/2000/09/xmldsig#}DigestValue")
            if digest is not None:
                digest.text = base64.b64encode(b"\0" * 20).decode()

    # -- operations -------------------------------------------------------------------------

    def get_complaints(self, request: etree._Element) -> etree._Element:
        with self.lock:
            self.calls += 1
            if self.calls <= int(self.setting("server_faults", 0)):
                raise SoapFault("soap:Server", "the complaint database is busy, try again later")
        since_text = request.findtext("updatedSince")
        since = datetime.fromisoformat(since_text.replace("Z", "+00:00")) if since_text else None
        try:
            page = int(request.findtext("page") or "")
        except ValueError:
            raise SoapFault("soap:Client", "page must be a positive integer") from None
        size = int(self.setting("page_size", 10))
        newer = [
            r for r in self.records if since is None or datetime.fromisoformat(r["updated"]) > since
        ]
        chunk = newer[(page - 1) * size : page * size]
        response = etree.Element(f"{{{TNS}}}GetComplaintsResponse", nsmap={"c": TNS})
        etree.SubElement(response, "page").text = str(page)
        etree.SubElement(response, "hasMore").text = "true" if page * size < len(newer) else "false"
        listing = etree.SubElement(response, "complaints")
        for record in chunk:
            listing.append(_complaint_element(record))
        return response

    def submit_handling_result(self, request: etree._Element) -> etree._Element:
        number = request.findtext("complaintNumber") or ""
        key = request.findtext("idempotencyKey") or ""
        if not number or not key or not request.findtext("result"):
            raise SoapFault(
                "soap:Client", "complaintNumber, result and idempotencyKey are required"
            )
        if number not in {r["number"] for r in self.records}:
            raise SoapFault("soap:Client", f"no complaint {number}")
        lookup = number if self.setting("duplicate_receipts") else key
        with self.lock:
            duplicate = lookup in self.receipts
            if not duplicate:
                self.receipts[lookup] = f"R12315-{len(self.receipts) + 1:06d}"
                self.effects.append(
                    {"number": number, "key": key, "result": request.findtext("result") or ""}
                )
            receipt = self.receipts[lookup]
        response = etree.Element(f"{{{TNS}}}SubmitHandlingResultResponse", nsmap={"c": TNS})
        for name, text in (
            ("receiptNumber", receipt),
            ("accepted", "true"),
            ("duplicate", "true" if duplicate else "false"),
        ):
            etree.SubElement(response, name).text = text
        return response

    # -- HTTP -------------------------------------------------------------------------------

    def answer(self, body: bytes) -> tuple[int, bytes]:
        """The HTTP status and SOAP envelope answering a request body."""
        try:
            if refuses_doctype(body[:4096]):
                raise SoapFault("soap:Client", "a DTD is not accepted")
            try:
                envelope = etree.fromstring(body, etree.XMLParser(**xml_parser_options()))
            except etree.XMLSyntaxError as exc:
                raise SoapFault("soap:Client", f"malformed XML: {exc.msg}") from None
            self.check_security(envelope)
            operation = envelope.find(f"{{{SOAP}}}Body/*")
            handlers: dict[str, Callable[[etree._Element], etree._Element]] = {
                f"{{{TNS}}}GetComplaints": self.get_complaints,
                f"{{{TNS}}}SubmitHandlingResult": self.submit_handling_result,
            }
            if operation is None or operation.tag not in handlers:
                raise SoapFault("soap:Client", "unknown operation")
            status, content = 200, handlers[operation.tag](operation)
        except SoapFault as fault:
            status, content = fault.status, _fault_element(fault)
        reply = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"soap": SOAP})
        etree.SubElement(reply, f"{{{SOAP}}}Body").append(content)
        if self.setting("server_key"):
            self.sign(reply)
        data = etree.tostring(reply, xml_declaration=True, encoding="utf-8")
        hostile = self.setting("hostile")
        if hostile:
            declaration = (
                '<!DOCTYPE soap:Envelope [<!ENTITY leak SYSTEM "file:///etc/passwd">]>'
                if hostile == "entity"
                else '<!DOCTYPE soap:Envelope SYSTEM "http://127.0.0.1:9/soap.dtd">'
            )
            data = data.replace(b"?>", b"?>\n" + declaration.encode(), 1)
            if hostile == "entity":
                data = data.replace(b"<content>", b"<content>&leak;", 1)
        return status, data

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        latency = float(self.setting("latency_seconds", 0))
        if latency:
            time.sleep(latency)
        query = environ.get("QUERY_STRING", "")
        if environ["REQUEST_METHOD"] == "GET" and query in ("wsdl", "xsd=platform_12315.xsd"):
            name = "platform_12315.wsdl" if query == "wsdl" else "platform_12315.xsd"
            return _reply(start_response, 200, (WSDL_FOLDER / name).read_bytes())
        if environ["REQUEST_METHOD"] != "POST":
            return _reply(start_response, 405, b"POST a SOAP envelope, or GET ?wsdl")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length > MAX_REQUEST_BYTES:
            return _reply(start_response, 413, b"request too large")
        status, data = self.answer(environ["wsgi.input"].read(length))
        return _reply(start_response, status, data)


def _reply(start_response: Callable[..., Any], status: int, data: bytes) -> list[bytes]:
    reasons = {
        200: "OK",
        405: "Method Not Allowed",
        413: "Payload Too Large",
        500: "Internal Server Error",
    }
    start_response(
        f"{status} {reasons[status]}",
        [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(data)))],
    )
    return [data]


def _complaint_element(record: dict[str, Any]) -> etree._Element:
    complaint = etree.Element("complaint")
    etree.SubElement(complaint, "number").text = record["number"]
    etree.SubElement(complaint, "kind").text = record["kind"]
    business = etree.SubElement(complaint, "business")
    etree.SubElement(business, "uscc").text = record["uscc"]
    etree.SubElement(business, "name").text = record["business"]
    complainant = etree.SubElement(complaint, "complainant")
    etree.SubElement(complainant, "name").text = record["name"]
    etree.SubElement(complainant, "phone").text = record["phone"]
    for name, key in (
        ("content", "content"),
        ("receivedAt", "received"),
        ("category", "category"),
        ("status", "status"),
        ("updatedAt", "updated"),
    ):
        etree.SubElement(complaint, name).text = record[key]
    return complaint


def _fault_element(fault: SoapFault) -> etree._Element:
    element = etree.Element(f"{{{SOAP}}}Fault", nsmap={"soap": SOAP, "wsse": WSSE})
    etree.SubElement(element, "faultcode").text = fault.code
    etree.SubElement(element, "faultstring").text = str(fault)
    return element


@dataclass
class RunningPlatform12315:
    """A started simulator: ``url`` is the SOAP endpoint, ``platform`` its state for tests."""

    url: str
    platform: Platform12315
    served: BackgroundServer

    @property
    def environment(self) -> dict[str, str]:
        """The ${ENV} settings that point the platform_12315 channel at this simulator."""
        return {
            "HUB_12315_URL": self.url,
            "HUB_12315_PASSWORD": str(self.platform.setting("password", "12315-simulator")),
        }

    def set_faults(self, faults: dict[str, Any]) -> None:
        """Change settings and faults while running; ``server_faults`` counts calls from now."""
        with self.platform.lock:
            self.platform.options = replace(self.platform.options, faults=dict(faults))
            self.platform.calls = 0

    def stop(self) -> None:
        self.served.stop()


@register_simulator("platform_12315")
def platform_12315(options: SimulatorOptions) -> RunningPlatform12315:
    """Start the 12315 SOAP service in a thread on ``options.host:options.port``."""
    platform = Platform12315(options)
    served = serve_wsgi(platform, options, name="platform_12315", path="/ws/12315")
    return RunningPlatform12315(served.url, platform, served)
