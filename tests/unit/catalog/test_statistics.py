"""Coverage with numbers worked out by hand: main items covered through their sub-items,
the twelve-month window, cities, claims, and items never used."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hub.catalog import lifecycle
from hub.catalog.claims import Localisation, claim
from hub.catalog.statistics import Coverage, catalog_statistics, twelve_months_before
from hub.store.models.actions import Inspection, Penalty
from tests.catalog_support import LEADER, OFFICER, action, draft, national_item, publish_new

BEIJING = timezone(timedelta(hours=8))
AS_OF = datetime(2026, 6, 30, 23, 59, tzinfo=BEIJING)


def _at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=BEIJING)


@pytest.fixture
def catalog(engine: Engine) -> Engine:
    """Published: A (Hefei, sub-items A1 A2), B (Hefei), C (province, SThJ, sub-item C1) and the
    national D claimed by Wuhu; a draft, a withdrawn item and an unclaimed national item
    besides, none of which count."""
    with Session(engine) as session, session.begin():
        a = publish_new(session)
        a1 = publish_new(session, name="A1", parent_code=a.code)
        publish_new(session, name="A2", parent_code=a.code)
        b = publish_new(session, name="B", supervision_manner="专项检查")
        c = publish_new(session, name="C", department_code="SThJ-34", objects="排污单位")
        c1 = publish_new(
            session, name="C1", department_code="SThJ-34", objects="排污单位", parent_code=c.code
        )
        d = national_item(session)
        claim(session, d, Localisation("340200", "SCJG-3402"), actor=OFFICER, reason="芜湖认领")
        national_item(session, "00020100010000", name="未认领", department_code="SThJ")
        lifecycle.create_item(session, draft(name="E"), actor=OFFICER, reason="草稿")
        withdrawn = publish_new(session, name="W")
        lifecycle.withdraw(session, withdrawn, actor=LEADER, reason="撤销")
        action(session, Inspection, "JC-1", a1.code, "340104", _at(2026, 3, 1))
        action(session, Penalty, "CF-1", c.code, "340202", _at(2026, 5, 1))
        action(session, Inspection, "JC-2", c1.code, "340102", _at(2025, 1, 1))  # too old
        action(session, Inspection, "JC-3", d.code, "340200", _at(2026, 6, 1))
        action(session, Inspection, "JC-4", b.code, "340100", _at(2026, 7, 5))  # after as_of
        action(session, Inspection, "JC-5", withdrawn.code, "340100", _at(2026, 6, 1))
    return engine


def test_coverage_counts_main_items_through_their_sub_items(catalog: Engine) -> None:
    with Session(catalog) as session:
        stats = catalog_statistics(session, as_of=AS_OF)
    assert stats.since == datetime(2025, 6, 30, 23, 59, tzinfo=BEIJING)
    assert stats.total == Coverage("all", main_items=4, main_covered=3, sub_items=3, sub_covered=1)
    assert stats.total.main_ratio == 0.75
    assert stats.coverage_by_department == [
        Coverage("SCJG", 1, 1, 0, 0),
        Coverage("SCJG-3401", 2, 1, 2, 1),
        Coverage("SThJ-34", 1, 1, 1, 0),
    ]
    assert stats.coverage_by_department[0].sub_ratio is None
    by_city = {row.group: row for row in stats.coverage_by_region}
    assert len(by_city) == 16  # C is the province's: every Anhui city
    assert by_city["340100"] == Coverage("340100", 3, 1, 3, 1)
    assert by_city["340200"] == Coverage("340200", 2, 2, 1, 0)
    assert by_city["341000"] == Coverage("341000", 1, 0, 1, 0)
    assert stats.never_used == ["34010100010002", "34010100020000"]
    assert stats.by_department == {"SCJG": 1, "SCJG-3401": 4, "SThJ-34": 2}
    assert stats.by_level == {"-": 1, "city": 4, "province": 2}
    assert stats.by_manner == {"专项检查": 1, "双随机抽查": 5, "日常检查": 1}


def test_statistics_narrow_to_a_department_and_an_area(catalog: Engine) -> None:
    with Session(catalog) as session:
        stats = catalog_statistics(
            session, as_of=AS_OF, department_code="SCJG-3401", region_prefix="3401"
        )
    assert stats.total == Coverage("all", 2, 1, 2, 1)
    assert [row.group for row in stats.coverage_by_region] == ["340100"]


def test_the_window_is_twelve_calendar_months() -> None:
    assert twelve_months_before(datetime(2028, 2, 29, 12, 0)) == datetime(2027, 2, 28, 12, 0)
