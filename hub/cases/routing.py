"""Routing a complaint case to the department that handles it, by declarative rules.

Rules are ``standards/cases/routing.yaml`` (its header explains every condition and target);
what each department line accepts is ``standards/cases/dispatch_catalog.yaml`` (派单目录).
Rules are tried in file order: the first that matches the case and yields a department that
accepts the case's category wins. ``Routing.explanation`` says which rule routed the case
and why the rules before it did not, so that a dispatcher can see why a case went where it
went; when none routes it, the case goes to manual triage with that explanation.

Before any rule, ``triage_reason`` decides whether the case can be routed at all: an unknown
category, a region outside the province (or none), no contact details at all.

What the rules read from the store (the business's registration authority, the matched
catalog item) comes through ``RoutingLookups``, which remembers every answer: the intake
loads a whole chunk's businesses in one query (``prefetch_entities``) and then routes the
chunk in memory.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hub.cases.categories import categories
from hub.cases.settings import case_settings, read_yaml
from hub.catalog.dictionaries import department, department_lines
from hub.catalog.errors import UnknownDepartment
from hub.errors import ConfigurationError
from hub.store.bulk import among
from hub.store.models.catalog import CatalogItem
from hub.store.models.entities import RegulatedEntity

LEVEL_DIGITS = {"province": 2, "city": 4, "county": 6}
CONDITIONS = frozenset(
    {
        "categories",
        "groups",
        "regions",
        "keywords",
        "sources",
        "kinds",
        "has_target",
        "catalog_item",
    }
)
TARGETS = frozenset({"department", "line", "level", "registering_department"})


class RoutableCase(Protocol):
    """What routing reads of a case (a stored ``Case`` or the intake's draft of one)."""

    @property
    def category_code(self) -> str | None: ...
    @property
    def category_text(self) -> str | None: ...
    @property
    def region_code(self) -> str | None: ...
    @property
    def title(self) -> str | None: ...
    @property
    def content(self) -> str | None: ...
    @property
    def source(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def target_uscc(self) -> str | None: ...


@dataclass(frozen=True)
class EntityFacts:
    """What routing needs of a business in the entity library."""

    region_code: str | None
    registration_authority: str | None


@dataclass(frozen=True)
class CatalogItemFacts:
    """What routing needs of a supervision catalog item (监管事项)."""

    code: str
    name: str
    department_code: str


class RoutingLookups:
    """The store facts routing reads, each asked once and remembered (per session use)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._entities: dict[str, EntityFacts | None] = {}
        self._items: dict[str, CatalogItemFacts | None] = {}
        self._registering: dict[tuple[str, str], tuple[str | None, str]] = {}
        self._departments: dict[str, str] = {}

    def prefetch_entities(self, usccs: Collection[str]) -> None:
        """Load the businesses of ``usccs`` in one query (those not known are remembered as
        missing)."""
        wanted = sorted(set(usccs) - self._entities.keys())
        if not wanted:
            return
        rows = self.session.execute(
            select(
                RegulatedEntity.uscc,
                RegulatedEntity.region_code,
                RegulatedEntity.registration_authority,
            ).where(among(self.session, RegulatedEntity.uscc, wanted))
        ).all()
        self._entities.update(dict.fromkeys(wanted))
        for uscc, region, authority in rows:
            self._entities[uscc] = EntityFacts(region, authority)

    def entity(self, uscc: str) -> EntityFacts | None:
        if uscc not in self._entities:
            self.prefetch_entities([uscc])
        return self._entities[uscc]

    def department_code(self, code: str) -> str:
        """``code`` checked and written as ``department`` writes it."""
        if code not in self._departments:
            self._departments[code] = department(code).code
        return self._departments[code]

    def catalog_item(self, category_code: str | None) -> CatalogItemFacts | None:
        """The first published catalog item (by code) whose name holds a keyword of the
        category: the supervision item (监管事项) a complaint of that category is about."""
        code = category_code or ""
        if code not in self._items:
            self._items[code] = self._find_catalog_item(code)
        return self._items[code]

    def _find_catalog_item(self, category_code: str) -> CatalogItemFacts | None:
        category = categories().get(category_code)
        if category is None:
            return None
        row = self.session.execute(
            select(CatalogItem.code, CatalogItem.name, CatalogItem.department_code)
            .where(
                CatalogItem.status == "published",
                or_(
                    *(
                        CatalogItem.name.contains(word, autoescape=True)
                        for word in category.keywords
                    )
                ),
            )
            .order_by(CatalogItem.code)
            .limit(1)
        ).first()
        return None if row is None else CatalogItemFacts(row[0], row[1], row[2])

    def registering_department(self, uscc: str | None) -> tuple[str | None, str]:
        """The department whose name is the business's registration authority (登记机关),
        and how it was found (or why not)."""
        if not uscc:
            return None, "no business named"
        entity = self.entity(uscc)
        if entity is None:
            return None, f"business {uscc} is not in the entity library"
        authority = (entity.registration_authority or "").strip()
        if not authority or not entity.region_code:
            return None, f"business {uscc} has no registration authority or region"
        key = (authority, entity.region_code)
        if key not in self._registering:
            self._registering[key] = _authority_department(authority, entity.region_code)
        return self._registering[key]


@dataclass(frozen=True)
class Rule:
    name: str
    when: Mapping[str, Any]
    to: Mapping[str, Any]
    verdicts: dict[tuple[Any, ...], str | None] = field(
        default_factory=dict, compare=False, repr=False
    )
    """Why the rule does not match each kind of case (see ``_mismatch``), remembered for as
    long as the rules are loaded."""


@dataclass
class Routing:
    """Where a case goes: a department and the rule, or no department and the triage reason."""

    department_code: str | None = None
    rule: str | None = None
    triage_reason: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def explanation(self) -> str:
        return "; ".join(self.notes)


@cache
def routing_rules() -> tuple[Rule, ...]:
    """The rules of ``routing.yaml``, checked: unknown conditions or targets, and a name used
    twice, are refused."""
    rules: list[Rule] = []
    problems = []
    for index, entry in enumerate(read_yaml("routing.yaml")["rules"]):
        name = entry.get("name") or f"rule {index + 1}"
        when, to = dict(entry.get("when", {})), dict(entry.get("to", {}))
        if unknown := sorted(set(when) - CONDITIONS):
            problems.append(f"{name}: unknown condition(s) {', '.join(unknown)}")
        if unknown := sorted(set(to) - TARGETS):
            problems.append(f"{name}: unknown target(s) {', '.join(unknown)}")
        if to.get("level", "county") not in LEVEL_DIGITS:
            problems.append(f"{name}: level must be one of {', '.join(LEVEL_DIGITS)}")
        if any(rule.name == name for rule in rules):
            problems.append(f"{name}: a second rule of that name (cases record the rule's name)")
        rules.append(Rule(name=name, when=when, to=to))
    if problems:
        raise ConfigurationError("standards/cases/routing.yaml: " + "; ".join(problems))
    return tuple(rules)


@cache
def dispatch_catalog() -> dict[str, frozenset[str]]:
    """Category codes each department line accepts."""
    return {
        line: frozenset(codes)
        for line, codes in read_yaml("dispatch_catalog.yaml")["lines"].items()
    }


def triage_reason(case: RoutableCase, has_contact: bool) -> str | None:
    """Why ``case`` cannot be routed by rule (``kind: detail``), or None when it can."""
    province = case_settings().province_region_prefix
    if case.category_code is None:
        return f"unknown category: {case.category_text!r}" if case.category_text else "no category"
    if not case.region_code:
        return "no region"
    if not case.region_code.startswith(province):
        return f"outside the province: region {case.region_code} is not {province}xxxx"
    if not has_contact:
        return "no contact details"
    return None


def route(session: Session, case: RoutableCase) -> Routing:
    """The first rule's department for ``case`` (see the module docstring)."""
    return route_with(RoutingLookups(session), case)


def route_with(lookups: RoutingLookups, case: RoutableCase) -> Routing:
    """``route`` with the store's facts read through ``lookups`` (shared across cases)."""
    routing = Routing()
    for rule in routing_rules():
        if (mismatch := _mismatch(lookups, rule, case)) is not None:
            routing.notes.append(f"{rule.name}: {mismatch}")
            continue
        target, why = _target(lookups, rule, case)
        if target is None:
            routing.notes.append(f"{rule.name}: matched, but {why}")
            continue
        line = target.partition("-")[0]
        if case.category_code not in dispatch_catalog().get(line, frozenset()):
            routing.notes.append(f"{rule.name}: {line} does not accept {case.category_code}")
            continue
        routing.department_code, routing.rule = target, rule.name
        routing.notes.append(f"{rule.name}: routed to {target} ({why})")
        return routing
    routing.triage_reason = "no routing rule matched"
    return routing


def _mismatch(lookups: RoutingLookups, rule: Rule, case: RoutableCase) -> str | None:
    """Why ``rule`` does not match ``case``, or None when every condition holds; remembered
    in the rule by what the conditions read, since most complaints share it."""
    when = rule.when
    mentioned = has_item = None
    if "keywords" in when:
        text = f"{case.title or ''} {case.content or ''}"
        mentioned = any(word in text for word in when["keywords"])
    if when.get("catalog_item"):
        has_item = lookups.catalog_item(case.category_code) is not None
    key = (
        case.category_code,
        case.region_code,
        case.source,
        case.kind,
        bool(case.target_uscc),
        mentioned,
        has_item,
    )
    if key not in rule.verdicts:
        rule.verdicts[key] = _conditions_failed(rule, case, mentioned, has_item)
    return rule.verdicts[key]


def _conditions_failed(
    rule: Rule, case: RoutableCase, mentioned: bool | None, has_item: bool | None
) -> str | None:
    when = rule.when
    category = categories().get(case.category_code or "")
    checks: list[tuple[str, bool]] = [
        ("category", "categories" not in when or case.category_code in when["categories"]),
        (
            "group",
            "groups" not in when or (category is not None and category.group in when["groups"]),
        ),
        (
            "region",
            "regions" not in when
            or any((case.region_code or "").startswith(str(p)) for p in when["regions"]),
        ),
        ("keywords", mentioned is not False),
        ("source", "sources" not in when or case.source in when["sources"]),
        ("kind", "kinds" not in when or case.kind in when["kinds"]),
        ("target", not when.get("has_target") or bool(case.target_uscc)),
        ("catalog item", has_item is not False),
    ]
    failed = [name for name, holds in checks if not holds]
    return f"{', '.join(failed)} not matched" if failed else None


def _target(lookups: RoutingLookups, rule: Rule, case: RoutableCase) -> tuple[str | None, str]:
    """The department ``rule`` sends ``case`` to, and how it was found (or why not)."""
    to = rule.to
    if "department" in to:
        return str(to["department"]), "fixed department"
    if to.get("registering_department"):
        return lookups.registering_department(case.target_uscc)
    line = to.get("line")
    why = f"{line} at {to.get('level', 'county')} level"
    if line is None and rule.when.get("catalog_item"):
        item = lookups.catalog_item(case.category_code)
        if item is None:
            return None, "no catalog item"
        line = item.department_code.partition("-")[0]
        why = f"catalog item {item.code} ({item.name}) is {line}'s"
    if line is None:
        return None, "the rule names no department or line"
    return area_department(str(line), case.region_code, to.get("level", "county")), why


@cache
def area_department(line: str, region_code: str | None, level: str) -> str | None:
    """``SCJG-3401`` for line SCJG, region 340104 and level city; None if not a known area."""
    if not region_code:
        return None
    code = f"{line}-{region_code[: LEVEL_DIGITS[level]]}"
    try:
        return department(code).code
    except UnknownDepartment:
        return None


def _authority_department(authority: str, region_code: str) -> tuple[str | None, str]:
    for line in department_lines():
        for level in ("county", "city", "province"):
            code = area_department(line, region_code, level)
            if code is not None and authority.endswith(department(code).default_name()):
                return code, f"registered by {authority}"
    return None, f"registration authority {authority!r} is no department the hub knows"
