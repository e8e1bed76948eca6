"""The lifecycle: every step with who, when and why, every change a revision, diffs and
history, and the refusals of bad input naming what is wrong."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hub.audit import FileAnchor, verify
from hub.catalog import lifecycle
from hub.catalog.errors import (
    CatalogRefused,
    MissingElements,
    TransitionRefused,
    UnknownDepartment,
    UnknownRegion,
    UnknownValue,
)
from hub.catalog.versions import FieldChange, diff, history, versions
from hub.settings import get_settings
from hub.store.models.audit import AuditEntry
from tests.catalog_support import LEADER, OFFICER, draft, national_item, publish_new


def test_an_item_goes_from_draft_to_withdrawn_and_every_step_is_a_revision(
    engine: Engine,
) -> None:
    with Session(engine) as session, session.begin():
        item = publish_new(session)
        assert (item.status, item.version) == ("published", 1)
        assert item.level == "city" and item.department_name == "合肥市市场监督管理局"
        lifecycle.edit_item(
            session,
            item,
            {"supervision_manner": "专项检查", "measures": None},
            actor=OFFICER,
            reason="改为专项检查",
        )
        assert item.status == "draft"
        lifecycle.submit(session, item, actor=OFFICER, reason="再次提交")
        lifecycle.review(session, item, approved=False, actor=LEADER, reason="措施不能为空")
        assert item.status == "draft"
        lifecycle.edit_item(session, item, {"measures": "现场检查"}, actor=OFFICER, reason="补措施")
        lifecycle.submit(session, item, actor=OFFICER, reason="再次提交")
        lifecycle.review(session, item, approved=True, actor=LEADER, reason="同意")
        lifecycle.publish(session, item, actor=LEADER, reason="修订后发布")
        assert item.version == 2
        lifecycle.withdraw(session, item, actor=LEADER, reason="上位法废止")

        steps = history(session, item.code)
        assert [(e.revision, e.action, e.status) for e in steps] == [
            (1, "create", "draft"),
            (2, "submit", "submitted"),
            (3, "review", "reviewed"),
            (4, "publish", "published"),
            (5, "edit", "draft"),
            (6, "submit", "submitted"),
            (7, "return", "draft"),
            (8, "edit", "draft"),
            (9, "submit", "submitted"),
            (10, "review", "reviewed"),
            (11, "publish", "published"),
            (12, "withdraw", "withdrawn"),
        ]
        assert steps[4].changed == ("supervision_manner", "measures", "status")
        assert (steps[6].actor, steps[6].actor_department, steps[6].reason) == (
            "wang.fang",
            "SCJG-3401",
            "措施不能为空",
        )
        assert all(entry.recorded_at is not None for entry in steps)
        assert diff(session, item.code, 4, 11) == {
            "supervision_manner": FieldChange("双随机抽查", "专项检查"),
            "measures": FieldChange("现场检查；查阅、复制有关资料", "现场检查"),
            "version": FieldChange(1, 2),
        }
        assert diff(session, item.code, 11, 4)["version"] == FieldChange(2, 1)
        assert steps[0].snapshot["name"] == "对校外培训机构收费行为的监督检查"

    with Session(engine) as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        assert [entry.action for entry in entries][:4] == [
            "catalog.create",
            "catalog.submit",
            "catalog.review",
            "catalog.publish",
        ]
        assert entries[0].details == {"revision": 1, "status": "draft"}
        assert verify(session, FileAnchor(get_settings().anchor_path)).ok


def test_publishing_without_basis_manner_or_objects_names_every_missing_element(
    engine: Engine,
) -> None:
    with Session(engine) as session, session.begin():
        item = lifecycle.create_item(
            session,
            draft(legal_basis=None, supervision_manner=" ", objects=None),
            actor=OFFICER,
            reason="新增",
        )
        lifecycle.submit(session, item, actor=OFFICER, reason="提交")
        lifecycle.review(session, item, approved=True, actor=LEADER, reason="同意")
        with pytest.raises(MissingElements) as refused:
            lifecycle.publish(session, item, actor=LEADER, reason="发布")
        assert refused.value.missing == (
            "legal_basis (设定依据)",
            "supervision_manner (监管方式)",
            "objects (监管对象)",
        )
        assert item.status == "reviewed"
        assert [v.action for v in versions(session, item.code)] == ["create", "submit", "review"]


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"department_code": "HBJ-3402"}, UnknownDepartment, "unknown line 'HBJ'"),
        ({"department_code": "SCJG-3499"}, UnknownDepartment, "'3499' is not the GB/T 2260"),
        ({"department_code": "SCJG"}, CatalogRefused, "needs a department with its area"),
        ({"region_code": "341400"}, UnknownRegion, "'341400' is not in the GB/T 2260 table"),
        ({"region_code": "340200"}, UnknownRegion, "outside the area of department SCJG-3401"),
        ({"supervision_type": "行政许可"}, UnknownValue, "supervision_types: '行政许可'"),
        ({"supervision_manner": "随便看看"}, UnknownValue, "manners"),
        ({"level": "village"}, UnknownValue, "levels"),
        ({"name": "  "}, MissingElements, "name"),
        ({"name": "名" * 301}, CatalogRefused, "longer than 300"),
        (
            {"parent_code": "34010100990000"},
            CatalogRefused,
            "main item 34010100990000 does not exist",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(
    engine: Engine, changes: dict[str, str], error: type[Exception], message: str
) -> None:
    with Session(engine) as session, session.begin():
        with pytest.raises(error, match=message):
            lifecycle.create_item(session, draft(**changes), actor=OFFICER, reason="新增")
        assert session.scalar(select(func.count()).select_from(lifecycle.CatalogItem)) == 0


def test_steps_out_of_order_and_changes_that_break_the_code_are_refused(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        item = lifecycle.create_item(session, draft(), actor=OFFICER, reason="新增")
        with pytest.raises(TransitionRefused, match="it is draft, and publish needs reviewed"):
            lifecycle.publish(session, item, actor=LEADER, reason="发布")
        with pytest.raises(TransitionRefused, match="withdraw needs published"):
            lifecycle.withdraw(session, item, actor=LEADER, reason="撤销")
        with pytest.raises(CatalogRefused, match="needs a reason"):
            lifecycle.submit(session, item, actor=OFFICER, reason="  ")
        with pytest.raises(CatalogRefused, match="supervision type is part of code"):
            lifecycle.edit_item(
                session, item, {"supervision_type": "行政处罚"}, actor=OFFICER, reason="改"
            )
        with pytest.raises(CatalogRefused, match="department line is part of code"):
            lifecycle.edit_item(
                session, item, {"department_code": "SThJ-3401"}, actor=OFFICER, reason="改"
            )
        with pytest.raises(CatalogRefused, match="nothing to change"):
            lifecycle.edit_item(
                session, item, {"objects": "校外培训机构"}, actor=OFFICER, reason="改"
            )
        with pytest.raises(CatalogRefused, match="cannot edit code"):
            lifecycle.edit_item(
                session, item, {"code": "34010100020000"}, actor=OFFICER, reason="改"
            )
        moved = lifecycle.edit_item(
            session,
            item,
            {"department_code": "SCJG-340104", "region_code": "340104"},
            actor=OFFICER,
            reason="下放至区级",
        )
        assert (moved.department_name, moved.level) == ("合肥市市场监督管理局", "city")
        sub = lifecycle.create_item(
            session,
            draft(name="子项", parent_code=item.code, department_code="SCJG-340104"),
            actor=OFFICER,
            reason="新增",
        )
        lifecycle.submit(session, sub, actor=OFFICER, reason="提交")
        lifecycle.review(session, sub, approved=True, actor=LEADER, reason="同意")
        with pytest.raises(TransitionRefused, match="main item 34010100010000 is not published"):
            lifecycle.publish(session, sub, actor=LEADER, reason="发布")


def test_national_and_withdrawn_items_are_not_edited_here(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        national = national_item(session)
        with pytest.raises(TransitionRefused, match="national: it changes with the national"):
            lifecycle.edit_item(session, national, {"objects": "x"}, actor=OFFICER, reason="改")
        item = publish_new(session)
        lifecycle.withdraw(session, item, actor=LEADER, reason="撤销")
        with pytest.raises(TransitionRefused, match="is withdrawn"):
            lifecycle.edit_item(session, item, {"objects": "x"}, actor=OFFICER, reason="改")


def test_an_item_a_channel_stored_is_recorded_as_it_arrived_before_its_first_change(
    engine: Engine,
) -> None:
    with Session(engine) as session, session.begin():
        stored = national_item(
            session,
            "34010100040000",
            origin="local",
            status="submitted",
            department_code="SCJG-34",
            region_code="340000",
        )
        assert versions(session, stored.code) == []
        lifecycle.review(session, stored, approved=True, actor=LEADER, reason="同意")
        steps = history(session, stored.code)
        assert [(e.action, e.actor, e.status) for e in steps] == [
            ("imported", "system:exchange", "submitted"),
            ("review", "wang.fang", "reviewed"),
        ]
