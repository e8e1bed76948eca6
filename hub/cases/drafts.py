"""What the intake works on: complaints as it reads them, the cases it is about to open, and
the merges it decided (:mod:`hub.cases.intake`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from hub.cases.merging import OpenCase


class Arrival(NamedTuple):
    """A complaint no case holds yet, as the intake reads it: of the complainant's personal
    data only the keyed phone digest and whether there is any way to reach them. A named
    tuple, not a frozen dataclass: one is made per complaint, at a quarter of the cost."""

    id: int
    source: str
    source_number: str
    kind: str
    received_at: datetime
    title: str | None
    content: str | None
    category: str | None
    region_code: str | None
    address: str | None
    latitude: float | None
    longitude: float | None
    target_uscc: str | None
    target_name: str | None
    phone_digest: str | None
    digest_is_new: bool
    has_contact: bool
    email: str | None = None


@dataclass
class CaseDraft:
    """A case the chunk opens, before it is inserted; what routing reads of a case."""

    arrival: Arrival
    category_code: str | None
    region_code: str | None
    address_key: str | None
    routing_rule: str | None = None
    routing_explanation: str | None = None
    triage_reason: str | None = None
    department_code: str | None = None
    id: int = 0
    tracking_no: str = ""

    @property
    def category_text(self) -> str | None:
        return self.arrival.category

    @property
    def title(self) -> str | None:
        return self.arrival.title

    @property
    def content(self) -> str | None:
        return self.arrival.content

    @property
    def source(self) -> str:
        return self.arrival.source

    @property
    def kind(self) -> str:
        return self.arrival.kind

    @property
    def target_uscc(self) -> str | None:
        return self.arrival.target_uscc


@dataclass(frozen=True)
class Merge:
    """A complaint joining the open case it repeats (a stored one, or one its chunk opens)."""

    arrival: Arrival
    case: OpenCase
    similarity: float
    blocking_key: str


def merged_case_id(merge: Merge, drafts: Sequence[CaseDraft]) -> int:
    """The id of the case ``merge`` joins (known once the chunk's new cases are numbered)."""
    return merge.case.case_id if merge.case.case_id is not None else drafts[merge.case.draft].id
