"""Encryption of personal data at rest (AES-256-GCM through ``cryptography``).

A sealed value is ``0x01 | len(key_id) | key_id | nonce(12) | ciphertext+tag``. The key id
travels with the value so that ``hub keys rotate`` can find values sealed under an old key
and re-seal them under the current one, while every listed key still decrypts.
"""

from __future__ import annotations

import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hub.errors import ConfigurationError

_VERSION = 1
_NONCE_BYTES = 12


class DecryptionError(ConfigurationError):
    """A sealed value cannot be opened: wrong or missing key, or the bytes were altered."""


class KeyRing:
    """Named AES-256 keys; the first one seals, every one opens."""

    def __init__(self, keys: list[tuple[str, bytes]]) -> None:
        if not keys:
            raise ConfigurationError("a key ring needs at least one key")
        self._keys = {key_id: AESGCM(key) for key_id, key in keys}
        self.current_id = keys[0][0]

    def seal(self, plaintext: bytes, aad: bytes = b"") -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        key_id = self.current_id.encode()
        sealed = self._keys[self.current_id].encrypt(nonce, plaintext, aad)
        return bytes([_VERSION, len(key_id)]) + key_id + nonce + sealed

    def open(self, blob: bytes, aad: bytes = b"") -> bytes:
        key_id = self.key_id_of(blob)
        start = 2 + len(key_id.encode())
        nonce, sealed = blob[start : start + _NONCE_BYTES], blob[start + _NONCE_BYTES :]
        cipher = self._keys.get(key_id)
        if cipher is None:
            raise DecryptionError(
                f"value sealed under key {key_id!r}, which HUB_DATA_KEYS does not list"
            )
        try:
            return cipher.decrypt(nonce, sealed, aad)
        except InvalidTag as exc:
            raise DecryptionError(
                "sealed value failed authentication (altered or wrong key)"
            ) from exc

    @staticmethod
    def key_id_of(blob: bytes) -> str:
        if len(blob) < 2 or blob[0] != _VERSION:
            raise DecryptionError("not a sealed value")
        return blob[2 : 2 + blob[1]].decode()

    def needs_rotation(self, blob: bytes) -> bool:
        return self.key_id_of(blob) != self.current_id


@lru_cache(maxsize=1)
def get_key_ring() -> KeyRing:
    """The process key ring from ``HUB_DATA_KEYS``; cleared with ``get_key_ring.cache_clear()``."""
    from hub.settings import get_settings

    return KeyRing(get_settings().data_key_ring())
