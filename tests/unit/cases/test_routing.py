"""Routing by declarative rules: first match wins, the dispatch catalog is respected, every
decision explained; cases that cannot be routed say why."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hub.cases import routing
from hub.cases.routing import route, routing_rules, triage_reason
from hub.errors import ConfigurationError
from hub.store.models.cases import Case
from hub.store.models.catalog import CatalogItem
from hub.store.models.entities import RegulatedEntity

RECEIVED = datetime(2026, 5, 11, 2, tzinfo=UTC)


def _case(**fields: object) -> Case:
    values: dict[str, object] = {
        "tracking_no": "T1",
        "source": "hotline_12345",
        "kind": "complaint",
        "received_at": RECEIVED,
        "category_code": "food_safety",
        "region_code": "340104",
        "title": "反映某超市销售过期食品",
        "content": "要求核实处理",
    }
    values.update(fields)
    return Case(**values)


def test_the_shipped_rules_are_valid() -> None:
    names = [rule.name for rule in routing_rules()]
    assert len(names) == len(set(names)) and "market-supervision-by-area" in names


def test_a_market_complaint_goes_to_the_county_market_regulator(sqlite_engine: Engine) -> None:
    with Session(sqlite_engine) as session:
        routing = route(session, _case())
    assert (routing.department_code, routing.rule) == ("SCJG-340104", "market-supervision-by-area")
    assert "elevator-keyword: keywords not matched" in routing.explanation
    assert "business-registering-department: target not matched" in routing.explanation
    assert routing.explanation.endswith("routed to SCJG-340104 (SCJG at county level)")


def test_keywords_come_first_and_levels_pick_the_area(sqlite_engine: Engine) -> None:
    with Session(sqlite_engine) as session:
        elevator = route(session, _case(category_code="special_equipment", title="电梯困人"))
        environment = route(session, _case(category_code="environment", title="排放刺鼻气体"))
    assert (elevator.rule, elevator.department_code) == ("elevator-keyword", "SCJG-340104")
    assert environment.department_code == "SThJ-3401"  # environment: city level


def test_a_rule_whose_department_does_not_accept_the_category_is_passed_over(
    sqlite_engine: Engine,
) -> None:
    # "电梯" in a construction complaint: the keyword rule would send it to SCJG, whose
    # dispatch catalog does not list construction, so the construction rule routes it.
    with Session(sqlite_engine) as session:
        routing = route(session, _case(category_code="construction", title="工地电梯夜间施工"))
    assert "elevator-keyword: SCJG does not accept construction" in routing.explanation
    assert (routing.rule, routing.department_code) == ("construction-county", "ZFJS-340104")


def test_the_registering_department_handles_its_business(sqlite_engine: Engine) -> None:
    with Session(sqlite_engine) as session, session.begin():
        session.add(
            RegulatedEntity(
                uscc="91340100MA2N0AAA0A",
                name="合肥某超市有限公司",
                region_code="340102",
                registration_authority="合肥市瑶海区市场监督管理局",
                content_hash="0" * 32,
            )
        )
        session.flush()
        routing = route(session, _case(target_uscc="91340100MA2N0AAA0A"))
        unknown = route(session, _case(target_uscc="91340100MA2N0ZZZ0Z"))
    assert (routing.rule, routing.department_code) == (
        "business-registering-department",
        "SCJG-340102",
    )
    assert "registered by 合肥市瑶海区市场监督管理局" in routing.explanation
    assert "is not in the entity library" in unknown.explanation
    assert unknown.department_code == "SCJG-340104"  # the next rule, by area


def test_a_matched_catalog_item_routes_to_its_department_line(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog_rule = next(rule for rule in routing_rules() if rule.when.get("catalog_item"))
    monkeypatch.setattr(routing, "routing_rules", lambda: (catalog_rule,))
    with Session(sqlite_engine) as session, session.begin():
        session.add(
            CatalogItem(
                code="34050100010000",
                name="对道路运输车辆超载行为的检查",
                department_code="JTYS-34",
                status="published",
                content_hash="0" * 32,
            )
        )
        session.flush()
        matched = route(session, _case(category_code="road_transport", title="货车超载"))
        unmatched = route(session, _case(category_code="pricing", title="未明码标价"))
    assert (matched.rule, matched.department_code) == ("supervision-catalog-item", "JTYS-340104")
    assert "catalog item 34050100010000" in matched.explanation
    assert unmatched.department_code is None
    assert unmatched.triage_reason == "no routing rule matched"


def test_a_rule_remembers_its_verdicts_by_whether_the_catalog_item_is_there(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rules keep their verdicts for as long as they are loaded, across lookups and
    stores: the same kind of case routes differently once its catalog item is published."""
    catalog_rule = next(rule for rule in routing_rules() if rule.when.get("catalog_item"))
    monkeypatch.setattr(routing, "routing_rules", lambda: (catalog_rule,))
    case = _case(category_code="road_transport", title="货车超载")
    with Session(sqlite_engine) as session, session.begin():
        before = route(session, case)
        session.add(
            CatalogItem(
                code="34050100010000",
                name="对道路运输车辆超载行为的检查",
                department_code="JTYS-34",
                status="published",
                content_hash="0" * 32,
            )
        )
        session.flush()
        after = route(session, case)
    assert before.department_code is None
    assert "catalog item not matched" in before.explanation
    assert (after.rule, after.department_code) == ("supervision-catalog-item", "JTYS-340104")


def test_cases_that_cannot_be_routed_say_why() -> None:
    assert triage_reason(_case(), has_contact=True) is None
    assert triage_reason(_case(category_code=None, category_text="其他"), True) == (
        "unknown category: '其他'"
    )
    assert triage_reason(_case(region_code=None), True) == "no region"
    assert triage_reason(_case(region_code="350102"), True) == (
        "outside the province: region 350102 is not 34xxxx"
    )
    assert triage_reason(_case(), has_contact=False) == "no contact details"


def test_routing_many_cases_with_shared_lookups_decides_what_routing_each_alone_does(
    sqlite_engine: Engine,
) -> None:
    cases = [
        _case(),
        _case(category_code="special_equipment", title="电梯困人"),
        _case(category_code="special_equipment", title="锅炉冒烟"),  # no elevator keyword
        _case(region_code="340202"),
        _case(source="platform_12315"),
        _case(),
    ]
    with Session(sqlite_engine) as session:
        alone = [route(session, case) for case in cases]
        lookups = routing.RoutingLookups(session)
        shared = [routing.route_with(lookups, case) for case in cases]
    assert [(r.department_code, r.rule, r.explanation) for r in shared] == [
        (r.department_code, r.rule, r.explanation) for r in alone
    ]
    assert shared[1].rule == "elevator-keyword" and shared[2].rule != "elevator-keyword"


def test_two_rules_of_one_name_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    rule = {"name": "twice", "when": {"categories": ["food_safety"]}, "to": {"line": "SCJG"}}
    monkeypatch.setattr(routing, "read_yaml", lambda name: {"rules": [rule, rule]})
    routing.routing_rules.cache_clear()
    try:
        with pytest.raises(ConfigurationError, match="twice: a second rule of that name"):
            routing.routing_rules()
    finally:
        routing.routing_rules.cache_clear()
