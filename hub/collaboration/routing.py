"""审批联动 routing: which department supervises a licensing case, and why.

The rules are data (``standards/collaboration/approval_routing.yaml``, its header says the
order): 谁审批、谁监管 for a licence, 谁主管、谁监管 by the business (industry code, then a
keyword of its name) for a business registration, and the catalog's rule
(:func:`hub.catalog.responsibility.decide`) for anything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

import standards
from hub.catalog.dictionaries import department
from hub.catalog.errors import UnknownDepartment
from hub.catalog.responsibility import APPROVAL, COMPETENT, decide
from hub.store.models.catalog import CatalogItem

MANUAL = "manual"
RULES_PATH = Path(standards.__file__).resolve().parent / "collaboration" / "approval_routing.yaml"


@dataclass(frozen=True)
class RoutingRules:
    registration_items: tuple[str, ...]
    licensing_items: tuple[tuple[str, str], ...]
    industries: dict[str, str]
    business_keywords: tuple[tuple[str, str], ...]
    county_lines: frozenset[str]
    unroutable: str


@dataclass(frozen=True)
class Routed:
    """The responsible department, the principle applied and the explanation."""

    department_code: str
    rule: str
    explanation: str


@dataclass(frozen=True)
class LicensingFacts:
    """What routing looks at in a licensing case."""

    item_name: str
    accepting_department: str
    industry_code: str | None = None
    entity_name: str | None = None


@cache
def routing_rules(path: Path = RULES_PATH) -> RoutingRules:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return RoutingRules(
        registration_items=tuple(document["registration_items"]),
        licensing_items=tuple((str(k), str(v)) for k, v in document["licensing_items"].items()),
        industries={str(k): str(v) for k, v in document["industries"].items()},
        business_keywords=tuple((str(k), str(v)) for k, v in document["business_keywords"].items()),
        county_lines=frozenset(document["county_lines"]),
        unroutable=str(document["unroutable"]),
    )


def route(facts: LicensingFacts, rules: RoutingRules | None = None) -> Routed:
    """The department responsible for supervising the case (see the rules file's order), or
    the dispatching centre when the accepting department is not a known code."""
    rules = rules or routing_rules()
    try:
        return _by_rule(facts, rules)
    except UnknownDepartment as error:
        return Routed(
            rules.unroutable, MANUAL, f"no rule applies ({error}): re-routed by hand (改派)"
        )


def _by_rule(facts: LicensingFacts, rules: RoutingRules) -> Routed:
    item = facts.item_name
    registration = any(name in item for name in rules.registration_items)
    if not registration:
        for name, line in rules.licensing_items:
            if name in item:
                return _in_area(
                    line, facts, rules, APPROVAL, f"谁审批、谁监管: {name} is approved by {line}"
                )
    industry = (facts.industry_code or "").strip().upper()
    if industry in rules.industries:
        line = rules.industries[industry]
        return _in_area(
            line, facts, rules, COMPETENT, f"谁主管、谁监管: industry {industry} is {line}'s"
        )
    for keyword, line in rules.business_keywords:
        if keyword in (facts.entity_name or ""):
            return _in_area(
                line, facts, rules, COMPETENT, f"谁主管、谁监管: a {keyword} business is {line}'s"
            )
    decided = decide(
        CatalogItem(
            name=item,
            licensing_item=None if registration else item,
            objects=facts.entity_name,
            department_code=facts.accepting_department,
        )
    )
    return Routed(decided.department_code, decided.rule, decided.explanation)


def _in_area(
    line: str, facts: LicensingFacts, rules: RoutingRules, rule: str, explanation: str
) -> Routed:
    """``line`` in the accepting department's area; at the city level when ``line`` has no
    county bureaus."""
    accepting = department(facts.accepting_department)
    area = accepting.area_prefix
    if len(area) > 4 and line not in rules.county_lines:
        area = area[:4]
    return Routed(department(f"{line}-{area}" if area else line).code, rule, explanation)
