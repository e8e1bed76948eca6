"""Inspector teams for drawn entities: two or more, qualified, without conflicts, balanced.

Pure functions over plain data, standard library only, like ``hub.draws.algorithm``: the
teams are part of what ``hub draw verify`` re-runs, so anyone must be able to recompute
them from the published pool and the revealed draw key.

The rule (``TeamRule.from_plan``), for every drawn entity of a plan:

- one joint team, even when the plan spans departments (进一次门、查多项事), of
  ``max(inspectors_per_entity, inspectors_per_department × departments)`` inspectors,
  never fewer than two;
- at least ``inspectors_per_department`` from each department with items in the plan;
- each member qualified for the items of his or her own department (holds every
  qualification those items require);
- nobody who must withdraw (回避): the pool entry's ``avoid`` lists the entities an
  inspector has a recorded interest in or inspected within the plan's period.

Selection is greedy and deterministic: entities in draw order (``algorithm.draw_order``),
first each department's minimum, department by department in code-point order, then the
remaining places from every department; each place goes to the eligible inspector with the
fewest assignments so far (the pool's ``load`` plus this draw's), ties broken by the keyed
hash ``HMAC(draw key, "team" ␟ inspector ␟ load)``. Keying the tie-break by the load
reshuffles the order at every level, so partners change from round to round, and nobody can
predict a team before the public value exists.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hub.draws.algorithm import check_name, keyed

MIN_TEAM = 2
"""At least two inspectors per inspection, showing their certificates."""


class StaffingShortfall(ValueError):
    """An entity cannot get a team under the rule: too few eligible inspectors."""

    def __init__(self, entity: str, department: str | None) -> None:
        where = f"department {department}" if department else "the plan's departments"
        super().__init__(f"entity {entity}: too few eligible inspectors in {where}")
        self.entity = entity
        self.department = department


@dataclass(frozen=True)
class Inspector:
    """An inspector of the frozen pool, as published and hashed."""

    id: str
    department: str
    qualifications: frozenset[str] = field(default_factory=frozenset)
    load: int = 0
    avoid: frozenset[str] = field(default_factory=frozenset)

    def entry(self) -> dict[str, Any]:
        """The pool entry: lists sorted, so equal inspectors give equal bytes."""
        return {
            "id": self.id,
            "department": self.department,
            "qualifications": sorted(self.qualifications),
            "load": self.load,
            "avoid": sorted(self.avoid),
        }

    @classmethod
    def from_entry(cls, entry: Mapping[str, Any]) -> Inspector:
        return cls(
            id=entry["id"],
            department=entry["department"],
            qualifications=frozenset(entry["qualifications"]),
            load=entry["load"],
            avoid=frozenset(entry["avoid"]),
        )


@dataclass(frozen=True)
class TeamRule:
    """What every team of a plan must satisfy (see the module docstring)."""

    required: Mapping[str, frozenset[str]]
    per_department: int
    size: int

    @property
    def departments(self) -> list[str]:
        return sorted(self.required)

    @classmethod
    def from_plan(cls, plan: Mapping[str, Any]) -> TeamRule:
        required: dict[str, set[str]] = {}
        for item in plan["items"]:
            needed = required.setdefault(item["department"], set())
            if item.get("qualification"):
                needed.add(item["qualification"])
        per_department = int(plan["inspectors_per_department"])
        size = max(MIN_TEAM, int(plan["inspectors_per_entity"]), per_department * len(required))
        return cls(
            required={name: frozenset(tags) for name, tags in required.items()},
            per_department=per_department,
            size=size,
        )

    def qualified(self, inspector: Inspector) -> bool:
        """In a plan department and holding every qualification its items require."""
        needed = self.required.get(inspector.department)
        return needed is not None and needed <= inspector.qualifications


def shortfalls(
    rule: TeamRule, pool: Iterable[Inspector], entities: Iterable[str]
) -> list[StaffingShortfall]:
    """Entities that could not be staffed even alone; empty means every team can be formed.

    Teams never compete for inspectors (nobody has a cap), so an entity that can be staffed
    alone is staffed by ``assign``: checking this at freeze time makes the draw infallible.
    """
    qualified = [inspector for inspector in pool if rule.qualified(inspector)]
    per_department = {name: 0 for name in rule.required}
    avoiding: dict[str, dict[str, int]] = {}
    for inspector in qualified:
        per_department[inspector.department] += 1
        for entity in inspector.avoid:
            counts = avoiding.setdefault(entity, {})
            counts[inspector.department] = counts.get(inspector.department, 0) + 1
    problems: list[StaffingShortfall] = []
    for entity in entities:
        withdrawn = avoiding.get(entity, {})
        for department in rule.departments:
            if per_department[department] - withdrawn.get(department, 0) < rule.per_department:
                problems.append(StaffingShortfall(entity, department))
        if len(qualified) - sum(withdrawn.values()) < rule.size:
            problems.append(StaffingShortfall(entity, None))
    return problems


class _Queue:
    """A department's qualified inspectors, least loaded first, keyed tie-break."""

    def __init__(self, key: bytes, inspectors: Sequence[Inspector]) -> None:
        self.key = key
        self.avoid = {inspector.id: inspector.avoid for inspector in inspectors}
        self.heap = [self._entry(inspector.id, inspector.load) for inspector in inspectors]
        heapq.heapify(self.heap)

    def _entry(self, inspector: str, load: int) -> tuple[int, bytes, str]:
        return (load, keyed(self.key, "team", inspector, str(load)), inspector)

    def best(self, entity: str, team: set[str]) -> tuple[int, bytes, str] | None:
        """The first eligible entry, without removing it; ineligible tops are skipped."""
        skipped: list[tuple[int, bytes, str]] = []
        found = None
        while self.heap:
            top = self.heap[0]
            if top[2] not in team and entity not in self.avoid[top[2]]:
                found = top
                break
            skipped.append(heapq.heappop(self.heap))
        for entry in skipped:
            heapq.heappush(self.heap, entry)
        return found

    def take(self, entry: tuple[int, bytes, str]) -> None:
        """Remove ``entry`` and put its inspector back one assignment heavier."""
        skipped: list[tuple[int, bytes, str]] = []
        while (top := heapq.heappop(self.heap)) != entry:
            skipped.append(top)
        for other in skipped:
            heapq.heappush(self.heap, other)
        heapq.heappush(self.heap, self._entry(entry[2], entry[0] + 1))


