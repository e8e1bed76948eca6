"""Coverage with numbers worked out by hand: main items covered through their sub-items,
the twelve-month window, regions at every level, claims under the claiming departments, and
items never used."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hub.catalog import lifecycle
from hub.catalog.claims import Localisation, claim
from hub.catalog.statistics import Coverage, catalog_statistics, twelve_months_before
from hub.store.models.actions import Inspection, Penalty
from standards.codes import load_regions
from tests.catalog_support import LEADER, OFFICER, action, draft, national_item, publish_new

BEIJING = timezone(timedelta(hours=8))
AS_OF = datetime(2026, 6, 30, 23, 59, tzinfo=BEIJING)


def _at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=BEIJING)


@pytest.fixture
def catalog(engine: Engine) -> Engine:
    """Published: A (Hefei, sub-items A1 A2), B (Hefei), C (province, SThJ, sub-item C1), K
    (Shushan county) and the national D claimed by Wuhu and by Shushan; a draft, a withdrawn
    item and an unclaimed national item besides, none of which count."""
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
        claim(session, d, Localisation("340104", "SCJG-340104"), actor=OFFICER, reason="蜀山认领")
        national_item(session, "00020100010000", name="未认领", department_code="SThJ")
        lifecycle.create_item(session, draft(name="E"), actor=OFFICER, reason="草稿")
        withdrawn = publish_new(session, name="W")
        lifecycle.withdraw(session, withdrawn, actor=LEADER, reason="撤销")
        k = publish_new(session, name="K", department_code="SCJG-340104")
        action(session, Inspection, "JC-1", a1.code, "340104", _at(2026, 3, 1))
        action(session, Penalty, "CF-1", c.code, "340202", _at(2026, 5, 1))
        action(session, Inspection, "JC-2", c1.code, "340102", _at(2025, 1, 1))  # too old
        action(session, Inspection, "JC-3", d.code, "340200", _at(2026, 6, 1))
        action(session, Inspection, "JC-4", b.code, "340100", _at(2026, 7, 5))  # after as_of
        action(session, Inspection, "JC-5", withdrawn.code, "340100", _at(2026, 6, 1))
        session.add(  # does not say where: credited to K, in no region's row
            Inspection(
                action_number="JC-6",
                catalog_code=k.code,
                department_code="SCJG-340104",
                acted_at=_at(2026, 4, 1),
                content_hash="6" * 32,
            )
        )
    return engine


def test_coverage_counts_main_items_through_their_sub_items(catalog: Engine) -> None:
    with Session(catalog) as session:
        stats = catalog_statistics(session, as_of=AS_OF)
    assert stats.since == datetime(2025, 6, 30, 23, 59, tzinfo=BEIJING)
    assert stats.total == Coverage("all", main_items=5, main_covered=4, sub_items=3, sub_covered=1)
    assert stats.total.main_ratio == 0.8
    assert stats.never_used == ["34010100010002", "34010100020000"]


def test_a_claimed_national_item_counts_under_each_claiming_department(catalog: Engine) -> None:
    with Session(catalog) as session:
        stats = catalog_statistics(session, as_of=AS_OF)
        shushan = catalog_statistics(session, as_of=AS_OF, department_code="SCJG-340104")
    assert stats.coverage_by_department == [
        Coverage("SCJG-3401", 2, 1, 2, 1),
        Coverage("SCJG-340104", 2, 1, 0, 0),  # D uncovered there: JC-3 was in Wuhu
        Coverage("SCJG-3402", 1, 1, 0, 0),
        Coverage("SThJ-34", 1, 1, 1, 0),
    ]
    assert stats.coverage_by_department[2].sub_ratio is None
    assert stats.by_department == {"SCJG-3401": 4, "SCJG-340104": 2, "SCJG-3402": 1, "SThJ-34": 2}
    assert "SCJG" not in stats.by_department  # never under the ministry's code
    assert stats.by_level == {"city": 5, "county": 2, "province": 2}
    assert stats.by_manner == {"专项检查": 1, "双随机抽查": 6, "日常检查": 1}
    assert shushan.by_department == {"SCJG-340104": 2}
    assert shushan.total == Coverage("all", 2, 1, 0, 0)


def test_coverage_by_region_at_every_level(catalog: Engine) -> None:
    with Session(catalog) as session:
        stats = catalog_statistics(session, as_of=AS_OF)
    rows = {row.group: row for row in stats.coverage_by_region}
    levels = [row.level for row in stats.coverage_by_region]
    assert levels == sorted(levels, key=["province", "city", "county"].index)
    assert levels.count("province") == 1 and levels.count("city") == 16  # C is the province's
    assert levels.count("county") == sum(
        1 for region in load_regions() if region.code.startswith("34") and region.level == "county"
    )
    assert rows["340000"] == Coverage("340000", 5, 3, 3, 1, "province")
    assert rows["340100"] == Coverage("340100", 5, 1, 3, 1, "city")  # D and K via Shushan
    assert rows["340200"] == Coverage("340200", 2, 2, 1, 0, "city")
    assert rows["341000"] == Coverage("341000", 1, 0, 1, 0, "city")
    assert rows["340104"] == Coverage("340104", 5, 1, 3, 1, "county")
    assert rows["340202"] == Coverage("340202", 2, 1, 1, 0, "county")  # JC-3 was the city's
    assert rows["340102"] == Coverage("340102", 3, 0, 3, 0, "county")


def test_statistics_narrow_to_a_department_and_an_area(catalog: Engine) -> None:
    with Session(catalog) as session:
        stats = catalog_statistics(
            session, as_of=AS_OF, department_code="SCJG-3401", region_prefix="3401"
        )
    assert stats.total == Coverage("all", 2, 1, 2, 1)
    assert stats.coverage_by_region[0] == Coverage("340100", 2, 1, 2, 1, "city")
    assert {row.group[:4] for row in stats.coverage_by_region} == {"3401"}
    assert {row.level for row in stats.coverage_by_region[1:]} == {"county"}
    rows = {row.group: row for row in stats.coverage_by_region}
    assert rows["340104"] == Coverage("340104", 2, 1, 2, 1, "county")


def test_the_window_is_twelve_calendar_months() -> None:
    assert twelve_months_before(datetime(2028, 2, 29, 12, 0)) == datetime(2027, 2, 28, 12, 0)
