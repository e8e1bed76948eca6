"""The national side's check of the province's request signatures (SM2/SM3, ECDSA, RSA-PSS).

With ``require_signature`` on, every push (``POST /api/v1/batches``) and every pull about an
entity (``GET /api/v1/entities/...``) must carry the headers of ``hub.national.signing``:
the algorithm and key id the province registered, a timestamp within five minutes, a nonce
never used before, and the signature over::

    METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nhex(DIGEST(body))      DIGEST: SM3 for SM2, else SHA-256

A SOAP ``SubmitBatch`` carries the same five fields in its ``BatchSignature`` header, over
``POST\\nSOAPACTION\\nTIMESTAMP\\nNONCE\\nhex(DIGEST(exclusive C14N of soap:Body))``
(``simulators.national.soap`` reads them and asks ``fields_refusal``).

The canonical text is rebuilt here from that description, not imported, so that a mistake
on the hub's side shows; only the curve arithmetic is shared. A refusal names its reason
(never echoing what was sent), which the simulator answers as HTTP 401 (SOAP: a fault).
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from email.message import Message
from typing import NamedTuple

from hub.national.signing import Verifier, decode_signature, sm3_hex

CLOCK_SKEW_SECONDS = 300
SIGNED_PATHS = ("/api/v1/batches", "/api/v1/entities/")


def _digest(algorithm: str, body: bytes) -> str:
    return sm3_hex(body) if algorithm == "sm2_sm3" else hashlib.sha256(body).hexdigest()


class SignedFields(NamedTuple):
    """The five signature fields, wherever a request carries them."""

    algorithm: str
    key_id: str
    timestamp: str
    nonce: str
    value: str

    @property
    def complete(self) -> bool:
        return all(self)


@dataclass
class SignatureCheck:
    """The province's registered public key, and the nonces already seen."""

    verifier: Verifier
    _nonces: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @staticmethod
    def applies_to(path: str) -> bool:
        return path.startswith(SIGNED_PATHS)

    def refusal(self, method: str, target: str, headers: Message, body: bytes) -> str | None:
        """None when the signature of a REST request holds; else why it does not."""
        fields = SignedFields(
            headers.get("X-Sign-Algorithm", ""),
            headers.get("X-Sign-Key-Id", ""),
            headers.get("X-Sign-Timestamp", ""),
            headers.get("X-Sign-Nonce", ""),
            headers.get("X-Sign-Value", ""),
        )
        if not fields.complete:
            return "signature headers X-Sign-* are missing"
        return self.fields_refusal(fields, method, target, body)

    def fields_refusal(
        self, fields: SignedFields, method: str, target: str, body: bytes
    ) -> str | None:
        """None when complete signature ``fields`` hold over the canonical text of
        ``method``, ``target`` and ``body`` (REST headers or the SOAP header alike)."""
        algorithm, key_id, timestamp, nonce, value = fields
        if algorithm != self.verifier.algorithm.value:
            return f"signature algorithm must be {self.verifier.algorithm.value}"
        if key_id != self.verifier.key_id:
            return "signature key id is not registered"
        try:
            skew = abs(time.time() - int(timestamp))
        except ValueError:
            return "X-Sign-Timestamp is not a number of seconds"
        if skew > CLOCK_SKEW_SECONDS:
            return "X-Sign-Timestamp is more than five minutes away"
        signature = decode_signature(value)
        text = "\n".join((method.upper(), target, timestamp, nonce, _digest(algorithm, body)))
        if signature is None or not self.verifier.verify(text.encode(), signature):
            return "signature does not verify with the registered public key"
        with self._lock:
            now = time.time()
            for seen, at in list(self._nonces.items()):
                if now - at > 2 * CLOCK_SKEW_SECONDS:
                    del self._nonces[seen]
            if nonce in self._nonces:
                return "X-Sign-Nonce was used before"
            self._nonces[nonce] = now
        return None
