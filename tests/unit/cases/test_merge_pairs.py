"""并单: every pair of ``standards/cases/merge_pairs.yaml`` merges, or stays apart, as stated."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hub.cases.intake import take_in
from hub.cases.merging import bigrams, similarity
from hub.cases.settings import CASES_DIR
from hub.store.models.cases import Case, CaseComplaint
from tests.unit.cases.complaints import RECEIVED, store_complaint

PAIRS = yaml.safe_load((CASES_DIR / "merge_pairs.yaml").read_text(encoding="utf-8"))["pairs"]


def _fields(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "source": spec["source"],
        "category": spec["category"],
        "title": spec["title"],
        "content": spec["content"],
        "complainant_phone": spec.get("phone"),
        "target_uscc": spec.get("target_uscc"),
        "address": spec.get("address"),
        "region_code": spec.get("region_code", "340104"),
    }


def test_the_fixture_holds_pairs_of_both_kinds() -> None:
    expectations = [pair["expect"] for pair in PAIRS]
    assert expectations.count("merge") >= 3 and expectations.count("separate") >= 4


@pytest.mark.parametrize("pair", PAIRS, ids=[pair["why"] for pair in PAIRS])
def test_a_pair_merges_or_not_as_the_fixture_says(
    sqlite_engine: Engine, pair: dict[str, Any]
) -> None:
    with Session(sqlite_engine) as session, session.begin():
        first = store_complaint(session, **_fields(pair["first"]), received_at=RECEIVED)
        second = store_complaint(
            session,
            **_fields(pair["second"]),
            received_at=RECEIVED + timedelta(days=pair["days_apart"]),
        )
        first_case = take_in(session, first)
        second_case = take_in(session, second)
        merged = first_case.id == second_case.id
        assert merged == (pair["expect"] == "merge"), pair["why"]
        assert session.scalar(select(func.count()).select_from(Case)) == (1 if merged else 2)
        links = session.scalars(select(CaseComplaint).order_by(CaseComplaint.id)).all()
        assert [link.complaint_id for link in links] == [first.id, second.id]  # originals kept
        if merged:
            assert links[1].relation == "merged" and links[1].blocking_key is not None
            assert links[1].similarity is not None and links[1].similarity >= 55


def test_the_measure_is_order_insensitive_and_bounded() -> None:
    assert bigrams("过期食品！") == "过期 期食 食品"
    assert similarity("过期食品", "过期食品") == 100.0
    assert similarity("甲乙丙丁", "戊己庚辛") < 30  # only the spaces between bigrams agree
    assert similarity("超市卖过期食品", "过期食品超市卖") == similarity(
        "过期食品超市卖", "超市卖过期食品"
    )
