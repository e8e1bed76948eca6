"""Accounts of the work API: people (``User``) and machine callers (``ApiClient``).

Both carry the scope that ends up in their tokens: a role (see :mod:`hub.security.tokens`), a
department code and a GB/T 2260 region code (``340000`` is all of Anhui, ``340100`` Hefei).
They are not canonical records: nothing outside sends them, so they are not registered with
:mod:`hub.store.records`; ``hub user add`` and ``hub user add-client`` create them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.security.tokens import ROLES, Principal
from hub.store.base import Base, IdMixin, utcnow

_ROLE_CHECK = "role IN ({})".format(", ".join(f"'{role}'" for role in ROLES))


class ScopedAccount(IdMixin):
    """What every account carries into its token: role, department, region, and whether it
    may still sign in."""

    role: Mapped[str] = mapped_column(String(20))
    department_code: Mapped[str] = mapped_column(String(50), index=True)
    region_code: Mapped[str] = mapped_column(String(12))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def _principal(self, name: str, kind: str) -> Principal:
        return Principal(
            name=name,
            role=self.role,
            department_code=self.department_code,
            region_code=self.region_code,
            kind=kind,
        )


class User(ScopedAccount, Base):
    """A person who signs in with a password (OAuth2 password grant)."""

    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("username"),
        CheckConstraint(_ROLE_CHECK, name="role"),
    )

    username: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))

    def principal(self) -> Principal:
        return self._principal(self.username, "user")


class ApiClient(ScopedAccount, Base):
    """A system that signs in with its id and secret (OAuth2 client-credentials grant)."""

    __tablename__ = "api_clients"
    __table_args__ = (
        UniqueConstraint("client_id"),
        CheckConstraint(_ROLE_CHECK, name="role"),
    )

    client_id: Mapped[str] = mapped_column(String(100))
    secret_hash: Mapped[str] = mapped_column(String(200))

    def principal(self) -> Principal:
        return self._principal(self.client_id, "client")
