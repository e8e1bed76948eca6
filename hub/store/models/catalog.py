"""The supervision item catalog (监管事项目录清单) and the inspection implementation lists.

A catalog item is one thing a department supervises, with one name, one 14-digit code, one
legal basis and one type province-wide. The national catalog is issued top-down and claimed
by the province (``origin = "national"``); local items come from the four-level power lists
(``origin = "local"``). A sub-item points at its main item through ``parent_code``.

The inner layout of the 14 digits is not published; the hub's own layout lives in the
catalog module, so the store only checks the length (in the canonical schema).

Every change the catalog module makes is kept as a full snapshot in ``catalog_item_versions``
(who, when, why); claims of national items by regions are ``catalog_claims``. Neither is a
canonical record: nothing outside sends them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, CanonicalMixin, IdMixin, utcnow
from hub.store.records import RecordType, register_record_type


class CatalogItem(CanonicalMixin, Base):
    """One supervision item (监管事项), main item or sub-item, keyed by its 14-digit code.

    ``status`` follows the item's life: draft → submitted → reviewed → published, and
    withdrawn when it leaves the catalog; ``version`` counts published revisions.
    ``source_kind`` tells where a local item comes from (power list, local regulation, local
    government rule; see ``standards/catalog/sources.json``). ``responsible_department`` is
    decided by 谁审批、谁监管 / 谁主管、谁监管 (``responsibility_rule`` approval or competent) or
    set by hand (``override``, with ``responsibility_reason``); ``licensing_item`` names the
    licence (行政许可事项) whose approving department supervises the item.
    """

    __tablename__ = "catalog_items"
    __table_args__ = (UniqueConstraint("code"),)

    code: Mapped[str] = mapped_column(String(14))
    parent_code: Mapped[str | None] = mapped_column(String(14), index=True)
    is_main: Mapped[bool] = mapped_column(Boolean, default=True)
    name: Mapped[str] = mapped_column(String(300))
    department_code: Mapped[str] = mapped_column(String(50), index=True)
    department_name: Mapped[str | None] = mapped_column(String(200))
    supervision_type: Mapped[str | None] = mapped_column(String(50))
    supervision_manner: Mapped[str | None] = mapped_column(String(100))
    measures: Mapped[str | None] = mapped_column(Text)
    objects: Mapped[str | None] = mapped_column(Text)
    legal_basis: Mapped[str | None] = mapped_column(Text)
    process: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    level: Mapped[str | None] = mapped_column(String(20))
    region_code: Mapped[str | None] = mapped_column(String(12), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    origin: Mapped[str] = mapped_column(String(20), default="local")
    source_kind: Mapped[str | None] = mapped_column(String(30))
    licensing_item: Mapped[str | None] = mapped_column(String(200))
    responsible_department: Mapped[str | None] = mapped_column(String(50), index=True)
    responsibility_rule: Mapped[str | None] = mapped_column(String(20))
    responsibility_reason: Mapped[str | None] = mapped_column(Text)


class CatalogItemVersion(IdMixin, Base):
    """One revision of a catalog item: the whole item as it stood after a change.

    ``revision`` counts every change of one item (1, 2, 3, ...); ``action`` names the step
    (create, edit, submit, review, return, publish, withdraw, claim, responsibility,
    imported), ``actor`` and ``actor_department`` who took it, ``reason`` why. Kept whole
    rather than as differences so that any two revisions compare directly.
    """

    __tablename__ = "catalog_item_versions"
    __table_args__ = (UniqueConstraint("catalog_code", "revision"),)

    catalog_code: Mapped[str] = mapped_column(String(14), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(100))
    actor_department: Mapped[str | None] = mapped_column(String(50))
    reason: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)


class CatalogClaim(IdMixin, Base):
    """A national item claimed (认领) by one region, with what that region localises.

    Name, code, legal basis and supervision type stay the national item's in every region;
    the implementing department, level, manner, measures, objects, process and result may be
    the region's own.
    """

    __tablename__ = "catalog_claims"
    __table_args__ = (UniqueConstraint("catalog_code", "region_code"),)

    catalog_code: Mapped[str] = mapped_column(String(14), index=True)
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    department_code: Mapped[str] = mapped_column(String(50), index=True)
    level: Mapped[str | None] = mapped_column(String(20))
    supervision_manner: Mapped[str | None] = mapped_column(String(100))
    measures: Mapped[str | None] = mapped_column(Text)
    objects: Mapped[str | None] = mapped_column(Text)
    process: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str] = mapped_column(String(100))
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reason: Mapped[str] = mapped_column(Text)


class ImplementationListItem(CanonicalMixin, Base):
    """One line of an inspection implementation list (检查实施清单).

    Its code starts with the implementing agency's 统一社会信用代码 (characters 1-18), then one
    character 1-5 (``level_digit``); the rest is not standardised and varies in length.
    Behaviour records (inspections, penalties, ...) link to the catalog through this code, so
    a line leaves the list by being withdrawn (``status``, with who, when and why), never
    deleted.
    """

    __tablename__ = "implementation_items"
    __table_args__ = (UniqueConstraint("code"),)

    code: Mapped[str] = mapped_column(String(64))
    catalog_code: Mapped[str] = mapped_column(String(14), index=True)
    agency_uscc: Mapped[str] = mapped_column(String(18), index=True)
    agency_name: Mapped[str | None] = mapped_column(String(200))
    level_digit: Mapped[str] = mapped_column(String(1))
    region_code: Mapped[str | None] = mapped_column(String(12), index=True)
    department_code: Mapped[str | None] = mapped_column(String(50), index=True)
    status: Mapped[str] = mapped_column(String(20), default="active", server_default="active")
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_by: Mapped[str | None] = mapped_column(String(100))
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)


register_record_type(
    RecordType(
        name="catalog_item",
        model=CatalogItem,
        key=("code",),
        schema="canonical/catalog_item.json",
        department_field="department_code",
    )
)

register_record_type(
    RecordType(
        name="implementation_item",
        model=ImplementationListItem,
        key=("code",),
        schema="canonical/implementation_item.json",
        department_field="department_code",
    )
)
