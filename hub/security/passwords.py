"""Password and client-secret hashing with scrypt from the standard library.

scrypt is memory-hard, so a stolen ``users`` table is expensive to brute-force, and it needs
no extra dependency. The parameters travel with each hash so that they can be raised later
without invalidating stored hashes::

    >>> encoded = hash_password("correct horse")
    >>> encoded.startswith("scrypt$16384$8$1$")
    True
    >>> verify_password("correct horse", encoded), verify_password("wrong", encoded)
    (True, False)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from functools import lru_cache

SCHEME = "scrypt"
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
# Refuse stored parameters that would let a crafted hash exhaust memory or CPU.
_MAX_N = 2**20


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        dklen=length,
        maxmem=128 * n * r * p + 2**20,
    )


def hash_password(password: str) -> str:
    """Hash ``password`` as ``scrypt$n$r$p$salt_b64$hash_b64`` with a fresh random salt."""
    salt = os.urandom(SALT_BYTES)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, HASH_BYTES)
    return "$".join(
        (
            SCHEME,
            str(SCRYPT_N),
            str(SCRYPT_R),
            str(SCRYPT_P),
            base64.b64encode(salt).decode("ascii"),
            base64.b64encode(digest).decode("ascii"),
        )
    )


def verify_password(password: str, encoded: str) -> bool:
    """Whether ``password`` matches ``encoded``; comparison in constant time.

    A malformed stored hash verifies nothing (returns ``False``) rather than raising, so a
    corrupt row locks one account instead of breaking the login endpoint.
    """
    try:
        scheme, n_text, r_text, p_text, salt_b64, hash_b64 = encoded.split("$")
        n, r, p = int(n_text), int(r_text), int(p_text)
        salt = base64.b64decode(salt_b64, validate=True)
        expected = base64.b64decode(hash_b64, validate=True)
    except (ValueError, binascii.Error):
        return False
    if scheme != SCHEME or not (1 < n <= _MAX_N) or r < 1 or p < 1 or not expected:
        return False
    try:
        actual = _scrypt(password, salt, n, r, p, len(expected))
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(actual, expected)


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A hash to verify against when the account does not exist.

    An unknown name then takes as long to refuse as a wrong password, so response times do
    not reveal which accounts exist.
    """
    return hash_password(os.urandom(16).hex())
