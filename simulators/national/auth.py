"""How a province proves itself to the simulated national system.

REST calls carry the province's key in ``X-API-Key``, always. They may also be signed with
HMAC-SHA256 exactly as the hub's REST adapter signs (``adapters/rest/auth.py``): hex in
``X-Signature`` over ``METHOD\\nPATH?QUERY\\nX-Timestamp\\nX-Nonce\\nhex(SHA-256(body))``
with the secret named by ``X-Key-Id``; a signature present is always checked (timestamp
within five minutes, nonce used once), and required when the simulator starts with
``require_hmac``. This side is written from that description, not imported, so that a
mistake in the adapter shows.

SOAP calls carry a WS-Security UsernameToken: ``soap_username`` with the same key as password.

The key is ``HUB_NATIONAL_KEY`` and the HMAC secret ``HUB_NATIONAL_HMAC_SECRET`` when set
(the channel files refer to the same variables), demo values otherwise.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message

CLOCK_SKEW_SECONDS = 300
DEMO_KEY = "national-demo-key"
DEMO_HMAC_SECRET = "national-demo-hmac-secret"


@dataclass(frozen=True)
class Credentials:
    """What the simulated national system accepts from the province."""

    api_key: str = DEMO_KEY
    hmac_key_id: str = "hub"
    hmac_secret: str = DEMO_HMAC_SECRET
    soap_username: str = "hub"

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Credentials:
        env = os.environ if environ is None else environ
        return cls(
            api_key=env.get("HUB_NATIONAL_KEY") or DEMO_KEY,
            hmac_secret=env.get("HUB_NATIONAL_HMAC_SECRET") or DEMO_HMAC_SECRET,
        )


@dataclass
class Gatekeeper:
    """Checks REST requests against ``credentials``; ``refusal`` says why one is refused."""

    credentials: Credentials
    require_hmac: bool = False
    _nonces: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def refusal(self, method: str, target: str, headers: Message, body: bytes) -> str | None:
        """None when the request may pass; else the reason (never echoing what was sent)."""
        key = headers.get("X-API-Key")
        if key is None or not hmac.compare_digest(key, self.credentials.api_key):
            return "X-API-Key is missing or wrong"
        if "X-Signature" not in headers:
            return "an HMAC signature (X-Signature) is required" if self.require_hmac else None
        return self._signature_problem(method, target, headers, body)

    def _signature_problem(
        self, method: str, target: str, headers: Message, body: bytes
    ) -> str | None:
        timestamp, nonce = headers.get("X-Timestamp", ""), headers.get("X-Nonce", "")
        if headers.get("X-Key-Id") != self.credentials.hmac_key_id or not nonce:
            return "X-Key-Id or X-Nonce is missing or unknown"
        try:
            skew = abs(time.time() - float(timestamp))
        except ValueError:
            return "X-Timestamp is not a number of seconds"
        if skew > CLOCK_SKEW_SECONDS:
            return "X-Timestamp is more than five minutes away"
        text = "\n".join(
            (method.upper(), target, timestamp, nonce, hashlib.sha256(body).hexdigest())
        )
        expected = hmac.new(
            self.credentials.hmac_secret.encode(), text.encode(), hashlib.sha256
        ).hexdigest()
        if not hmac.compare_digest(expected, headers.get("X-Signature", "")):
            return "X-Signature does not match"
        with self._lock:
            if nonce in self._nonces:
                return "X-Nonce was used before"
            self._nonces.add(nonce)
        return None
