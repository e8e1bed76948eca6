"""并单: finding the open case a new complaint repeats.

Two steps, so that text is compared only where a repeat is plausible:

1. **Blocking.** Candidates are the open cases sharing at least one key with the complaint
   (the same keyed phone digest, the same target USCC, the same normalised address:
   :mod:`hub.cases.identity`) whose first complaint was received within
   ``merging.window_days`` (``standards/cases/settings.yaml``) of this one.
2. **Similarity.** For each candidate, ``similarity`` of the two texts (title and content):
   rapidfuzz's ``token_set_ratio`` (0-100) over the texts' character bigrams, each text
   stripped of spaces and punctuation and written as its overlapping two-character tokens
   ("过期食品" → "过期 期食 食品"). Bigrams suit Chinese, which has no spaces between words;
   the token-set ratio ignores order and repetition, so a retelling in other words that
   shares the key phrases scores high. A candidate whose category is known and differs is
   never merged (two complaints about one shop, one about prices and one about hygiene,
   are two matters). The best candidate at or above ``merging.threshold`` wins.

``standards/cases/merge_pairs.yaml`` holds pairs that must and must not merge (a test runs
every pair through the intake).

The intake compares in memory (``MergeIndex``): the open cases sharing a key with any
complaint of a chunk come from one query (``open_cases``), and each case the chunk opens
joins the index at once, so a repeat within the chunk is found as a repeat of a stored case.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from rapidfuzz import fuzz
from sqlalchemy import select, union
from sqlalchemy.orm import Session

from hub.cases.settings import case_settings
from hub.store.bulk import among
from hub.store.models.cases import Case
from hub.store.models.workflow import WorkflowInstance
from hub.workflow.timing import aware

_NOT_WORD = re.compile(r"[\W_]+")


class MergeCandidate(NamedTuple):
    """What a new complaint brings to the comparison (a named tuple: one per complaint)."""

    text: str
    category_code: str | None
    received_at: datetime
    phone_digest: str | None
    target_uscc: str | None
    address_key: str | None


def bigrams(text: str) -> str:
    """The text's overlapping character bigrams, space-separated (spaces and punctuation gone)."""
    letters = _NOT_WORD.sub("", text)
    if len(letters) < 2:
        return letters
    return " ".join(letters[i : i + 2] for i in range(len(letters) - 1))


def similarity(first: str, second: str) -> float:
    """rapidfuzz token-set ratio (0-100) of the two texts' character bigrams."""
    return float(fuzz.token_set_ratio(bigrams(first), bigrams(second)))


def case_text(title: str | None, content: str | None) -> str:
    return f"{title or ''} {content or ''}".strip()


@dataclass
class OpenCase:
    """An open case as blocking and similarity see it.

    ``case_id`` is None for a case the running chunk opens (not inserted yet); ``draft`` is
    then its place among the chunk's new cases, which sorts it after every stored case, as
    its id will.
    """

    case_id: int | None
    received_at: datetime
    category_code: str | None
    phone_digest: str | None
    target_uscc: str | None
    address_key: str | None
    text: str
    draft: int = -1
    _bigrams: str | None = field(default=None, repr=False)

    @property
    def order(self) -> tuple[datetime, int]:
        """Candidates are compared in order of reception, then of case id."""
        return self.received_at, self.case_id if self.case_id is not None else 2**62 + self.draft

    @property
    def bigrams(self) -> str:
        if self._bigrams is None:
            self._bigrams = bigrams(self.text)
        return self._bigrams


@dataclass(frozen=True)
class MergeMatch:
    case: OpenCase
    similarity: float
    blocking_key: str


def shared_key(case: OpenCase, candidate: MergeCandidate) -> str | None:
    """The first blocking key the case and the complaint share (None: none)."""
    if candidate.phone_digest and case.phone_digest == candidate.phone_digest:
        return "phone"
    if candidate.target_uscc and case.target_uscc == candidate.target_uscc:
        return "target"
    if candidate.address_key and case.address_key == candidate.address_key:
        return "address"
    return None


