"""Who supervises an item: 谁审批、谁监管 and 谁主管、谁监管 (DOMAIN.md, confirmed principle).

The rule, applied whenever an item is created or edited:

1. **谁审批、谁监管** (``approval``): an item that follows a licence (``licensing_item``) is
   supervised by the line that approves that licence;
2. **谁主管、谁监管** (``competent``): otherwise by the line competent for its objects (the
   first keyword of ``standards/catalog/responsibility.json`` found in the objects or name);
3. otherwise by the item's own department, as its competent authority.

The line is taken in the item's department's area (SCJG in the area of ``SThJ-3401`` is
``SCJG-3401``). Which line approves which licence and is competent for what is data, since
each province's 三定 assignments differ. A person may override the rule with a reason
(``override``); the override stays until :func:`restore_rule` and is versioned like any change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from sqlalchemy.orm import Session

from hub.catalog.dictionaries import CATALOG_STANDARDS, Department, department
from hub.catalog.errors import CatalogRefused, UnknownDepartment
from hub.catalog.versions import Actor, ensure_baseline, record_change, require_reason
from hub.store.models.catalog import CatalogItem

APPROVAL, COMPETENT, OVERRIDE = "approval", "competent", "override"


@dataclass(frozen=True)
class Responsibility:
    """The responsible department, the rule that chose it and why."""

    department_code: str
    rule: str
    explanation: str


@dataclass(frozen=True)
class _Rules:
    licensing_items: dict[str, str]
    competent_authorities: tuple[tuple[str, str], ...]


@cache
def _rules() -> _Rules:
    document = json.loads((CATALOG_STANDARDS / "responsibility.json").read_text("utf-8"))
    return _Rules(
        licensing_items=dict(document["licensing_items"]),
        competent_authorities=tuple(
            (row["keyword"], row["line"]) for row in document["competent_authorities"]
        ),
    )


def _in_area(line: str, home: Department) -> str:
    return f"{line}-{home.area_prefix}" if home.area_prefix else line


def decide(item: CatalogItem) -> Responsibility:
    """The department the rule makes responsible for ``item`` (see the module docstring)."""
    home = department(item.department_code)
    rules = _rules()
    licence = (item.licensing_item or "").strip()
    approving = rules.licensing_items.get(licence)
    if approving is not None:
        return Responsibility(
            _in_area(approving, home),
            APPROVAL,
            f"谁审批、谁监管: {licence} is approved by {approving}",
        )
    text = f"{item.objects or ''} {item.name}"
    for keyword, line in rules.competent_authorities:
        if keyword in text:
            return Responsibility(
                _in_area(line, home),
                COMPETENT,
                f"谁主管、谁监管: {keyword} is in the remit of {line}",
            )
    return Responsibility(
        home.code, COMPETENT, "谁主管、谁监管: the item's own department is its competent authority"
    )


def apply_rule(item: CatalogItem) -> None:
    """Set the responsible department by the rule, unless a person overrode it."""
    if item.responsibility_rule == OVERRIDE:
        return
    decided = decide(item)
    item.responsible_department = decided.department_code
    item.responsibility_rule = decided.rule
    item.responsibility_reason = decided.explanation


def override(
    session: Session, item: CatalogItem, department_code: str, *, actor: Actor, reason: str
) -> CatalogItem:
    """Make ``department_code`` responsible regardless of the rule, saying why."""
    why = require_reason(reason, "overriding the responsible department")
    chosen = department(department_code)
    if item.region_code and not chosen.covers(item.region_code):
        raise UnknownDepartment(
            f"department {chosen.code} does not cover the item's region {item.region_code}"
        )
    ensure_baseline(session, item)
    item.responsible_department = chosen.code
    item.responsibility_rule = OVERRIDE
    item.responsibility_reason = why
    record_change(session, item, action="responsibility", actor=actor, reason=why)
    return item


def restore_rule(session: Session, item: CatalogItem, *, actor: Actor, reason: str) -> CatalogItem:
    """Drop an override: the rule decides again."""
    why = require_reason(reason, "restoring the responsibility rule")
    if item.responsibility_rule != OVERRIDE:
        raise CatalogRefused(f"catalog item {item.code} has no overridden responsibility")
    ensure_baseline(session, item)
    item.responsibility_rule = None
    apply_rule(item)
    record_change(session, item, action="responsibility", actor=actor, reason=why)
    return item
