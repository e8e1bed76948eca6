"""Linking an item's legal basis to knowledge-base articles: validated, versioned, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.catalog import lifecycle
from hub.catalog.bases import cited_articles, link_article, unlink_article
from hub.catalog.errors import CatalogRefused, TransitionRefused
from hub.catalog.versions import diff, history
from hub.errors import NotFoundError
from hub.store.models.audit import AuditEntry
from hub.store.models.knowledge import Law, LawArticle
from tests.catalog_support import LEADER, OFFICER, national_item, publish_new


@pytest.fixture
def knowledge(engine: Engine) -> Engine:
    """Two laws of the knowledge base, the first with article 24."""
    with Session(engine) as session, session.begin():
        session.add_all(
            [
                Law(law_code="DF0001", title="安徽省价格条例", kind="local_regulation",
                    status="in_force", content_hash="1" * 32),
                LawArticle(law_code="DF0001", article_number="24", text="第二十四条 ……",
                           content_hash="2" * 32),
                Law(law_code="FL0002", title="中华人民共和国价格法", kind="law",
                    status="amended", content_hash="3" * 32),
            ]
        )  # fmt: skip
    return engine


def test_a_link_is_a_revision_that_keeps_the_status(knowledge: Engine) -> None:
    with Session(knowledge) as session, session.begin():
        item = publish_new(session)
        link_article(session, item, "DF0001", "24", actor=OFFICER, reason="依据第二十四条")
        link_article(session, item, " FL0002 ", None, actor=OFFICER, reason="上位法")
        entries = history(session, item.code)
        assert item.status == "published" and item.version == 1
        assert [entry.action for entry in entries][-2:] == ["link_basis", "link_basis"]
        assert entries[-2].changed == ("bases",)
        assert entries[-1].snapshot["bases"] == [
            {"law_code": "DF0001", "article_number": "24"},
            {"law_code": "FL0002", "article_number": ""},
        ]
        cited = cited_articles(session, item.code)
        assert [(c.law_code, c.article_number, c.text, c.law_status) for c in cited] == [
            ("DF0001", "24", "第二十四条 ……", "in_force"),
            ("FL0002", "", None, "amended"),
        ]
        unlink_article(session, item, "FL0002", "", actor=LEADER, reason="引用有误")
        last = history(session, item.code)[-1]
        assert (last.action, last.actor, last.reason) == ("unlink_basis", LEADER.name, "引用有误")
        assert diff(session, item.code, last.revision - 3, last.revision)["bases"].after == [
            {"law_code": "DF0001", "article_number": "24"}
        ]
        audited = session.scalars(
            select(AuditEntry.action).where(AuditEntry.object_id == item.code)
        ).all()
        assert audited.count("catalog.link_basis") == 2 and "catalog.unlink_basis" in audited


def test_unknown_laws_articles_and_repeated_links_are_refused_naming_them(
    knowledge: Engine,
) -> None:
    with Session(knowledge) as session, session.begin():
        item = publish_new(session)
        revisions = len(history(session, item.code))
        with pytest.raises(NotFoundError, match="no law FL9999 in the knowledge base"):
            link_article(session, item, "FL9999", "1", actor=OFFICER, reason="x")
        with pytest.raises(NotFoundError, match="law DF0001 has no article 99 in the knowledge"):
            link_article(session, item, "DF0001", "99", actor=OFFICER, reason="x")
        with pytest.raises(CatalogRefused, match="needs a reason"):
            link_article(session, item, "DF0001", "24", actor=OFFICER, reason=" ")
        link_article(session, item, "DF0001", "24", actor=OFFICER, reason="依据")
        with pytest.raises(CatalogRefused, match="already cites law DF0001 article 24"):
            link_article(session, item, "DF0001", "24", actor=OFFICER, reason="再次")
        with pytest.raises(NotFoundError, match="does not cite law FL0002"):
            unlink_article(session, item, "FL0002", None, actor=OFFICER, reason="x")
        assert len(history(session, item.code)) == revisions + 1
        lifecycle.withdraw(session, item, actor=LEADER, reason="废止")
        with pytest.raises(TransitionRefused, match="withdrawn"):
            unlink_article(session, item, "DF0001", "24", actor=OFFICER, reason="x")


def test_an_item_from_a_channel_is_first_recorded_as_it_arrived(knowledge: Engine) -> None:
    with Session(knowledge) as session, session.begin():
        item = national_item(session)
        link_article(session, item, "FL0002", None, actor=OFFICER, reason="国家事项的依据")
        entries = history(session, item.code)
    assert [(entry.action, entry.snapshot["bases"]) for entry in entries] == [
        ("imported", []),
        ("link_basis", [{"law_code": "FL0002", "article_number": ""}]),
    ]
