"""Conflicts: listed from the store, and refused row by row by the import guard."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hub.catalog.conflicts import find_conflicts, import_conflicts
from hub.exchange.guards import known_guards, store_guard
from tests.catalog_support import national_item, publish_new


def _row(code: str, name: str, **values: str) -> dict[str, str]:
    return {
        "code": code,
        "name": name,
        "department_code": "SCJG-3401",
        "legal_basis": "《安徽省价格条例》第二十四条",
        "content_hash": "f" * 32,
        **values,
    }


def test_the_same_name_under_two_codes_of_one_line_is_listed(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        national_item(session)  # 对食品生产经营者的监督检查, SCJG
        national_item(session, "34010100070000", origin="local", department_code="SCJG-34")
        national_item(session, "00030300010000", name="扣押财物", department_code="YJGL")
        national_item(session, "00010300010000", name="扣押财物", department_code="SCJG")
        for main, sub in (
            ("00010300020000", "00010300020001"),
            ("00010300030000", "00010300030001"),
        ):
            national_item(session, main, name=f"强制{main}")
            national_item(session, sub, name="查封场所", parent_code=main, is_main=False)
        national_item(session, "00010300030002", name="查封场所", parent_code="00010300030000")
        national_item(
            session, "34010100080000", status="withdrawn", department_code="SCJG-34", origin="local"
        )
        conflicts = find_conflicts(session)
    assert [(c.kind, c.codes, c.name, c.seen_in) for c in conflicts] == [
        ("same_name", ("00010100010000", "34010100070000"), "对食品生产经营者的监督检查", "store"),
        ("same_name", ("00010300030001", "00010300030002"), "查封场所", "store"),
    ]
    assert conflicts[0].detail == "2 codes for one name of SCJG"
    assert conflicts[1].detail == "2 codes for one name under main item 00010300030000"


def test_the_guard_refuses_each_conflicting_row_and_says_why(engine: Engine) -> None:
    assert "catalog_conflicts" in known_guards()
    assert store_guard("catalog_conflicts").step == "conflict"
    with Session(engine) as session, session.begin():
        published = publish_new(session)  # 34010100010000
        national_item(session, "34010100050000", name="草稿事项", origin="local", status="draft")
        rows = {
            ("1",): _row("34010100090000", "对新事项的检查"),
            ("2",): _row(published.code, "对校外培训机构的检查"),
            ("3",): _row(published.code[:10] + "0009", published.name),
            ("4",): _row("34010100050000", "草稿事项", legal_basis="《另一条例》"),
            ("5",): _row("34010100060000", "同名两码"),
            ("6",): _row("34010100061000", "同名两码"),
            ("7",): _row("34020100060000", "同名两码", department_code="SThJ-3401"),
        }
        refused = import_conflicts(session, rows)
        changed = {
            ("8",): _row(published.code, published.name, content_hash="e" * 32),
            ("9",): _row("34010100050000", "草稿事项", legal_basis=""),
        }
        refused_later = import_conflicts(session, changed)
    assert set(refused) == {("2",), ("3",), ("4",), ("5",), ("6",)}
    assert refused[("2",)] == (
        "same code: 34010100010000 is stored as '对校外培训机构收费行为的监督检查', "
        "this row names it '对校外培训机构的检查'"
    )
    assert refused[("3",)] == (
        "same name: '对校外培训机构收费行为的监督检查' is already item 34010100010000 of SCJG"
    )
    assert refused[("4",)].startswith("same code: 34010100050000 is stored with basis")
    assert (
        refused[("5",)] == "same name: '同名两码' comes with code 34010100061000 in this import too"
    )
    assert list(refused_later) == [("8",)]
    assert refused_later[("8",)].startswith("past draft: 34010100010000 is published")
