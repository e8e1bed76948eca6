"""The catalog's import guards as rules that always hold (hypothesis): a reference is accepted
exactly when its department is local and covers its region; a row is refused for an item the
hub changed exactly when it changes one of its elements, and never for an item it did not."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hub.catalog.import_guards import hub_items_changed, national_items_changed, reference_problem
from hub.catalog.versions import ITEM_FIELDS
from hub.store.models.catalog import CatalogItem
from tests.catalog_support import national_item, publish_new

DEPARTMENTS = ["SCJG", "SCJG-34", "SCJG-3401", "SCJG-340104", "SThJ-3402", "HBJ-3401", "SCJG-9901"]
REGIONS = ["340000", "340100", "340104", "340200", "340202", "349999", "3401", "340104001000"]
COVERING = {
    "SCJG-34": {"340000", "340100", "340104", "340200", "340202", "340104001000"},
    "SCJG-3401": {"340100", "340104", "340104001000"},
    "SCJG-340104": {"340104", "340104001000"},
    "SThJ-3402": {"340200", "340202"},
}
CHANGES: dict[str, Any] = {
    "name": "另一个名称",
    "measures": "书面检查",
    "objects": "其他经营者",
    "legal_basis": "《另一条例》第一条",
    "status": "withdrawn",
    "supervision_manner": "专项检查",
}


@given(st.sampled_from(DEPARTMENTS), st.sampled_from(REGIONS))
def test_a_reference_is_accepted_exactly_when_the_department_covers_the_region(
    department_code: str, region_code: str
) -> None:
    problem = reference_problem({"department_code": department_code, "region_code": region_code})
    assert (problem is None) == (region_code in COVERING.get(department_code, set()))


def _row_of(item: CatalogItem, changed: dict[str, Any]) -> dict[str, Any]:
    row = {name: getattr(item, name) for name in ITEM_FIELDS if name != "responsible_department"}
    return {**row, **changed, "source_version": "2026-06-20T02:00:00Z"}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.dictionaries(st.sampled_from(sorted(CHANGES)), st.just(None)).map(
    lambda keys: {name: CHANGES[name] for name in keys}
))  # fmt: skip
def test_an_item_the_hub_changed_is_refused_exactly_when_a_row_changes_it(
    engine: Engine, changed: dict[str, Any]
) -> None:
    with Session(engine) as session:
        published = publish_new(session)
        untouched = national_item(session)
        rows = {
            ("published",): _row_of(published, changed),
            ("national",): _row_of(untouched, changed),
        }
        for guard in (hub_items_changed, national_items_changed):
            refused = guard(session, rows)
            assert set(refused) == ({("published",)} if changed else set())
            if changed:
                reason = refused[("published",)]
                assert reason.startswith("published_item_changed: ")
                assert all(name in reason for name in changed)
        session.rollback()
