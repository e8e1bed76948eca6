"""Column types with behaviour: personal data sealed at rest."""

from __future__ import annotations

from typing import Any

from sqlalchemy import LargeBinary
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from hub.security.crypto import get_key_ring


class EncryptedText(TypeDecorator[str]):
    """Text sealed with the hub's key ring before it reaches the database.

    Use it for personal data (complainants' names, phone numbers, ID numbers). Values cannot be
    searched in SQL; keep a separate keyed digest column if lookups are needed.
    """

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        return get_key_ring().seal(str(value).encode("utf-8"))

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return get_key_ring().open(bytes(value)).decode("utf-8")
