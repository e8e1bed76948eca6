"""The national push's SOAP transport: a batch as ``SubmitBatch``, its answer as a receipt;
the accepted-data query as ``QueryAccepted``, its answer as the REST query's page.

The push (``hub.national.push``) settles receipts in the REST receipt's shape
(``standards/national/receipt.json``); ``soap_receipt`` reads a ``SubmitBatchResponse`` into
that shape, so one settlement serves both transports. A ``soap:Client`` fault (the envelope
is invalid, or the key was used for another batch) refuses the batch whole, as an HTTP 4xx
does, and becomes a refusal naming the fault. A signature the national side does not accept
(``wsse:FailedCheck``, ``wsse:InvalidSecurity``) is the province's configuration, not its
data: it raises ``AuthenticationFailed`` and the batch stays pending, as over REST (HTTP
401). ``soap:Server`` faults, HTTP 5xx, timeouts and dropped connections are transient
(``RetryLater``).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from lxml import etree

from adapters.base import OutboundMessage, Receipt
from adapters.soap.client import SoapAdapter
from hub.errors import AuthenticationFailed, DataError, ParseError
from hub.exchange.parsers import xml_parser_options
from hub.national.soap_signing import SOAP_ENVELOPE, TNS

REFUSING = frozenset({"Client"})
"""SOAP fault codes (local names) that refuse a batch whole, as an HTTP 4xx receipt does."""


def submit_batch(adapter: SoapAdapter, payload: str, key: str) -> Receipt:
    """SubmitBatch of ``payload`` under ``key``, answered as the REST push answers: the
    receipt (``soap_receipt``), or a refusal carrying a refusing fault's reason."""
    from zeep.exceptions import Fault

    arguments = json.dumps({"batch": payload}, ensure_ascii=False).encode()
    try:
        answer = adapter.push(OutboundMessage("batch", arguments, key))
    except (DataError, AuthenticationFailed) as exc:
        fault = exc.__cause__  # the adapter keeps the fault it translated
        if not isinstance(fault, Fault) or str(fault.code).rpartition(":")[2] not in REFUSING:
            raise  # our own request is malformed, or the credentials are wrong
        refusal = {"code": fault.code, "message": fault.message, "errors": [fault.message]}
        return Receipt(
            accepted=False, detail=str(exc), raw=json.dumps(refusal, ensure_ascii=False).encode()
        )
    receipt = soap_receipt(answer.raw)
    return Receipt(
        accepted=True,
        remote_id=receipt["receipt_id"],
        detail=answer.detail,
        raw=json.dumps(receipt, ensure_ascii=False).encode(),
    )


def soap_receipt(raw: bytes) -> dict[str, Any]:
    """A ``SubmitBatchResponse`` envelope (``national.xsd``) as the REST receipt
    (``receipt.json``): the same fields, results in the answer's order, a repeated result
    kept (settling counts and ignores it). zeep has checked the answer against the XSD
    already; what it requires is read as present."""
    envelope = etree.fromstring(raw, etree.XMLParser(**xml_parser_options()))
    answer = envelope.find(f"{{{SOAP_ENVELOPE}}}Body/{{{TNS}}}SubmitBatchResponse")
    if answer is None:
        raise ParseError("the SOAP answer to SubmitBatch has no SubmitBatchResponse")
    return {
        "batch_number": answer.findtext("batchNumber"),
        "status": answer.findtext("status"),
        "receipt_id": answer.findtext("receiptId"),
        "received_at": answer.findtext("receivedAt"),
        "accepted_count": int(answer.findtext("acceptedCount", "")),
        "rejected_count": int(answer.findtext("rejectedCount", "")),
        "results": [
            {
                "index": int(result.findtext("index", "")),
                "key": result.findtext("key"),
                "accepted": result.findtext("accepted", "").strip() in ("true", "1"),
                "reasons": [reason.text or "" for reason in result.iterfind("reason")],
                "receipt_id": result.findtext("receiptId"),
            }
            for result in answer.iterfind("results/result")
        ],
    }


def query_accepted(
    adapter: SoapAdapter, data_type: str, day: date, *, page: int, page_size: int
) -> dict[str, Any]:
    """One page of ``QueryAccepted`` as reconciliation reads the REST query's page
    (``accepted.json``): count, checksum, keys and the next page (None on the last)."""
    arguments = {"dataType": data_type, "date": day, "page": page, "pageSize": page_size}
    _, raw = adapter.query("QueryAccepted", arguments)
    envelope = etree.fromstring(raw, etree.XMLParser(**xml_parser_options()))
    answer = envelope.find(f"{{{SOAP_ENVELOPE}}}Body/{{{TNS}}}QueryAcceptedResponse")
    if answer is None:
        raise ParseError("the SOAP answer to QueryAccepted has no QueryAcceptedResponse")
    more = answer.findtext("hasMore", "").strip() in ("true", "1")
    return {
        "count": int(answer.findtext("count", "")),
        "checksum": answer.findtext("checksum", ""),
        "keys": [key.text or "" for key in answer.iterfind("keys/key")],
        "next": int(answer.findtext("page", "")) + 1 if more else None,
    }
