"""Implementation-list lines (检查实施清单): made from published items implemented where the
line is, coded, withdrawn with who and why, never reusing a code."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hub.catalog import lifecycle
from hub.catalog.claims import Localisation, claim
from hub.catalog.errors import TransitionRefused, UnknownDepartment, UnknownRegion
from hub.catalog.implementations import (
    active_lines,
    add_implementation_item,
    get_line,
    list_lines,
    withdraw_line,
)
from hub.errors import NotFoundError
from hub.store.models.catalog import ImplementationListItem
from standards.codes import uscc_check_character
from tests.catalog_support import LEADER, OFFICER, draft, national_item, publish_new

AGENCY = "11340104MB000003" + "7"
AGENCY += uscc_check_character(AGENCY)


def _line(session: Session, code: str, region: str, department: str, **extra: str) -> str:
    line = add_implementation_item(
        session,
        catalog_code=code,
        agency_uscc=AGENCY,
        agency_name="合肥市蜀山区市场监督管理局",
        region_code=region,
        department_code=department,
        actor=OFFICER,
        **extra,
    )
    return line.code


def test_lines_of_local_and_claimed_national_items(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        hefei = publish_new(session)
        national = national_item(session)
        claim(session, national, Localisation("340100", "SCJG-3401"), actor=OFFICER, reason="认领")
        assert _line(session, hefei.code, "340104", "SCJG-340104") == f"{AGENCY}3000001"
        assert _line(session, national.code, "340104", "SCJG-340104") == f"{AGENCY}3000002"
        assert _line(session, hefei.code, "340100", "SCJG-3401") == f"{AGENCY}2000001"
        assert (
            _line(session, hefei.code, "340104", "SCJG-340104", level="other") == f"{AGENCY}5000003"
        )
        lines, total = list_lines(session, ImplementationListItem.region_code == "340104")
        assert total == 3 and [line.catalog_code for line in lines].count(national.code) == 1


def test_lines_are_refused_where_the_item_is_not_implemented(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        hefei = publish_new(session)
        drafted = lifecycle.create_item(session, draft(name="草稿"), actor=OFFICER, reason="x")
        unclaimed = national_item(session)
        with pytest.raises(TransitionRefused, match="is draft"):
            _line(session, drafted.code, "340100", "SCJG-3401")
        with pytest.raises(TransitionRefused, match="not implemented in region 340200"):
            _line(session, hefei.code, "340200", "SCJG-3402")
        with pytest.raises(TransitionRefused, match="not implemented in region 340104"):
            _line(session, unclaimed.code, "340104", "SCJG-340104")
        with pytest.raises(UnknownDepartment, match="is a ministry"):
            _line(session, hefei.code, "340100", "SCJG")
        with pytest.raises(UnknownRegion, match="outside the area"):
            _line(session, hefei.code, "340202", "SCJG-3401")
        with pytest.raises(NotFoundError):
            _line(session, "34990100010000", "340100", "SCJG-3401")
        assert list_lines(session) == ([], 0)


def test_a_withdrawn_line_keeps_its_code_and_leaves_the_public_list(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        item = publish_new(session)
        first = _line(session, item.code, "340104", "SCJG-340104")
        second = _line(session, item.code, "340104", "SCJG-340104")
        line = withdraw_line(session, get_line(session, first), actor=LEADER, reason="机构调整")
        assert (line.status, line.withdrawn_by, line.withdrawal_reason) == (
            "withdrawn",
            LEADER.name,
            "机构调整",
        )
        assert line.withdrawn_at is not None
        with pytest.raises(TransitionRefused, match="already withdrawn"):
            withdraw_line(session, line, actor=LEADER, reason="again")
        assert [active.code for active in active_lines(session, item.code)] == [second]
        assert _line(session, item.code, "340104", "SCJG-340104") == f"{AGENCY}3000003"
        assert list_lines(session, status="withdrawn")[1] == 1
