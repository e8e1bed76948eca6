"""Frequency caps (抽查频次上限): an entity is drawn at most K times a year, all departments
together, unless its class demands more.

The cap is applied when the candidate lists are frozen: an entity already drawn ``limit``
times in the plan's year (by any draw that has reached ``drawn``) is simply not a candidate,
so the committed lists already reflect it and verification re-runs exactly. Classes flagged
``frequency_cap_exempt`` in the plan's quota table (class D by default) stay candidates
however often they were drawn. How many entities the cap left out, per stratum, is counted
and recorded with the freeze.

Draws of one year are meant to be frozen one after another: a draw frozen while another is
still between freeze and draw cannot count that other draw's picks, which do not exist yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.draws.plan import PlanSpec


@dataclass(frozen=True)
class FrequencyCap:
    """At most ``limit`` draws a year, except in the ``exempt`` strata."""

    limit: int
    exempt: frozenset[str] = frozenset()

    @classmethod
    def of(cls, spec: PlanSpec) -> FrequencyCap:
        return cls(limit=spec.frequency_cap, exempt=spec.cap_exempt_strata)

    def admits(self, stratum: str, times_drawn: int) -> bool:
        """Whether an entity of ``stratum`` already drawn ``times_drawn`` times this year may
        be drawn again."""
        return stratum in self.exempt or times_drawn < self.limit
