"""Seeded fault injection shared by the simulators: the same seed gives the same faults."""

from __future__ import annotations

import random
import threading
from collections import Counter
from typing import Any


class FaultPlan:
    """Seeded decisions about which request fails how; ``served`` counts what was injected.

    ``faults`` maps a fault's name to its rate (0..1) or setting; ``roll`` draws one request's
    decision from a ``random.Random`` seeded with the simulator's seed, under a lock, since
    simulators serve each request on its own thread.
    """

    def __init__(self, faults: dict[str, Any], seed: int) -> None:
        self.faults = dict(faults)
        self.served: Counter[str] = Counter()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def roll(self, fault: str) -> bool:
        rate = float(self.faults.get(fault, 0.0))
        with self._lock:
            hit = rate > 0 and self._rng.random() < rate
            if hit:
                self.served[fault] += 1
        return hit

    def enabled(self, mode: str) -> bool:
        """A non-conforming mode switched on for every request (``faults={mode: True}``)."""
        return bool(self.faults.get(mode))

    def note(self, event: str) -> None:
        with self._lock:
            self.served[event] += 1

    def pick(self, count: int) -> int:
        with self._lock:
            return self._rng.randrange(count)
