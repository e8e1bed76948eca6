"""How the catalog is used: counts, coverage (监管事项覆盖率) and items never used.

**Coverage** of main items = published main items with at least one supervision action
(an inspection, penalty, coercive measure or licensing record citing the item's code) in
the twelve months up to ``as_of``, divided by all published main items (监管事项主项覆盖率,
as one provincial platform computes it, DOMAIN.md). A main item counts as used when an
action cites it or one of its sub-items, since actions are usually recorded under the
sub-item; a sub-item counts when an action cites it. Both are given by department (the
item's) and by region (city):

- an item applies to a city when its region is the province, the city or a county of it,
  and a claimed national item applies where it was claimed;
- it is covered there when an action in that city cites it.

**Items never used**: published items no action has ever cited (a main item also when none
cited its sub-items). Counts by department, level and manner are over published items.
Everything counts the province's catalog: items with a region, and national items a region
claimed (a national item nobody claimed is not the province's to implement).
Actions are counted in SQL (per code and city); the rest is done on those totals.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from hub.catalog.claims import implemented_in
from hub.store.models.actions import ActionMixin
from hub.store.models.catalog import CatalogClaim, CatalogItem
from hub.store.records import all_record_types
from standards.codes import load_regions


@dataclass(frozen=True)
class Coverage:
    """Published main and sub-items of one group, and how many of each were used."""

    group: str
    main_items: int = 0
    main_covered: int = 0
    sub_items: int = 0
    sub_covered: int = 0

    @property
    def main_ratio(self) -> float | None:
        return self.main_covered / self.main_items if self.main_items else None

    @property
    def sub_ratio(self) -> float | None:
        return self.sub_covered / self.sub_items if self.sub_items else None


@dataclass
class CatalogStatistics:
    """Everything :func:`catalog_statistics` answers, for one window."""

    since: datetime
    as_of: datetime
    by_department: dict[str, int] = field(default_factory=dict)
    by_level: dict[str, int] = field(default_factory=dict)
    by_manner: dict[str, int] = field(default_factory=dict)
    total: Coverage = field(default_factory=lambda: Coverage("all"))
    coverage_by_department: list[Coverage] = field(default_factory=list)
    coverage_by_region: list[Coverage] = field(default_factory=list)
    never_used: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Item:
    code: str
    parent_code: str | None
    department_code: str
    region_code: str | None
    level: str | None
    manner: str | None


def twelve_months_before(moment: datetime) -> datetime:
    """The same instant a year earlier (28 February for 29 February)."""
    try:
        return moment.replace(year=moment.year - 1)
    except ValueError:
        return moment.replace(year=moment.year - 1, day=28)


def _action_models() -> list[type[ActionMixin]]:
    return [
        record.model
        for _, record in sorted(all_record_types().items())
        if issubclass(record.model, ActionMixin)
    ]


def _city(region_code: str | None) -> str | None:
    if not region_code or len(region_code) < 4:
        return None
    return region_code[:4] + "00"


def _action_counts(
    session: Session, since: datetime | None, as_of: datetime
) -> Counter[tuple[str, str | None]]:
    """Actions per (catalog code, city), over every action kind, in the window.

    The bounds go to the database in UTC, as the pipeline stores times (SQLite keeps no zone).
    """
    as_of = as_of.astimezone(UTC)
    since = since.astimezone(UTC) if since is not None else None
    counts: Counter[tuple[str, str | None]] = Counter()
    for model in _action_models():
        city = func.substr(model.region_code, 1, 4)
        conditions: list[ColumnElement[bool]] = [
            model.catalog_code.is_not(None),
            model.acted_at <= as_of,
        ]
        if since is not None:
            conditions.append(model.acted_at > since)
        rows = session.execute(
            select(model.catalog_code, city, func.count())
            .where(*conditions)
            .group_by(model.catalog_code, city)
        )
        for code, prefix, count in rows:
            counts[(code, _city(prefix))] += count
    return counts


def _published(
    session: Session, department_code: str | None, region_prefix: str | None
) -> list[_Item]:
    query = select(
        CatalogItem.code,
        CatalogItem.parent_code,
        CatalogItem.department_code,
        CatalogItem.region_code,
        CatalogItem.level,
        CatalogItem.supervision_manner,
    ).where(CatalogItem.status == "published", implemented_in(region_prefix or ""))
    if department_code is not None:
        query = query.where(CatalogItem.department_code == department_code)
    return [_Item(*row) for row in session.execute(query.order_by(CatalogItem.code))]


def _cities_of(region_code: str) -> list[str]:
    """The cities an item of ``region_code`` applies to."""
    if region_code.endswith("0000"):
        regions = load_regions()
        return [code for code in regions.children(region_code) if code.endswith("00")]
    city = _city(region_code)
    return [city] if city else []


def _applicable_cities(items: Iterable[_Item], claims: dict[str, set[str]]) -> dict[str, set[str]]:
    cities: dict[str, set[str]] = {}
    for item in items:
        regions = [item.region_code] if item.region_code else sorted(claims.get(item.code, ()))
        cities[item.code] = {city for region in regions for city in _cities_of(region)}
    return cities


def _coverage(group: str, mains: list[_Item], subs: list[_Item], used: set[str]) -> Coverage:
    return Coverage(
        group,
        main_items=len(mains),
        main_covered=sum(1 for item in mains if item.code in used),
        sub_items=len(subs),
        sub_covered=sum(1 for item in subs if item.code in used),
    )


def _used_where(
    session: Session, counts: Counter[tuple[str, str | None]]
) -> dict[str, set[str | None]]:
    """For every cited code, the cities (``None``: unknown) of the actions citing it; a main
    item also takes its sub-items' actions."""
    parents = {
        code: parent
        for code, parent in session.execute(
            select(CatalogItem.code, CatalogItem.parent_code).where(
                CatalogItem.parent_code.is_not(None)
            )
        )
    }
    used: dict[str, set[str | None]] = defaultdict(set)
    for (code, city), count in counts.items():
        if not count:
            continue
        used[code].add(city)
        parent = parents.get(code)
        if parent is not None:
            used[parent].add(city)
    return used


