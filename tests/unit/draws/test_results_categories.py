"""The result dictionary agrees with the inspection channels and with the publicity message."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from hub.draws.publication import publication_key, publication_message
from hub.draws.result_categories import category_label, result_categories
from hub.store.models.actions import Inspection
from hub.store.models.inspection_results import InspectionResult

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    "mapping", ["inspection_records/inspections.yaml", "departmental_events/inspections.yaml"]
)
def test_the_channels_map_results_to_the_same_codes_and_labels(mapping: str) -> None:
    document = yaml.safe_load((REPO / "mappings" / mapping).read_text(encoding="utf-8"))
    table: dict[str, str] = document["fields"]["result_code"]["table"]

    assert {code: category_label(code) for code in table.values()} == {
        code: label for label, code in table.items()
    }


def test_only_no_problem_and_no_activity_count_as_no_problem() -> None:
    categories = result_categories()

    assert [code for code, c in categories.items() if not c.problem_found] == ["01", "06"]
    assert len({c.label for c in categories.values()}) == len(categories)


def test_an_unknown_or_missing_code_has_no_label() -> None:
    assert category_label("99") is None and category_label(None) is None


def test_the_publicity_message_has_the_fields_the_system_requires() -> None:
    result = InspectionResult(
        id=7,
        draw_id=3,
        entity_uscc="91340100MA0000001X",
        result_number="SSJ-3-91340100MA0000001X-R",
        result_code="05",
        inspection_ended_at=datetime(2026, 3, 10, 16, 30, tzinfo=UTC),  # 00:30 on the 11th
    )
    inspection = Inspection(
        action_number="SSJ-3-91340100MA0000001X", entity_name="合肥市样例餐饮店1"
    )

    message = publication_message(result, inspection, datetime(2026, 3, 12, 1, 0, tzinfo=UTC))

    assert message == {
        "result_number": "SSJ-3-91340100MA0000001X-R",
        "plan_id": "DRAW-3",
        "entity_name": "合肥市样例餐饮店1",
        "entity_uscc": "91340100MA0000001X",
        "inspection_number": "SSJ-3-91340100MA0000001X",
        "inspected_on": "2026-03-11",
        "result_code": "05",
        "result_description": "通过登记的住所（经营场所）无法联系",
        "published_at": "2026-03-12T09:00:00+08:00",
    }
    assert (
        publication_key(result) == "credit_publicity:inspection_result:SSJ-3-91340100MA0000001X-R"
    )
