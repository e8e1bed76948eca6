"""Which fault, if any, one request meets: the seeded plan, plus an outage counting down.

Runtime faults (``SimulatorOptions.faults`` at start, ``set_faults`` while running):

    error_rate          share of requests answered 503 with ``Retry-After: retry_after`` (1)
    missing_retry_after those 503s carry no Retry-After (the client must back off alone)
    timeout_rate        share of requests answered only after 2 × ``timeout_seconds`` (1.0),
                        having done their work (a push is applied, its receipt comes late)
    down_for_requests   the next N requests have their connection closed without an answer
    duplicate_receipts  a receipt repeats its first record result
    schema_drift        served catalog and complaint rows rename a field
    out_of_order_pages  the full pages of a listing are served last first

``plan.served`` counts every request (``requests``) and every fault met, by name.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from simulators.faults import FaultPlan


@dataclass(frozen=True)
class Decision:
    """What happens to one request: dropped, refused with 503, or answered late."""

    drop_connection: bool = False
    unavailable: bool = False
    retry_after: str | None = None
    delay_seconds: float = 0.0


class FaultGate:
    """Draws each request's fault from a ``FaultPlan`` seeded with the simulator's seed."""

    def __init__(self, faults: dict[str, Any], seed: int) -> None:
        self.plan = FaultPlan(faults, seed)
        self._lock = threading.Lock()
        self._down = int(faults.get("down_for_requests", 0))

    def set(self, faults: dict[str, Any]) -> None:
        """Switch faults while running; ``down_for_requests`` counts from now."""
        self.plan.faults = dict(faults)
        with self._lock:
            self._down = int(faults.get("down_for_requests", 0))

    def decide(self) -> Decision:
        self.plan.note("requests")
        with self._lock:
            down, self._down = self._down > 0, max(0, self._down - 1)
        if down:
            self.plan.note("down_for_requests")
            return Decision(drop_connection=True)
        if self.plan.roll("error_rate"):
            if self.mode("missing_retry_after"):
                return Decision(unavailable=True)
            return Decision(
                unavailable=True, retry_after=str(int(self.plan.faults.get("retry_after", 1)))
            )
        if self.plan.roll("timeout_rate"):
            return Decision(delay_seconds=2 * float(self.plan.faults.get("timeout_seconds", 1.0)))
        return Decision()

    def mode(self, name: str) -> bool:
        """Whether a non-conforming mode is on; counted in ``plan.served`` when it is."""
        on = self.plan.enabled(name)
        if on:
            self.plan.note(name)
        return on
