"""The knowledge base (知识库): laws and rules, their articles, and what the catalog cites.

Catalog items' ``legal_basis`` is free text for people; :class:`CatalogBasis` is the same
citation as data, so the hub can list the items a repealed or amended law affects.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, CanonicalMixin
from hub.store.records import RecordType, register_record_type


class Law(CanonicalMixin, Base):
    """A law, regulation, rule or normative document (法律法规规章).

    ``region_code`` is null for national law and set for local regulations and rules.
    """

    __tablename__ = "laws"
    __table_args__ = (UniqueConstraint("law_code"),)

    law_code: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    issuer: Mapped[str | None] = mapped_column(String(200))
    promulgated_on: Mapped[date | None] = mapped_column(Date)
    effective_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="in_force", index=True)
    region_code: Mapped[str | None] = mapped_column(String(12), index=True)


class LawArticle(CanonicalMixin, Base):
    """One article (条) of a law.

    ``article_number`` is e.g. ``"12"``, or ``"12.1"`` for 第十二条第一款.
    """

    __tablename__ = "law_articles"
    __table_args__ = (UniqueConstraint("law_code", "article_number"),)

    law_code: Mapped[str] = mapped_column(String(64), index=True)
    article_number: Mapped[str] = mapped_column(String(50))
    text: Mapped[str] = mapped_column(Text)


class CatalogBasis(CanonicalMixin, Base):
    """A catalog item's citation of a law article (设定依据/监管依据).

    An empty ``article_number`` cites the law as a whole (a key column cannot be null).
    """

    __tablename__ = "catalog_bases"
    __table_args__ = (UniqueConstraint("catalog_code", "law_code", "article_number"),)

    catalog_code: Mapped[str] = mapped_column(String(14), index=True)
    law_code: Mapped[str] = mapped_column(String(64), index=True)
    article_number: Mapped[str] = mapped_column(String(50), default="")


register_record_type(
    RecordType(name="law", model=Law, key=("law_code",), schema="canonical/law.json")
)

register_record_type(
    RecordType(
        name="law_article",
        model=LawArticle,
        key=("law_code", "article_number"),
        schema="canonical/law_article.json",
        region_field=None,
    )
)

register_record_type(
    RecordType(
        name="catalog_basis",
        model=CatalogBasis,
        key=("catalog_code", "law_code", "article_number"),
        schema="canonical/catalog_basis.json",
        region_field=None,
    )
)
