"""审批联动 routing: 谁审批、谁监管 for a licence, 谁主管、谁监管 by the business otherwise."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hub.catalog.dictionaries import department
from hub.collaboration.routing import LicensingFacts, route


def test_a_licence_is_supervised_by_the_line_that_approved_it_in_its_area() -> None:
    food = route(LicensingFacts("食品经营许可", "SCJG-340104"))
    assert (food.department_code, food.rule) == ("SCJG-340104", "approval")
    freight = route(LicensingFacts("道路货物运输经营许可", "JTYS-3404"))
    assert freight.department_code == "JTYS-3404"
    assert "谁审批、谁监管" in freight.explanation


def test_a_business_registration_goes_to_the_line_competent_for_the_business() -> None:
    restaurant = route(LicensingFacts("企业设立登记", "SCJG-340104", industry_code="62"))
    assert (restaurant.department_code, restaurant.rule) == ("SCJG-340104", "competent")
    haulier = route(
        LicensingFacts("企业设立登记", "SCJG-340104", entity_name="合肥顺达物流有限公司")
    )
    assert haulier.department_code == "JTYS-3401", "transport has no county bureaus: the city's"
    assert "谁主管、谁监管" in haulier.explanation


def test_the_industry_code_decides_before_the_name() -> None:
    routed = route(
        LicensingFacts("企业设立登记", "SCJG-340104", industry_code="54", entity_name="示例餐饮店")
    )
    assert routed.department_code == "JTYS-3401"


def test_anything_else_falls_back_to_the_catalog_rule() -> None:
    routed = route(LicensingFacts("某项未列明的许可", "WSJK-3401"))
    assert (routed.department_code, routed.rule) == ("WSJK-3401", "competent")


ACCEPTING = ["SCJG-340104", "SCJG-3401", "JTYS-3404", "SThJ-3402", "WSJK-340102", "YJGL-3401"]


@given(
    item=st.text(max_size=30),
    accepting=st.sampled_from(ACCEPTING),
    industry=st.one_of(st.none(), st.sampled_from(["62", "54", "26", "90", "A", "01"])),
    name=st.one_of(st.none(), st.text(max_size=20)),
)
def test_every_case_gets_a_known_department_of_the_accepting_area(
    item: str, accepting: str, industry: str | None, name: str | None
) -> None:
    routed = route(LicensingFacts(item, accepting, industry_code=industry, entity_name=name))
    chosen = department(routed.department_code)
    assert chosen.region_code is not None
    assert department(accepting).region_code.startswith(chosen.area_prefix)  # type: ignore[union-attr]
    assert routed.rule in ("approval", "competent") and routed.explanation
    assert routed.department_code != "SJZY-34", "a known accepting department is always placed"


def test_a_case_no_rule_can_place_goes_to_the_dispatching_centre() -> None:
    routed = route(LicensingFacts("食品经营许可", "XXXX-9999"))
    assert (routed.department_code, routed.rule) == ("SJZY-34", "manual")
    assert "XXXX" in routed.explanation
