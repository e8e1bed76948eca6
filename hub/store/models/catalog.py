"""The supervision item catalog (监管事项目录清单) and the inspection implementation lists.

A catalog item is one thing a department supervises, with one name, one 14-digit code, one
legal basis and one type province-wide. The national catalog is issued top-down and claimed
by the province (``origin = "national"``); local items come from the four-level power lists
(``origin = "local"``). A sub-item points at its main item through ``parent_code``.

The inner layout of the 14 digits is not published; the hub's own layout lives in the
catalog module, so the store only checks the length (in the canonical schema).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, CanonicalMixin
from hub.store.records import RecordType, register_record_type


class CatalogItem(CanonicalMixin, Base):
    """One supervision item (监管事项), main item or sub-item, keyed by its 14-digit code.

    ``status`` follows the item's life: draft → submitted → reviewed → published, and
    withdrawn when it leaves the catalog; ``version`` counts published revisions.
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


class ImplementationListItem(CanonicalMixin, Base):
    """One line of an inspection implementation list (检查实施清单).

    Its code starts with the implementing agency's 统一社会信用代码 (characters 1-18), then one
    character 1-5 (``level_digit``); the rest is not standardised and varies in length.
    Behaviour records (inspections, penalties, ...) link to the catalog through this code.
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
