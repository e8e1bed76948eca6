"""Keys that find repeated complaints without exposing who made them.

- ``phone_digest``: HMAC-SHA256 of the phone's digits (a leading +86/86 dropped), keyed by a
  key derived from ``HUB_SECRET_KEY``, so the digest cannot be reversed by hashing every
  phone number without the key. The pipeline stores it with the complaint (the intake
  computes it for a complaint written without one). Rotating ``HUB_SECRET_KEY`` changes
  every digest from then on, so only merging across the rotation is affected.
- ``address_key``: an address normalised for comparison (full-width to half-width, spaces
  and punctuation dropped, the province prefix dropped, 号/栋/室 kept).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from functools import lru_cache

from hub.settings import get_settings

_DIGEST_LABEL = b"hub.cases.phone-digest.v1"
_NOT_DIGIT = re.compile(r"\D")
_NOISE = re.compile(r"[\s,，。.、;；:：()（）\[\]【】\-—_#/\\]+")
_PROVINCE = re.compile(r"^(安徽省|安徽)")


def _digest_key() -> bytes:
    return _derived_key(get_settings().secret_key.get_secret_value())


@lru_cache(maxsize=4)
def _derived_key(secret: str) -> bytes:
    """The digest key of ``secret``, derived once per secret, not once per phone."""
    return hmac.new(secret.encode("utf-8"), _DIGEST_LABEL, hashlib.sha256).digest()


def phone_digest(phone: str | None) -> str | None:
    """The keyed digest of a phone number; None for none (or fewer than 7 digits)."""
    if not phone:
        return None
    digits = _NOT_DIGIT.sub("", unicodedata.normalize("NFKC", phone))
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) < 7:
        return None
    return hmac.new(_digest_key(), digits.encode("ascii"), hashlib.sha256).hexdigest()


def address_key(address: str | None) -> str | None:
    """An address normalised for equality; None when nothing is left."""
    if not address:
        return None
    text = unicodedata.normalize("NFKC", address).strip()
    text = _NOISE.sub("", text)
    text = _PROVINCE.sub("", text)
    return text[:300] or None
