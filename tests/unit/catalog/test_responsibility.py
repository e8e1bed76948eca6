"""谁审批、谁监管 / 谁主管、谁监管 by rule, and a recorded override."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hub.catalog import lifecycle, responsibility
from hub.catalog.errors import CatalogRefused, UnknownDepartment
from hub.catalog.versions import history
from tests.catalog_support import LEADER, OFFICER, draft


def test_the_licensing_item_or_the_competent_line_decides(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        approval = lifecycle.create_item(
            session,
            draft(
                name="对医疗美容机构的监督检查",
                department_code="SCJG-3401",
                objects="医疗美容机构",
                licensing_item="医疗机构执业许可",
            ),
            actor=OFFICER,
            reason="新增",
        )
        assert (approval.responsible_department, approval.responsibility_rule) == (
            "WSJK-3401",
            "approval",
        )
        assert "医疗机构执业许可 is approved by WSJK" in (approval.responsibility_reason or "")
        competent = lifecycle.create_item(
            session,
            draft(name="对餐饮油烟的检查", department_code="SCJG-340104", objects="排污单位"),
            actor=OFFICER,
            reason="新增",
        )
        assert (competent.responsible_department, competent.responsibility_rule) == (
            "SThJ-340104",
            "competent",
        )
        own = lifecycle.create_item(
            session,
            draft(name="对其他事项的检查", objects="校外培训机构"),
            actor=OFFICER,
            reason="新增",
        )
        assert (own.responsible_department, own.responsibility_rule) == ("SCJG-3401", "competent")


def test_an_override_needs_a_reason_survives_edits_and_can_be_restored(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        item = lifecycle.create_item(session, draft(), actor=OFFICER, reason="新增")
        with pytest.raises(CatalogRefused, match="needs a reason"):
            responsibility.override(session, item, "JYJ-3401", actor=LEADER, reason="")
        with pytest.raises(UnknownDepartment, match="unknown line 'JYJ'"):
            responsibility.override(session, item, "JYJ-3401", actor=LEADER, reason="教育局主管")
        with pytest.raises(UnknownDepartment, match="does not cover the item's region 340100"):
            responsibility.override(session, item, "WHLY-3402", actor=LEADER, reason="文旅主管")
        responsibility.override(
            session, item, "WHLY-3401", actor=LEADER, reason="市政府三定方案明确由文旅局监管"
        )
        assert (item.responsible_department, item.responsibility_rule) == ("WHLY-3401", "override")
        lifecycle.edit_item(session, item, {"objects": "培训机构"}, actor=OFFICER, reason="改对象")
        assert item.responsible_department == "WHLY-3401"
        last_override = history(session, item.code)[1]
        assert (last_override.action, last_override.reason, last_override.actor) == (
            "responsibility",
            "市政府三定方案明确由文旅局监管",
            "wang.fang",
        )
        responsibility.restore_rule(session, item, actor=LEADER, reason="三定方案调整")
        assert (item.responsible_department, item.responsibility_rule) == ("SCJG-3401", "competent")
        with pytest.raises(CatalogRefused, match="no overridden responsibility"):
            responsibility.restore_rule(session, item, actor=LEADER, reason="再次")
