"""How an adapter retries a call the remote could not answer now (``RemoteUnavailable``).

The channel's ``adapter.retry`` settings: ``attempts`` (tries per call, the first included),
``backoff_seconds`` (the first wait; it doubles per attempt, with jitter between half and all
of it, so that many clients do not retry in step) and ``max_wait_seconds`` (a longer wait,
or a longer ``Retry-After`` from the remote, ends the call instead).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int
    backoff: float
    max_wait: float

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], *, attempts: int) -> RetryPolicy:
        """The policy of an adapter's ``retry`` settings; ``attempts`` is its default."""
        retry = settings.get("retry") or {}
        return cls(
            attempts=int(retry.get("attempts", attempts)),
            backoff=float(retry.get("backoff_seconds", 0.5)),
            max_wait=float(retry.get("max_wait_seconds", 60)),
        )

    def wait(self, attempt: int, retry_after: float | None = None) -> float | None:
        """Seconds to wait after failed attempt ``attempt`` (1, 2, ...), or None: give up."""
        if attempt >= self.attempts:
            return None
        if retry_after is None:
            ceiling = min(self.max_wait, self.backoff * 2 ** (attempt - 1))
            retry_after = random.uniform(ceiling / 2, ceiling)
        return retry_after if retry_after <= self.max_wait else None