def catalog_statistics(
    session: Session,
    *,
    as_of: datetime | None = None,
    department_code: str | None = None,
    region_prefix: str | None = None,
) -> CatalogStatistics:
    """Counts, coverage and unused items of the published catalog, optionally narrowed to one
    department and to the items of a region (a GB/T 2260 prefix such as ``3401``)."""
    as_of = as_of or datetime.now(UTC)
    since = twelve_months_before(as_of)
    items = _published(session, department_code, region_prefix)
    mains = [item for item in items if item.parent_code is None]
    subs = [item for item in items if item.parent_code is not None]
    recent = _used_where(session, _action_counts(session, since, as_of))
    ever = _used_where(session, _action_counts(session, None, as_of))
    stats = CatalogStatistics(since=since, as_of=as_of)
    stats.by_department = dict(sorted(Counter(item.department_code for item in items).items()))
    stats.by_level = dict(sorted(Counter(item.level or "-" for item in items).items()))
    stats.by_manner = dict(sorted(Counter(item.manner or "-" for item in items).items()))
    used = set(recent)
    stats.total = _coverage("all", mains, subs, used)
    stats.coverage_by_department = [
        _coverage(
            department,
            [item for item in mains if item.department_code == department],
            [item for item in subs if item.department_code == department],
            used,
        )
        for department in stats.by_department
    ]
    stats.coverage_by_region = _by_city(session, items, mains, subs, recent)
    stats.never_used = [item.code for item in items if item.code not in ever]
    return stats


def _by_city(
    session: Session,
    items: list[_Item],
    mains: list[_Item],
    subs: list[_Item],
    recent: dict[str, set[str | None]],
) -> list[Coverage]:
    claims: dict[str, set[str]] = defaultdict(set)
    for code, region in session.execute(
        select(CatalogClaim.catalog_code, CatalogClaim.region_code)
    ):
        claims[code].add(region)
    applies = _applicable_cities(items, claims)
    return [
        _coverage(
            city,
            [item for item in mains if city in applies[item.code]],
            [item for item in subs if city in applies[item.code]],
            {code for code, cities in recent.items() if city in cities},
        )
        for city in sorted({city for cities in applies.values() for city in cities})
    ]
