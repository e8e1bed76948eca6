"""How the catalog is used: counts, coverage (监管事项覆盖率) and items never used.

**Where an item is implemented** (its placements): a local item by its department in its
region; a national item by each region that claimed it, under the claiming department (with
the claim's level and manner), never under the ministry's code. A national item nobody
claimed is not the province's to implement and counts nowhere.

**Coverage** of main items = published main items with at least one supervision action (an
inspection, penalty, coercive measure or licensing record citing the item's code) in the
twelve months up to ``as_of``, divided by all published main items (监管事项主项覆盖率, as
one provincial platform computes it, DOMAIN.md). A main item counts as used when an action
cites it or one of its sub-items, since actions are usually recorded under the sub-item; a
sub-item counts when an action cites it. An item is covered in a placement when the action
was taken in the placement's area (the region or below it, by the region table's hierarchy);
an action that does not say where (no region, or one the table does not know) is credited to
every placement of the item. Given:

- in total and by department (each department its placements);
- by region at every level (province, city, county): an item applies in a region when it is
  placed there, above it (a province item applies in every city and county) or below it (a
  county's item counts in its city and province); it is covered there when an action in that
  region's area cites it.

**Items never used**: published items no action has ever cited (a main item also when none
cited its sub-items). Counts by department, level and manner are over placements, each item
once per value. Actions are counted in SQL (per code and region); the rest is done on those
totals.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from hub.catalog.areas import ancestors, statistics_level, subtree
from hub.store.models.actions import ActionMixin
from hub.store.models.catalog import CatalogClaim, CatalogItem
from hub.store.records import all_record_types

# In a code's set of action regions: an action that did not say where it was taken.
ANYWHERE = "*"
LEVEL_ORDER = {"province": 0, "city": 1, "county": 2}


@dataclass(frozen=True)
class Coverage:
    """Published main and sub-items of one group, and how many of each were used;
    ``level`` is the region's (province, city, county) in a by-region row."""

    group: str
    main_items: int = 0
    main_covered: int = 0
    sub_items: int = 0
    sub_covered: int = 0
    level: str | None = None

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
class Placement:
    """One published item implemented by one department in one region."""

    code: str
    is_main: bool
    department_code: str
    region_code: str
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


def _action_counts(
    session: Session, since: datetime | None, as_of: datetime
) -> Counter[tuple[str, str | None]]:
    """Actions per (catalog code, region), over every action kind, in the window.

    The bounds go to the database in UTC, as the pipeline stores times (SQLite keeps no zone).
    """
    as_of = as_of.astimezone(UTC)
    since = since.astimezone(UTC) if since is not None else None
    counts: Counter[tuple[str, str | None]] = Counter()
    for model in _action_models():
        conditions: list[ColumnElement[bool]] = [
            model.catalog_code.is_not(None),
            model.acted_at <= as_of,
        ]
        if since is not None:
            conditions.append(model.acted_at > since)
        rows = session.execute(
            select(model.catalog_code, model.region_code, func.count())
            .where(*conditions)
            .group_by(model.catalog_code, model.region_code)
        )
        for code, region, count in rows:
            counts[(str(code), region)] += count  # not null: see the conditions
    return counts


def placements(
    session: Session, department_code: str | None = None, region_prefix: str | None = None
) -> list[Placement]:
    """Where the published items are implemented (see the module docstring), optionally only
    by one department and in one area (a GB/T 2260 prefix such as ``3401``)."""
    published = CatalogItem.status == "published"
    own = session.execute(
        select(
            CatalogItem.code,
            CatalogItem.is_main,
            CatalogItem.department_code,
            CatalogItem.region_code,
            CatalogItem.level,
            CatalogItem.supervision_manner,
        ).where(published, CatalogItem.region_code.is_not(None))
    )
    claimed = session.execute(
        select(
            CatalogItem.code,
            CatalogItem.is_main,
            CatalogClaim.department_code,
            CatalogClaim.region_code,
            CatalogClaim.level,
            CatalogClaim.supervision_manner,
        )
        .join(CatalogClaim, CatalogClaim.catalog_code == CatalogItem.code)
        .where(published)
    )
    found = [Placement(*row) for row in (*own, *claimed)]
    return sorted(
        (
            place
            for place in found
            if (department_code is None or place.department_code == department_code)
            and (region_prefix is None or place.region_code.startswith(region_prefix))
        ),
        key=lambda place: (place.code, place.region_code, place.department_code),
    )


