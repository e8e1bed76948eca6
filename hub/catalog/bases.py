"""An item's legal basis linked to the knowledge base (知识库): which law articles it cites.

``legal_basis`` is the citation as people read it (《安徽省价格条例》第二十四条); a link is the
same citation as data (:class:`hub.store.models.knowledge.CatalogBasis`), so the public page
shows the article's text and the hub can find the items an amended or repealed law affects.
Links arrive through the knowledge channel or are made here, by a person, for a reason:

- a link names a law of the knowledge base and, optionally, one of its articles (an empty
  article cites the law as a whole); an unknown law or article is refused, naming it;
- linking a citation already linked, or unlinking one that is not, is refused;
- a withdrawn item keeps the links it had (it is out of the catalog);
- each link and unlink is a new revision of the item (its snapshot lists the links), audited,
  and leaves the item's status as it is: the basis text that was reviewed does not change.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.catalog.errors import CatalogRefused, TransitionRefused
from hub.catalog.versions import Actor, digest, ensure_baseline, record_change, require_reason
from hub.errors import NotFoundError
from hub.store.models.catalog import CatalogItem
from hub.store.models.knowledge import CatalogBasis, Law, LawArticle

WHOLE_LAW = ""


@dataclass(frozen=True)
class CitedArticle:
    """One link as shown: the law, its title and status, and the article with its text."""

    law_code: str
    title: str | None
    law_status: str | None
    article_number: str
    text: str | None


def _citation(law_code: str, article_number: str) -> str:
    return f"law {law_code} article {article_number}" if article_number else f"law {law_code}"


def cited_articles(session: Session, code: str) -> list[CitedArticle]:
    """The item's links, by law and article, with what the knowledge base holds of them."""
    rows = session.execute(
        select(
            CatalogBasis.law_code,
            Law.title,
            Law.status,
            CatalogBasis.article_number,
            LawArticle.text,
        )
        .outerjoin(Law, Law.law_code == CatalogBasis.law_code)
        .outerjoin(
            LawArticle,
            (LawArticle.law_code == CatalogBasis.law_code)
            & (LawArticle.article_number == CatalogBasis.article_number),
        )
        .where(CatalogBasis.catalog_code == code)
        .order_by(CatalogBasis.law_code, CatalogBasis.article_number)
    )
    return [CitedArticle(*row) for row in rows]


def _check_known(session: Session, law_code: str, article_number: str) -> None:
    """Refuse a law or article the knowledge base does not hold (404, naming it)."""
    if session.scalar(select(Law.id).where(Law.law_code == law_code)) is None:
        raise NotFoundError(f"no law {law_code} in the knowledge base")
    if article_number == WHOLE_LAW:
        return
    found = session.scalar(
        select(LawArticle.id).where(
            LawArticle.law_code == law_code, LawArticle.article_number == article_number
        )
    )
    if found is None:
        raise NotFoundError(f"law {law_code} has no article {article_number} in the knowledge base")


def _link_of(
    session: Session, code: str, law_code: str, article_number: str
) -> CatalogBasis | None:
    return session.scalars(
        select(CatalogBasis).where(
            CatalogBasis.catalog_code == code,
            CatalogBasis.law_code == law_code,
            CatalogBasis.article_number == article_number,
        )
    ).one_or_none()


def _normalised(law_code: str, article_number: str | None) -> tuple[str, str]:
    law = law_code.strip()
    if not law:
        raise CatalogRefused("a link needs the law's code (law_code)")
    return law, (article_number or WHOLE_LAW).strip()


def _check_open(item: CatalogItem) -> None:
    if item.status == "withdrawn":
        raise TransitionRefused(f"catalog item {item.code} is withdrawn; its basis is closed")


def link_article(
    session: Session,
    item: CatalogItem,
    law_code: str,
    article_number: str | None = None,
    *,
    actor: Actor,
    reason: str,
) -> CatalogBasis:
    """Link the item's basis to a law (or one of its articles) of the knowledge base."""
    why = require_reason(reason, "linking a legal basis")
    law, article = _normalised(law_code, article_number)
    _check_open(item)
    _check_known(session, law, article)
    if _link_of(session, item.code, law, article) is not None:
        raise CatalogRefused(f"catalog item {item.code} already cites {_citation(law, article)}")
    ensure_baseline(session, item)
    link = CatalogBasis(
        catalog_code=item.code,
        law_code=law,
        article_number=article,
        source_version="",
        content_hash=digest({"catalog_code": item.code, "law": law, "article": article}),
    )
    session.add(link)
    session.flush()
    record_change(session, item, action="link_basis", actor=actor, reason=why)
    return link


def unlink_article(
    session: Session,
    item: CatalogItem,
    law_code: str,
    article_number: str | None = None,
    *,
    actor: Actor,
    reason: str,
) -> None:
    """Remove a link of the item's basis (404 when the item has no such link)."""
    why = require_reason(reason, "unlinking a legal basis")
    law, article = _normalised(law_code, article_number)
    _check_open(item)
    link = _link_of(session, item.code, law, article)
    if link is None:
        raise NotFoundError(f"catalog item {item.code} does not cite {_citation(law, article)}")
    ensure_baseline(session, item)
    session.delete(link)
    session.flush()
    record_change(session, item, action="unlink_basis", actor=actor, reason=why)
