"""Shared makers for the catalog tests: drafts, published items, national items, actions."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from hub.catalog import lifecycle
from hub.catalog.lifecycle import ItemDraft
from hub.catalog.versions import Actor
from hub.store.models.actions import Inspection, Penalty
from hub.store.models.catalog import CatalogItem

OFFICER = Actor("li.lei", "SCJG-3401")
LEADER = Actor("wang.fang", "SCJG-3401")

DRAFT = ItemDraft(
    name="对校外培训机构收费行为的监督检查",
    department_code="SCJG-3401",
    supervision_type="行政检查",
    supervision_manner="双随机抽查",
    objects="校外培训机构",
    legal_basis="《安徽省价格条例》第二十四条",
    measures="现场检查；查阅、复制有关资料",
)


def draft(**changes: Any) -> ItemDraft:
    return replace(DRAFT, **changes)


def publish_new(session: Session, **changes: Any) -> CatalogItem:
    """A new item taken through submit, review and publish."""
    item = lifecycle.create_item(session, draft(**changes), actor=OFFICER, reason="新增地方事项")
    lifecycle.submit(session, item, actor=OFFICER, reason="提交审核")
    lifecycle.review(session, item, approved=True, actor=LEADER, reason="要素齐全")
    lifecycle.publish(session, item, actor=LEADER, reason="按期发布")
    return item


def national_item(session: Session, code: str = "00010100010000", **values: Any) -> CatalogItem:
    """A national item as the national_catalog channel stores it."""
    fields: dict[str, Any] = {
        "name": "对食品生产经营者的监督检查",
        "parent_code": None,
        "is_main": True,
        "department_code": "SCJG",
        "department_name": "国家市场监督管理总局",
        "supervision_type": "行政检查",
        "supervision_manner": "日常检查",
        "objects": "食品生产经营者",
        "legal_basis": "《中华人民共和国食品安全法》第一百零六条",
        "status": "published",
        "origin": "national",
        "version": 3,
        "content_hash": "0" * 32,
        "source_version": "2026-01-05T05:20:00Z",
    }
    fields.update(values)
    item = CatalogItem(code=code, **fields)
    session.add(item)
    session.flush()
    return item


def action(
    session: Session,
    kind: type[Inspection] | type[Penalty],
    number: str,
    catalog_code: str,
    region_code: str,
    acted_at: datetime,
) -> None:
    """A supervision action citing ``catalog_code``."""
    session.add(
        kind(
            action_number=number,
            catalog_code=catalog_code,
            department_code="SCJG-3401",
            region_code=region_code,
            acted_at=acted_at,
            content_hash=number.ljust(32, "0")[:32],
        )
    )
    session.flush()