def _choose(queues: Sequence[_Queue], entity: str, team: set[str], department: str | None) -> str:
    offers = [(entry, queue) for queue in queues if (entry := queue.best(entity, team))]
    if not offers:
        raise StaffingShortfall(entity, department)
    entry, queue = min(offers, key=lambda offer: offer[0])
    queue.take(entry)
    team.add(entry[2])
    return entry[2]


def assign(
    key: bytes, plan: Mapping[str, Any], pool: Iterable[Inspector], entities: Iterable[str]
) -> dict[str, list[str]]:
    """Each entity's team (inspector ids sorted), entities taken in the order given.

    Raises ``StaffingShortfall`` when an entity cannot be staffed (``shortfalls`` finds
    these before a draw is frozen).
    """
    rule = TeamRule.from_plan(plan)
    members: dict[str, list[Inspector]] = {name: [] for name in rule.departments}
    seen: set[str] = set()
    for inspector in pool:
        check_name(inspector.id, "inspector")
        if inspector.id in seen:
            raise ValueError(f"inspector {inspector.id} appears twice")
        seen.add(inspector.id)
        if rule.qualified(inspector):
            members[inspector.department].append(inspector)
    queues = {name: _Queue(key, members[name]) for name in rule.departments}
    teams: dict[str, list[str]] = {}
    for entity in entities:
        team: set[str] = set()
        for department in rule.departments:
            for _ in range(rule.per_department):
                _choose([queues[department]], entity, team, department)
        while len(team) < rule.size:
            _choose(list(queues.values()), entity, team, None)
        teams[entity] = sorted(team)
    return teams