def open_cases(session: Session, candidates: Sequence[MergeCandidate]) -> list[OpenCase]:
    """Every open case sharing a blocking key with one of ``candidates`` and received within
    the window of the earliest to the latest of them: one query for a whole chunk."""
    if not candidates:
        return []
    phones = sorted({c.phone_digest for c in candidates if c.phone_digest})
    targets = sorted({c.target_uscc for c in candidates if c.target_uscc})
    addresses = sorted({c.address_key for c in candidates if c.address_key})
    window = timedelta(days=case_settings().merge_window_days)
    received = [aware(c.received_at) for c in candidates]
    columns = (
        Case.id,
        Case.received_at,
        Case.category_code,
        Case.phone_digest,
        Case.target_uscc,
        Case.address_key,
        Case.title,
        Case.content,
    )
    # One SELECT per key, joined by UNION: each is an index lookup of its keys, where a single
    # SELECT with the three conditions OR'ed has PostgreSQL scan the whole table (74 ms for a
    # chunk of 2,000 against 171,000 cases, 18 ms as a union; it grows with the table). The
    # window is applied here, not in SQL: given a range of received_at, the planner may scan
    # that index's range instead (a backlog run then took 4 ms a complaint, not 0.02).
    lookups = [
        select(*columns).where(among(session, column, values))
        for column, values in (
            (Case.phone_digest, phones),
            (Case.target_uscc, targets),
            (Case.address_key, addresses),
        )
        if values
    ]
    if not lookups:
        return []
    earliest, latest = min(received) - window, max(received) + window
    connection = session.connection()  # rows as the driver gives them, not ORM-loaded
    rows = [
        row
        for row in connection.execute(union(*lookups) if len(lookups) > 1 else lookups[0])
        if earliest <= aware(row.received_at) <= latest
    ]
    if not rows:
        return []
    # Which of them are open, by their ids: a join would let the planner start from every
    # open instance (SQLite does), a cost that grows with the store, not with the chunk.
    terminal = connection.execute(
        select(WorkflowInstance.subject_id, WorkflowInstance.terminal).where(
            WorkflowInstance.subject_type == "case",
            among(session, WorkflowInstance.subject_id, [row.id for row in rows]),
        )
    ).all()
    open_ids = {subject_id for subject_id, done in terminal if not done}
    return [
        OpenCase(
            case_id=row.id,
            received_at=aware(row.received_at),
            category_code=row.category_code,
            phone_digest=row.phone_digest,
            target_uscc=row.target_uscc,
            address_key=row.address_key,
            text=case_text(row.title, row.content),
        )
        for row in rows
        if row.id in open_ids
    ]


class MergeIndex:
    """Open cases by blocking key, in memory, for the complaints of one chunk."""

    def __init__(self, cases: Sequence[OpenCase] = ()) -> None:
        self._phone: dict[str, list[OpenCase]] = {}
        self._target: dict[str, list[OpenCase]] = {}
        self._address: dict[str, list[OpenCase]] = {}
        self._window = timedelta(days=case_settings().merge_window_days)
        self._threshold = case_settings().merge_threshold
        for case in cases:
            self.add(case)

    def add(self, case: OpenCase) -> None:
        for index, key in (
            (self._phone, case.phone_digest),
            (self._target, case.target_uscc),
            (self._address, case.address_key),
        ):
            if key:
                index.setdefault(key, []).append(case)

    def find(self, candidate: MergeCandidate) -> MergeMatch | None:
        """The open case ``candidate`` repeats, or None (see the module docstring)."""
        found: dict[int, OpenCase] = {}
        for index, key in (
            (self._phone, candidate.phone_digest),
            (self._target, candidate.target_uscc),
            (self._address, candidate.address_key),
        ):
            if key:
                for case in index.get(key, ()):
                    found[id(case)] = case
        if not found:
            return None
        received = aware(candidate.received_at)
        text = bigrams(candidate.text)
        best: MergeMatch | None = None
        for case in sorted(found.values(), key=lambda case: case.order):
            if abs(case.received_at - received) > self._window:
                continue
            if candidate.category_code and case.category_code not in (
                None,
                candidate.category_code,
            ):
                continue
            key = shared_key(case, candidate)
            if key is None:
                continue
            score = float(fuzz.token_set_ratio(text, case.bigrams))  # = similarity()
            if score >= self._threshold and (best is None or score > best.similarity):
                best = MergeMatch(case=case, similarity=score, blocking_key=key)
        return best
