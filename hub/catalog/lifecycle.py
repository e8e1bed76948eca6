"""An item's life: draft → submitted → reviewed → published → withdrawn.

Each step is taken by someone, at a time, for a reason, and recorded as a new revision
(:mod:`hub.catalog.versions`) and in the audit log:

==========  ======================  ==========  ========================================
step        from                    to          refused when
==========  ======================  ==========  ========================================
create      -                       draft       unknown department, region or value; code
                                                taken or not of the declared layout
edit        draft, submitted,       draft       withdrawn or national item; nothing
            reviewed, published                 changes; type or department line changes
submit      draft                   submitted
review      submitted               reviewed    (``approved=False`` returns it to draft)
publish     reviewed                published   basis, manner or objects missing; a
                                                sub-item's main item unpublished
withdraw    published               withdrawn
==========  ======================  ==========  ========================================

An edit always returns the item to draft, so that whatever is published has been reviewed
as it stands. ``version`` counts publications: the first is 1, each later one adds one.
National items are changed by the national catalog only; a region claims and localises them
(:mod:`hub.catalog.claims`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.catalog.coding import catalog_code, next_catalog_code, parse_catalog_code
from hub.catalog.dictionaries import Department, check_region, department, dictionary, region_level
from hub.catalog.errors import (
    CatalogRefused,
    DuplicateCode,
    InvalidCode,
    MissingElements,
    TransitionRefused,
    UnknownRegion,
)
from hub.catalog.responsibility import apply_rule
from hub.catalog.versions import Actor, digest, ensure_baseline, record_change, require_reason
from hub.errors import NotFoundError
from hub.store.models.catalog import CatalogItem, CatalogItemVersion

EDITABLE = (
    "name",
    "department_code",
    "department_name",
    "supervision_type",
    "supervision_manner",
    "measures",
    "objects",
    "legal_basis",
    "process",
    "result",
    "level",
    "region_code",
    "source_kind",
    "licensing_item",
)
REQUIRED = ("name", "department_code", "supervision_type")
MAX_NAME = 300
PUBLISH_REQUIRES = {
    "legal_basis": "设定依据",
    "supervision_manner": "监管方式",
    "objects": "监管对象",
}
# step: (statuses it may start from, status it leads to)
TRANSITIONS = {
    "submit": (("draft",), "submitted"),
    "review": (("submitted",), "reviewed"),
    "return": (("submitted",), "draft"),
    "publish": (("reviewed",), "published"),
    "withdraw": (("published",), "withdrawn"),
}


@dataclass(frozen=True)
class ItemDraft:
    """What a new local item needs; ``code`` is allocated when not given."""

    name: str
    department_code: str
    supervision_type: str
    region_code: str | None = None
    parent_code: str | None = None
    code: str | None = None
    department_name: str | None = None
    supervision_manner: str | None = None
    measures: str | None = None
    objects: str | None = None
    legal_basis: str | None = None
    process: str | None = None
    result: str | None = None
    level: str | None = None
    source_kind: str | None = None
    licensing_item: str | None = None


def get_item(session: Session, code: str) -> CatalogItem:
    """The item with ``code``; ``NotFoundError`` otherwise."""
    item = session.scalars(select(CatalogItem).where(CatalogItem.code == code)).one_or_none()
    if item is None:
        raise NotFoundError(f"no catalog item {code}")
    return item


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _checked(values: Mapping[str, Any]) -> dict[str, Any]:
    """Elements as given, stripped and translated to what the store holds; unknown codes of
    departments, regions and dictionaries refused."""
    checked = {name: _text(value) for name, value in values.items()}
    cleared = [name for name in REQUIRED if name in checked and checked[name] is None]
    if cleared:
        raise MissingElements("save the item", cleared)
    if len(checked.get("name") or "") > MAX_NAME:
        raise CatalogRefused(f"the name is longer than {MAX_NAME} characters")
    if (department_code := checked.get("department_code")) is not None:
        checked["department_code"] = department(department_code).code
    if (region_code := checked.get("region_code")) is not None:
        checked["region_code"] = check_region(region_code)
    for name, table, as_label in (
        ("supervision_type", "supervision_types", True),
        ("supervision_manner", "manners", True),
        ("level", "levels", False),
        ("source_kind", "sources", False),
    ):
        value = checked.get(name)
        if value is not None:
            entries = dictionary(table)
            checked[name] = entries.label_of(value) if as_label else entries.code_of(value)
    return checked


def _home(item_department: str, region_code: str | None) -> tuple[Department, str]:
    """The item's department and region, the region defaulting to the department's area."""
    home = department(item_department)
    if home.region_code is None:
        raise CatalogRefused(
            f"a local item needs a department with its area (e.g. {home.code}-3401), "
            f"not the ministry {home.code}"
        )
    region = region_code or home.region_code
    if not home.covers(region):
        raise UnknownRegion(f"region {region} lies outside the area of department {home.code}")
    return home, region


def _code_for(session: Session, values: dict[str, Any], home: Department, region: str) -> str:
    """The given code checked against the layout, or the next free one."""
    category = dictionary("supervision_types").code_of(values["supervision_type"])
    issuer, parent_code = region[:2], values.get("parent_code")
    if parent_code is not None:
        parent = parse_catalog_code(parent_code)
        if (parent.issuer, parent.department, parent.category) != (
            issuer,
            home.line.number,
            category,
        ):
            raise InvalidCode(
                f"a sub-item shares its main item's issuer, department line and type; "
                f"main item {parent_code} differs"
            )
    given = values.get("code")
    if given is None:
        return next_catalog_code(
            session,
            issuer=issuer,
            department=home.line.number,
            category=category,
            parent_code=parent_code,
        )
    parts = parse_catalog_code(given)
    expected = (issuer, home.line.number, category)
    if (parts.issuer, parts.department, parts.category) != expected:
        raise InvalidCode(
            f"code {given} does not follow the layout for this item: expected it to start "
            f"with {''.join(expected)} (issuer, department line, supervision type)"
        )
    if parent_code is not None and (given[:10] != parent_code[:10] or parts.is_main):
        raise InvalidCode(f"code {given} is not a sub-item code under {parent_code}")
    if parent_code is None and not parts.is_main:
        raise InvalidCode(f"code {given} is a sub-item code but no main item was given")
    return catalog_code(parts)


def _check_parent(session: Session, parent_code: str | None) -> None:
    if parent_code is None:
        return
    parent = session.scalars(select(CatalogItem).where(CatalogItem.code == parent_code)).first()
    if parent is None:
        raise CatalogRefused(f"main item {parent_code} does not exist")
    if not parent.is_main:
        raise CatalogRefused(f"{parent_code} is a sub-item; a sub-item belongs to a main item")


def create_item(session: Session, draft: ItemDraft, *, actor: Actor, reason: str) -> CatalogItem:
    """A new local item in draft, with its code, responsible department and revision 1."""
    why = require_reason(reason, "creating an item")
    values = _checked(asdict(draft))
    home, region = _home(values["department_code"], values.get("region_code"))
    _check_parent(session, values.get("parent_code"))
    code = _code_for(session, values, home, region)
    item = CatalogItem(
        **{name: values.get(name) for name in EDITABLE},
        code=code,
        parent_code=values.get("parent_code"),
        is_main=values.get("parent_code") is None,
        status="draft",
        version=1,
        origin="local",
        source_version="",
    )
    item.region_code = region
    item.department_name = values.get("department_name") or home.default_name()
    item.level = values.get("level") or region_level(region)
    apply_rule(item)
    _insert(session, item)
    record_change(session, item, action="create", actor=actor, reason=why)
    return item


def _insert(session: Session, item: CatalogItem) -> None:
    """Insert, refusing a taken code (checked first; the unique constraint settles races)."""
    taken = exists().where(CatalogItem.code == item.code)
    if session.scalar(select(taken)):
        raise DuplicateCode(f"catalog code {item.code} is already used")
    item.content_hash = digest({name: getattr(item, name) for name in EDITABLE})
    try:
        with session.begin_nested():
            session.add(item)
            session.flush()
    except IntegrityError:
        raise DuplicateCode(f"catalog code {item.code} is already used") from None


def edit_item(
    session: Session, item: CatalogItem, changes: Mapping[str, Any], *, actor: Actor, reason: str
) -> CatalogItem:
    """Change elements of a local item; it returns to draft for a new review."""
    why = require_reason(reason, "editing an item")
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise CatalogRefused(f"cannot edit {', '.join(unknown)}; editable: {', '.join(EDITABLE)}")
    if item.status == "withdrawn":
        raise TransitionRefused(f"catalog item {item.code} is withdrawn; create a new item")
    if item.origin == "national":
        raise TransitionRefused(
            f"catalog item {item.code} is national: it changes with the national catalog; "
            "claim it to localise it"
        )
    values = _checked(changes)
    changed = {name: value for name, value in values.items() if getattr(item, name) != value}
    if not changed:
        raise CatalogRefused(f"nothing to change in catalog item {item.code}")
    _check_code_elements(item, changed)
    ensure_baseline(session, item)
    for name, value in changed.items():
        setattr(item, name, value)
    _home(item.department_code, item.region_code)
    item.status = "draft"
    apply_rule(item)
    record_change(session, item, action="edit", actor=actor, reason=why)
    return item


def _check_code_elements(item: CatalogItem, changed: Mapping[str, Any]) -> None:
    """The code carries the issuer, department line and type: they cannot change."""
    if "supervision_type" in changed:
        raise CatalogRefused(
            f"the supervision type is part of code {item.code}; create a new item instead"
        )
    new_department = changed.get("department_code")
    old_line = department(item.department_code).line.code
    if new_department is not None and department(new_department).line.code != old_line:
        raise CatalogRefused(
            f"the department line is part of code {item.code}; create a new item instead"
        )
    new_region = changed.get("region_code")
    if new_region is not None and new_region[:2] != item.code[:2]:
        raise CatalogRefused(f"region {new_region} is outside the province of code {item.code}")


def _check_step(item: CatalogItem, step: str) -> None:
    allowed, _ = TRANSITIONS[step]
    if item.status not in allowed:
        raise TransitionRefused(
            f"cannot {step} catalog item {item.code}: it is {item.status}, "
            f"and {step} needs {' or '.join(allowed)}"
        )


def _transition(
    session: Session, item: CatalogItem, step: str, *, actor: Actor, reason: str
) -> CatalogItem:
    why = require_reason(reason, step)
    _check_step(item, step)
    _, target = TRANSITIONS[step]
    ensure_baseline(session, item)
    item.status = target
    record_change(session, item, action=step, actor=actor, reason=why)
    return item


def submit(session: Session, item: CatalogItem, *, actor: Actor, reason: str) -> CatalogItem:
    """Hand a draft in for review."""
    return _transition(session, item, "submit", actor=actor, reason=reason)


def review(
    session: Session, item: CatalogItem, *, approved: bool, actor: Actor, reason: str
) -> CatalogItem:
    """Approve a submitted item, or return it to draft saying why."""
    step = "review" if approved else "return"
    return _transition(session, item, step, actor=actor, reason=reason)


def publish(session: Session, item: CatalogItem, *, actor: Actor, reason: str) -> CatalogItem:
    """Publish a reviewed item that has its basis, manner and objects."""
    require_reason(reason, "publish")
    _check_step(item, "publish")
    missing = [
        f"{name} ({label})"
        for name, label in PUBLISH_REQUIRES.items()
        if not _text(getattr(item, name))
    ]
    if missing:
        raise MissingElements(f"publish catalog item {item.code}", missing)
    if item.parent_code is not None and get_item(session, item.parent_code).status != "published":
        raise TransitionRefused(
            f"cannot publish sub-item {item.code}: "
            f"its main item {item.parent_code} is not published"
        )
    ensure_baseline(session, item)
    if _published_before(session, item.code):
        item.version += 1
    return _transition(session, item, "publish", actor=actor, reason=reason)


def _published_before(session: Session, code: str) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(
                    CatalogItemVersion.catalog_code == code, CatalogItemVersion.action == "publish"
                )
            )
        )
    )


def withdraw(session: Session, item: CatalogItem, *, actor: Actor, reason: str) -> CatalogItem:
    """Take a published item out of the catalog."""
    return _transition(session, item, "withdraw", actor=actor, reason=reason)