def _used_where(session: Session, counts: Counter[tuple[str, str | None]]) -> dict[str, set[str]]:
    """For every cited code, the regions whose area holds an action citing it (every region
    above the action's, and ``ANYWHERE`` for an action not saying where); a main item also
    takes its sub-items' actions."""
    parents = {
        code: parent
        for code, parent in session.execute(
            select(CatalogItem.code, CatalogItem.parent_code).where(
                CatalogItem.parent_code.is_not(None)
            )
        )
    }
    used: dict[str, set[str]] = defaultdict(set)
    for (code, region), count in counts.items():
        if not count:
            continue
        where = set(ancestors(region)) if region else set()
        regions = where or {ANYWHERE}
        used[code] |= regions
        parent = parents.get(code)
        if parent is not None:
            used[parent] |= regions
    return used


def _covered(place: Placement, used: dict[str, set[str]]) -> bool:
    regions = used.get(place.code, set())
    return ANYWHERE in regions or place.region_code in regions


def _coverage(
    group: str, places: Iterable[Placement], used: dict[str, set[str]], level: str | None = None
) -> Coverage:
    """Distinct main and sub-items of ``places``; an item is covered when one of its
    placements is."""
    mains: dict[str, bool] = {}
    subs: dict[str, bool] = {}
    for place in places:
        seen = mains if place.is_main else subs
        seen[place.code] = seen.get(place.code, False) or _covered(place, used)
    return Coverage(
        group,
        main_items=len(mains),
        main_covered=sum(mains.values()),
        sub_items=len(subs),
        sub_covered=sum(subs.values()),
        level=level,
    )


def _distinct_counts(pairs: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Distinct codes per value, over (value, code) pairs, by value."""
    return dict(sorted(Counter(value for value, _ in set(pairs)).items()))


def catalog_statistics(
    session: Session,
    *,
    as_of: datetime | None = None,
    department_code: str | None = None,
    region_prefix: str | None = None,
) -> CatalogStatistics:
    """Counts, coverage and unused items of the published catalog, optionally narrowed to one
    department's placements and to those in an area (a GB/T 2260 prefix such as ``3401``)."""
    as_of = as_of or datetime.now(UTC)
    since = twelve_months_before(as_of)
    places = placements(session, department_code, region_prefix)
    recent = _used_where(session, _action_counts(session, since, as_of))
    ever = _used_where(session, _action_counts(session, None, as_of))
    stats = CatalogStatistics(since=since, as_of=as_of)
    stats.by_department = _distinct_counts((p.department_code, p.code) for p in places)
    stats.by_level = _distinct_counts((p.level or "-", p.code) for p in places)
    stats.by_manner = _distinct_counts((p.manner or "-", p.code) for p in places)
    stats.total = _coverage("all", places, recent)
    stats.coverage_by_department = [
        _coverage(department, [p for p in places if p.department_code == department], recent)
        for department in stats.by_department
    ]
    stats.coverage_by_region = _by_region(places, recent, region_prefix or "")
    stats.never_used = sorted({p.code for p in places if p.code not in ever})
    return stats


def _applies_in(region_code: str) -> set[str]:
    """The regions an item placed in ``region_code`` applies in: its own, those above and
    those below it (province, city and county levels only)."""
    regions = set(ancestors(region_code)) | subtree(region_code[:6])
    return {region for region in regions if statistics_level(region) is not None}


def _by_region(
    places: list[Placement], recent: dict[str, set[str]], region_prefix: str
) -> list[Coverage]:
    """One row per region (province, cities, counties) where some item applies, within the
    area of ``region_prefix``: its items, covered when an action in its area cites them."""
    applicable: dict[str, list[Placement]] = defaultdict(list)
    for place in places:
        for region in _applies_in(place.region_code):
            if region.startswith(region_prefix):
                applicable[region].append(place)
    # Actions that did not say where count in no region's row.
    located = {code: regions - {ANYWHERE} for code, regions in recent.items()}
    rows = []
    for region, here in applicable.items():
        # Seen from the region: covered when an action in the region's own area cites it.
        from_here = [
            Placement(p.code, p.is_main, p.department_code, region, p.level, p.manner) for p in here
        ]
        rows.append(_coverage(region, from_here, located, statistics_level(region)))
    return sorted(rows, key=lambda row: (LEVEL_ORDER[row.level or "county"], row.group))
