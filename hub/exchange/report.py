"""The balanced counts of a run: received = stored + duplicates + quarantined."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class RunReport:
    """What one run did, per channel; ``reasons`` counts quarantine reasons by step."""

    channel: str
    run_id: int = 0
    run_uid: str = ""
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    envelopes: int = 0
    elapsed_seconds: float = 0.0
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def balanced(self) -> bool:
        return self.received == self.stored + self.duplicates + self.quarantined

    @property
    def rate(self) -> float:
        return self.received / self.elapsed_seconds if self.elapsed_seconds else 0.0

    def add(self, other: RunReport) -> None:
        self.received += other.received
        self.stored += other.stored
        self.duplicates += other.duplicates
        self.quarantined += other.quarantined
        self.envelopes += other.envelopes
        self.reasons.update(other.reasons)

    def summary(self) -> str:
        return (
            f"{self.channel}: received {self.received} = stored {self.stored} + duplicates "
            f"{self.duplicates} + quarantined {self.quarantined}"
        )


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|<withheld>")
_INNERMOST_PARENTHESES = re.compile(r"\s*\([^()]*\)")


def reason_key(step: str, reason: str) -> str:
    """A countable form of a quarantine reason: the step and the message with its values
    left out, so that 40 different wrong check characters summarise as one line."""
    text = _QUOTED.sub("…", reason)
    while True:
        shorter = _INNERMOST_PARENTHESES.sub("", text)
        if shorter == text:
            break
        text = shorter
    return f"{step}: {text[:100]}"
