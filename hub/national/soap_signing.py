"""The province's signature on SOAP calls to the national system (``BatchSignature`` header).

The REST push carries its signature in ``X-Sign-*`` headers (``hub.national.signing``); a
SOAP call carries the same five fields in a SOAP header declared by
``standards/wsdl/national/national.xsd``::

    <soap-env:Header>
      <n:BatchSignature xmlns:n="urn:cn:gov:supervision:national:v1">
        <algorithm>sm2_sm3</algorithm><keyId>hub-340000</keyId>
        <timestamp>1790000000</timestamp><nonce>5f0c...</nonce><value>MEUCIQ...</value>
      </n:BatchSignature>
    </soap-env:Header>

over the same canonical text, with the operation's SOAPAction in the place of the path and
the exclusive canonical form (C14N 1.0, no comments) of ``soap-env:Body`` as the body::

    POST \\n urn:cn:gov:supervision:national:v1#SubmitBatch \\n TIMESTAMP \\n NONCE \\n hex(DIGEST(C14N(Body)))

so that neither the batch nor its idempotency key can be changed, and a captured request
cannot be replayed. Exclusive C14N makes the digest independent of where the sender
declared its namespaces and of how it serialised the envelope.

``BatchSignature`` is a zeep WS-Security part: ``adapters.soap.transport.security`` applies it
after the channel's UsernameToken (and after an X.509 signature, which adds an id to Body).
"""

from __future__ import annotations

from lxml import etree

from hub.national.signing import HEADERS, Signer

TNS = "urn:cn:gov:supervision:national:v1"
SOAP_ENVELOPE = "http://schemas.xmlsoap.org/soap/envelope/"
SIGNATURE_ELEMENT = f"{{{TNS}}}BatchSignature"
SIGNED_METHOD = "POST"
# The header's child elements, in the XSD's order, and the X-Sign-* field each carries.
FIELDS = (
    ("algorithm", HEADERS.algorithm),
    ("keyId", HEADERS.key_id),
    ("timestamp", HEADERS.timestamp),
    ("nonce", HEADERS.nonce),
    ("value", HEADERS.value),
)


def body_c14n(envelope: etree._Element) -> bytes:
    """The exclusive canonical form of the envelope's ``Body`` (what the signature digests)."""
    body = envelope.find(f"{{{SOAP_ENVELOPE}}}Body")
    if body is None:
        raise ValueError("the SOAP envelope has no Body")
    return etree.tostring(body, method="c14n", exclusive=True, with_comments=False)


class BatchSignature:
    """Signs every outgoing call with the province's key (a zeep WS-Security part).

    Answers are not signed by the national system, so ``verify`` passes them through; the
    channel's X.509 signature, when configured, verifies them.
    """

    def __init__(self, signer: Signer) -> None:
        self.signer = signer

    def apply(
        self, envelope: etree._Element, headers: dict[str, str]
    ) -> tuple[etree._Element, dict[str, str]]:
        action = headers.get("SOAPAction", "").strip('"')
        fields = self.signer.signed_headers(SIGNED_METHOD, action, body_c14n(envelope))
        header = envelope.find(f"{{{SOAP_ENVELOPE}}}Header")
        if header is None:
            header = etree.Element(f"{{{SOAP_ENVELOPE}}}Header")
            envelope.insert(0, header)
        signature = etree.SubElement(header, SIGNATURE_ELEMENT, nsmap={"n": TNS})
        for name, field in FIELDS:
            etree.SubElement(signature, name).text = fields[field]
        return envelope, headers

    def verify(self, envelope: etree._Element) -> etree._Element:
        return envelope
