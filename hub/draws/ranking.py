"""A stratum's picks from its stored candidates, by index, in ``O(picks)``.

The draw (``algorithm.SuccessiveSampling``) computes its draw numbers in Python (a few
keyed hashes per pick, never one per candidate) and asks the store which candidate each
ticket ``t`` lands on: the first, by position, whose stored cumulative weight exceeds ``t``,
one probe of the index on ``(draw_id, stratum, cumulative_weight)``. PostgreSQL resolves a
whole batch of tickets in one query (``unnest ... WITH ORDINALITY`` joined LATERAL to the
probe); SQLite, in process, one probe per ticket on the driver's cursor.

The first round (every candidate, the stored cumulative weights) runs that way when the
quota is small beside the stratum (``SPARSE``). Later rounds (only once the picked weight
exceeds half the stratum's, e.g. a very heavy candidate) and dense draws read the stratum's
weights into an array and finish in memory, as ``algorithm.pick`` does. Either way the
picks are exactly ``algorithm.pick``'s (``tests/integration/draws/test_database_ranking.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.orm import Session

from hub.draws import stored
from hub.draws.algorithm import SuccessiveSampling, finish_in_memory

SPARSE = 4
"""The first round probes the index when the quota is at most 1/SPARSE of the stratum;
denser draws read the weights once instead."""

RESOLVE_BATCH = text(
    """
    SELECT c.position, c.weight, c.entity_uscc
    FROM unnest(CAST(:tickets AS bigint[])) WITH ORDINALITY AS t(ticket, n)
    CROSS JOIN LATERAL (
        SELECT d.position, d.weight, d.entity_uscc FROM draw_candidates AS d
        WHERE d.draw_id = :draw AND d.stratum = :stratum AND d.cumulative_weight > t.ticket
        ORDER BY d.cumulative_weight
        LIMIT 1
    ) AS c
    ORDER BY t.n
    """
)
RESOLVE_ONE = (
    "SELECT position, weight, entity_uscc FROM draw_candidates "
    "WHERE draw_id = ? AND stratum = ? AND cumulative_weight > ? "
    "ORDER BY cumulative_weight LIMIT 1"
)


class IndexResolver:
    """Resolves the tickets of a first round (every candidate of the stratum) by the index,
    remembering the USCC of each candidate found, so the picks need no second read."""

    def __init__(self, session: Session, draw_id: int, stratum: str) -> None:
        self._session, self._draw_id, self._stratum = session, draw_id, stratum
        self.entities: dict[int, str] = {}

    def __call__(self, tickets: Sequence[int]) -> list[tuple[int, int]]:
        rows = self._in_one_query(tickets) if self._batched() else self._one_by_one(tickets)
        found = []
        for position, weight, uscc in rows:
            self.entities[position] = uscc
            found.append((position, weight))
        return found

    def _batched(self) -> bool:
        return self._session.get_bind().dialect.name == "postgresql"

    def _in_one_query(self, tickets: Sequence[int]) -> list[tuple[int, int, str]]:
        if not tickets:
            return []
        parameters = {"tickets": list(tickets), "draw": self._draw_id, "stratum": self._stratum}
        return [
            (row[0], row[1], row[2]) for row in self._session.execute(RESOLVE_BATCH, parameters)
        ]

    def _one_by_one(self, tickets: Sequence[int]) -> list[tuple[int, int, str]]:
        cursor = self._session.connection().connection.cursor()
        found = []
        for ticket in tickets:
            cursor.execute(RESOLVE_ONE, (self._draw_id, self._stratum, ticket))
            row = cursor.fetchone()
            assert row is not None, "a ticket is below the total weight, so it lands somewhere"
            found.append((row[0], row[1], row[2]))
        return found


def pick_stored(session: Session, draw_id: int, stratum: str, key: bytes, count: int) -> list[str]:
    """``count`` candidates of a frozen stratum (all, if fewer), in draw order, for draw key
    ``key``: exactly ``algorithm.pick`` over the stratum's list."""
    extent = stored.stratum_extent(session, draw_id, stratum)
    sampling = SuccessiveSampling(key, stratum, min(count, extent.size))
    if sampling.done:
        return []
    entities: dict[int, str] = {}
    if count * SPARSE <= extent.size:
        resolver = IndexResolver(session, draw_id, stratum)
        sampling.run_round(extent.total_weight, resolver)
        entities = resolver.entities
    if not sampling.done:
        finish_in_memory(sampling, stored.load_weights(session, draw_id, stratum))
    unread = [position for position in sampling.picks if position not in entities]
    entities.update(zip(unread, stored.entities_at(session, draw_id, stratum, unread), strict=True))
    return [entities[position] for position in sampling.picks]
