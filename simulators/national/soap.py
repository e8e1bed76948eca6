"""The SOAP side of the simulated national system: ``standards/wsdl/national`` on lxml.

It serves the WSDL at ``/ws/national?wsdl`` (and its XSD where the WSDL's relative
``schemaLocation`` points, ``/ws/national.xsd``), checks a WS-Security UsernameToken with
PasswordDigest, a fresh nonce and ``Created`` on every call, and answers SubmitBatch and
QueryAccepted by delegating to the same ``AcceptedStore`` as the REST side: one validation,
one idempotency, one reconciliation. Requests are parsed with the hub's safe XML options, and
any DTD is refused, as ``simulators/platform_12315`` does.

With ``require_signature`` on, a SubmitBatch must carry the province's ``BatchSignature``
header (``national.xsd``): its fields are those of the REST ``X-Sign-*`` headers, checked by
the same ``SignatureCheck``, over ``POST``, the operation's SOAPAction and the exclusive C14N
of ``soap:Body``. A missing header is a ``wsse:InvalidSecurity`` fault, any other refusal a
``wsse:FailedCheck`` fault; both name the reason, and nothing of the batch is applied.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lxml import etree

import standards
from hub.exchange.parsers import refuses_doctype, xml_parser_options
from simulators.national.auth import Credentials
from simulators.national.signatures import SignatureCheck, SignedFields
from simulators.national.store import AcceptedStore
from simulators.platform_12315 import SOAP, WSSE, SoapFault, check_username_token

WSDL_FOLDER = Path(standards.__file__).resolve().parent / "wsdl" / "national"
TNS = "urn:cn:gov:supervision:national:v1"
SOAP_PATH = "/ws/national"
DEFAULT_KEYS_PER_PAGE = 1000
SIGNATURE = f"{{{TNS}}}BatchSignature"
SIGNATURE_FIELDS = ("algorithm", "keyId", "timestamp", "nonce", "value")


class NationalSoap:
    """SubmitBatch and QueryAccepted over SOAP 1.1, with WS-Security."""

    def __init__(
        self,
        store: AcceptedStore,
        credentials: Credentials,
        signature_check: SignatureCheck | None = None,
    ) -> None:
        self.store = store
        self.credentials = credentials
        self.signature_check = signature_check
        self._nonces: set[str] = set()
        self._lock = threading.Lock()

    @staticmethod
    def document(path: str, query: str) -> bytes | None:
        """The WSDL or XSD a GET asks for; None for anything else."""
        if path == SOAP_PATH and query == "wsdl":
            return (WSDL_FOLDER / "national.wsdl").read_bytes()
        if path == SOAP_PATH + ".xsd":
            return (WSDL_FOLDER / "national.xsd").read_bytes()
        return None

    def answer(self, body: bytes, *, mode: Callable[[str], bool]) -> tuple[int, bytes]:
        """The HTTP status and SOAP envelope answering a request body; ``mode`` tells which
        non-conforming modes are on (``duplicate_receipts``)."""
        try:
            if refuses_doctype(body[:4096]):
                raise SoapFault("soap:Client", "a DTD is not accepted")
            try:
                envelope = etree.fromstring(body, etree.XMLParser(**xml_parser_options()))
            except etree.XMLSyntaxError as exc:
                raise SoapFault("soap:Client", f"malformed XML: {exc.msg}") from None
            self._check_security(envelope)
            operation = envelope.find(f"{{{SOAP}}}Body/*")
            handlers: dict[str, Callable[[etree._Element], etree._Element]] = {
                f"{{{TNS}}}SubmitBatch": lambda request: self._submit_batch(
                    request, repeat_result=mode("duplicate_receipts")
                ),
                f"{{{TNS}}}QueryAccepted": self._query_accepted,
            }
            if operation is None or operation.tag not in handlers:
                raise SoapFault("soap:Client", "unknown operation")
            if operation.tag == f"{{{TNS}}}SubmitBatch":
                self._check_signature(envelope, operation.tag)
            status, content = 200, handlers[operation.tag](operation)
        except SoapFault as fault:
            status, content = fault.status, _fault_element(fault)
        reply = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"soap": SOAP})
        etree.SubElement(reply, f"{{{SOAP}}}Body").append(content)
        return status, etree.tostring(reply, xml_declaration=True, encoding="utf-8")

    def _check_security(self, envelope: etree._Element) -> None:
        """Refuse a request whose UsernameToken, digest, nonce or age is wrong."""
        check_username_token(
            envelope,
            username=self.credentials.soap_username,
            password=self.credentials.api_key,
            seen_nonces=self._nonces,
            lock=self._lock,
        )

    def _check_signature(self, envelope: etree._Element, operation: str) -> None:
        """Refuse a SubmitBatch whose BatchSignature is missing or does not hold."""
        if self.signature_check is None:
            return
        header = envelope.find(f"{{{SOAP}}}Header/{SIGNATURE}")
        fields = SignedFields(
            *(
                (header.findtext(name) or "").strip() if header is not None else ""
                for name in SIGNATURE_FIELDS
            )
        )
        if not fields.complete:
            raise SoapFault(
                "wsse:InvalidSecurity", "the BatchSignature header (the signature) is missing"
            )
        body = envelope.find(f"{{{SOAP}}}Body")
        assert body is not None  # the operation was found in it
        canonical = etree.tostring(body, method="c14n", exclusive=True, with_comments=False)
        action = f"{TNS}#{etree.QName(operation).localname}"  # the WSDL's soapAction
        refusal = self.signature_check.fields_refusal(fields, "POST", action, canonical)
        if refusal is not None:
            raise SoapFault("wsse:FailedCheck", refusal)

    def _submit_batch(self, request: etree._Element, *, repeat_result: bool) -> etree._Element:
        key = request.findtext("idempotencyKey") or ""
        batch = (request.findtext("batch") or "").encode("utf-8")
        answer = self.store.submit(key, batch, repeat_result=repeat_result)
        if answer.status != 200:
            errors = answer.document.get("errors") or [answer.document.get("message", "")]
            raise SoapFault("soap:Client", "; ".join(map(str, errors)))
        receipt = answer.document
        response = etree.Element(f"{{{TNS}}}SubmitBatchResponse", nsmap={"n": TNS})
        for name, value in (
            ("batchNumber", receipt["batch_number"]),
            ("status", receipt["status"]),
            ("receiptId", receipt["receipt_id"]),
            ("receivedAt", receipt["received_at"]),
            ("acceptedCount", receipt["accepted_count"]),
            ("rejectedCount", receipt["rejected_count"]),
            ("replayed", answer.replayed),
        ):
            _text(response, name, value)
        results = etree.SubElement(response, "results")
        for record in receipt["results"]:
            result = etree.SubElement(results, "result")
            _text(result, "index", record["index"])
            if record["key"] is not None:
                _text(result, "key", record["key"])
            _text(result, "accepted", record["accepted"])
            for reason in record["reasons"]:
                _text(result, "reason", reason)
            if record["receipt_id"] is not None:
                _text(result, "receiptId", record["receipt_id"])
        return response

    def _query_accepted(self, request: etree._Element) -> etree._Element:
        try:
            page = int(request.findtext("page") or 1)
            page_size = int(request.findtext("pageSize") or DEFAULT_KEYS_PER_PAGE)
            found = self.store.reconcile(
                request.findtext("dataType") or "",
                request.findtext("date") or "",
                page=page,
                page_size=page_size,
            )
        except ValueError as exc:
            raise SoapFault("soap:Client", str(exc)) from None
        response = etree.Element(f"{{{TNS}}}QueryAcceptedResponse", nsmap={"n": TNS})
        for name, value in (
            ("dataType", found.data_type),
            ("date", found.day.isoformat()),
            ("count", found.count),
            ("checksum", found.checksum),
            ("page", found.page),
            ("pageSize", found.page_size),
            ("hasMore", found.has_more),
        ):
            _text(response, name, value)
        keys = etree.SubElement(response, "keys")
        for key in found.keys:
            _text(keys, "key", key)
        return response


def _text(parent: etree._Element, name: str, value: Any) -> None:
    """A child element with ``value`` as XML Schema text (booleans as true/false)."""
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    etree.SubElement(parent, name).text = text


def _fault_element(fault: SoapFault) -> etree._Element:
    element = etree.Element(f"{{{SOAP}}}Fault", nsmap={"soap": SOAP, "wsse": WSSE})
    etree.SubElement(element, "faultcode").text = fault.code
    etree.SubElement(element, "faultstring").text = str(fault)
    return element
