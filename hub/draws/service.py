"""A draw's life, step by step, each audited:

==============  ==========  ==========  =================================================
step            from        to          what it fixes
==============  ==========  ==========  =================================================
create_plan     -           draft       the plan (editable with ``update_plan``)
freeze          draft       frozen      candidate lists per stratum and the inspector pool
commit          frozen      committed   the secret seed; publishes the commitment
enter_public..  committed   keyed       the public value (e.g. a lottery result)
run_draw        keyed       drawn       the picks, from HMAC(seed, public value)
reveal          drawn       revealed    publishes the seed: anyone can now re-run the draw
assign_teams    revealed    assigned    an inspector team per drawn entity
==============  ==========  ==========  =================================================

The order is the point: the lists and the seed are fixed and committed to before the public
value exists, and the public value is entered before anyone can compute a pick. Nobody,
the hub's operators included, can steer the result without the commitment showing it.

Functions take the caller's session and never commit: the caller's transaction holds the
step and its audit entry together. The seed is generated here (``secrets``); tests and
test vectors may pass one.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from hub.draws import library, stored
from hub.draws.algorithm import (
    commitment,
    digest,
    draw_key,
    draw_order,
    inspector_digest,
    plan_digest,
    quota,
    seed_digest,
)
from hub.draws.assignment import Inspector, StaffingShortfall, TeamRule, assign, shortfalls
from hub.draws.auditing import grouped, record, recorded
from hub.draws.errors import PlanInvalid, StaffingRefused, TransitionRefused
from hub.draws.plan import PlanSpec
from hub.draws.ranking import pick_stored
from hub.errors import NotFoundError
from hub.store.base import utcnow
from hub.store.models.draws import Draw

# step: (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "update": (("draft",), "draft"),
    "freeze": (("draft",), "frozen"),
    "commit": (("frozen",), "committed"),
    "public_value": (("committed",), "keyed"),
    "draw": (("keyed",), "drawn"),
    "reveal": (("drawn",), "revealed"),
    "assign": (("revealed",), "assigned"),
}
# step: the column recording when it was taken
STAMPS = {
    "freeze": "frozen_at",
    "commit": "committed_at",
    "public_value": "keyed_at",
    "draw": "drawn_at",
    "reveal": "revealed_at",
    "assign": "assigned_at",
}
PUBLISHED = ("committed", "keyed", "drawn", "revealed", "assigned")
"""Statuses in which a draw is listed publicly: its commitment is out."""
VERIFIABLE = ("revealed", "assigned")
"""Statuses in which the seed is public and anyone can re-run the draw."""
MAX_PUBLIC_VALUE = 500
SHOWN_SHORTFALLS = 10
LEFT_OUT_BY_CAP = "left_out_by_frequency_cap"
"""The freeze's audit detail: per stratum, entities the frequency cap excluded."""


@dataclass(frozen=True)
class Actor:
    """Who takes a step: a user name (or ``system:<component>``) and department."""

    name: str
    department_code: str


def get_draw(session: Session, draw_id: int) -> Draw:
    draw_row = session.get(Draw, draw_id)
    if draw_row is None:
        raise NotFoundError(f"no draw {draw_id}")
    return draw_row


def _step(session: Session, draw_id: int, step: str) -> Draw:
    """The draw, after checking ``step`` may be taken from its status."""
    draw_row = get_draw(session, draw_id)
    allowed, _ = TRANSITIONS[step]
    if draw_row.status not in allowed:
        raise TransitionRefused(
            f"cannot {step.replace('_', ' ')} draw {draw_id}: it is {draw_row.status}, "
            f"not {' or '.join(allowed)}"
        )
    return draw_row


def _advance(draw_row: Draw, step: str, moment: datetime) -> None:
    draw_row.status = TRANSITIONS[step][1]
    setattr(draw_row, STAMPS[step], moment)


def validate_plan(plan: Mapping[str, Any]) -> PlanSpec:
    """The plan as a ``PlanSpec``; ``PlanInvalid`` lists every problem at once."""
    try:
        return PlanSpec.model_validate(dict(plan))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'plan'}: {error['msg']}"
            for error in exc.errors()
        )
        raise PlanInvalid(f"invalid plan: {problems}") from exc


def create_plan(session: Session, plan: Mapping[str, Any], actor: Actor) -> Draw:
    """A new draft draw for ``plan``."""
    spec = validate_plan(plan)
    document = spec.document()
    draw_row = Draw(
        name=spec.name,
        department_code=spec.department_code,
        region_code=spec.region_code,
        year=spec.year,
        status="draft",
        plan=document,
        created_by=actor.name,
    )
    session.add(draw_row)
    session.flush()
    record(session, draw_row, "plan_create", actor.name, _plan_details(document))
    return draw_row


def update_plan(session: Session, draw_id: int, plan: Mapping[str, Any], actor: Actor) -> Draw:
    """Replace a draft's plan; a frozen plan never changes."""
    draw_row = _step(session, draw_id, "update")
    spec = validate_plan(plan)
    document = spec.document()
    draw_row.plan = document
    draw_row.name, draw_row.year = spec.name, spec.year
    draw_row.department_code, draw_row.region_code = spec.department_code, spec.region_code
    record(session, draw_row, "plan_update", actor.name, _plan_details(document))
    return draw_row


def _plan_details(document: Mapping[str, Any]) -> dict[str, Any]:
    return {"plan": grouped(plan_digest(document)), "items": len(document["items"])}


def freeze(session: Session, draw_id: int, actor: Actor, *, as_of: datetime | None = None) -> Draw:
    """Fix the candidate lists and the inspector pool from the libraries as of ``as_of``.

    The candidates stream from the entity library into the store, hashed on the way. Refused
    (``StaffingRefused``) when some candidate could not be given a team: the draw must be
    carried out as committed, so the inspector library is fixed first. A refusal leaves the
    caller's transaction to roll back what was written.
    """
    draw_row = _step(session, draw_id, "freeze")
    moment = (as_of or utcnow()).astimezone(UTC)
    spec = validate_plan(draw_row.plan)
    candidates = library.CandidateStream(session, spec, moment, draw_row.id)
    strata = stored.save_candidates(session, draw_row.id, spec.quotas, candidates)
    pool = library.inspector_pool(session, spec, moment, draw_row.id)
    document = {
        **spec.document(),
        "draw_id": draw_row.id,
        "frozen_at": moment.isoformat(timespec="seconds"),
    }
    problems = _staffing_problems(session, draw_row.id, document, pool)
    if problems:
        shown = "; ".join(str(problem) for problem in problems[:SHOWN_SHORTFALLS])
        raise StaffingRefused(
            f"some candidates could not be staffed, e.g. {shown}; add or qualify inspectors"
        )
    stored.save_pool(session, draw_row.id, pool)
    draw_row.plan = document
    draw_row.plan_hash = plan_digest(document)
    draw_row.candidate_hashes = {name: frozen.digest.hexdigest() for name, frozen in strata.items()}
    draw_row.inspector_hash = inspector_digest(inspector.entry() for inspector in pool)
    _advance(draw_row, "freeze", moment)
    record(
        session,
        draw_row,
        "freeze",
        actor.name,
        {
            "plan": grouped(draw_row.plan_hash),
            "candidates": {
                name: {"count": frozen.count, "digest": grouped(draw_row.candidate_hashes[name])}
                for name, frozen in strata.items()
            },
            "inspectors": {"count": len(pool), "digest": grouped(draw_row.inspector_hash)},
            LEFT_OUT_BY_CAP: {name: candidates.left_out[name] for name in sorted(strata)},
        },
    )
    return draw_row


def _staffing_problems(
    session: Session, draw_id: int, plan: Mapping[str, Any], pool: list[Inspector]
) -> list[StaffingShortfall]:
    """Candidates that could not be staffed: each conflicted one is checked, and one without
    any conflict stands for all the others (they all face the whole pool)."""
    rule = TeamRule.from_plan(plan)
    conflicted = {entity for inspector in pool for entity in inspector.avoid}
    problems = shortfalls(rule, pool, sorted(conflicted))
    other = stored.first_candidate_outside(session, draw_id, conflicted)
    if other is not None:
        problems.extend(shortfalls(rule, pool, [other]))
    return problems


def left_out_by_cap(session: Session, draw_id: int) -> dict[str, int] | None:
    """Per stratum, the entities the frequency cap kept out of a frozen draw (as recorded)."""
    entry = recorded(session, draw_id, "freeze")
    return None if entry is None else dict(entry.details.get(LEFT_OUT_BY_CAP, {}))


def commit(session: Session, draw_id: int, actor: Actor, *, seed: bytes | None = None) -> Draw:
    """Draw the secret seed and publish the commitment to everything that decides the draw."""
    draw_row = _step(session, draw_id, "commit")
    secret = seed if seed is not None else secrets.token_bytes(32)
    assert draw_row.plan_hash and draw_row.inspector_hash and draw_row.candidate_hashes
    draw_row.seed_hash = seed_digest(secret)
    draw_row.sealed_seed = secret.hex()
    draw_row.commitment = commitment(
        plan=draw_row.plan_hash,
        candidates=draw_row.candidate_hashes,
        inspectors=draw_row.inspector_hash,
        seed=draw_row.seed_hash,
    )
    _advance(draw_row, "commit", utcnow())
    record(
        session,
        draw_row,
        "commit",
        actor.name,
        {"commitment": grouped(draw_row.commitment), "seed": grouped(draw_row.seed_hash)},
    )
    return draw_row


def public_value_digest(value: str) -> str:
    """How the audit log pins the public value (the value itself is on the draw)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def enter_public_value(
    session: Session, draw_id: int, value: str, source: str, actor: Actor
) -> Draw:
    """Record the public value nobody could know at commitment time, and where it came from
    (e.g. "中国福利彩票 3D 第 2026123 期开奖号码")."""
    draw_row = _step(session, draw_id, "public_value")
    value, source = value.strip(), source.strip()
    for name, text in (("public value", value), ("its source", source)):
        if not text or len(text) > MAX_PUBLIC_VALUE:
            raise PlanInvalid(f"{name} must have 1 to {MAX_PUBLIC_VALUE} characters")
    draw_row.public_value, draw_row.public_value_source = value, source
    _advance(draw_row, "public_value", utcnow())
    record(
        session,
        draw_row,
        "public_value",
        actor.name,
        {"public_value": grouped(public_value_digest(value))},
    )
    return draw_row


def run_draw(session: Session, draw_id: int, actor: Actor) -> Draw:
    """Pick the entities: each stratum's quota, drawn by weight in draw-number order."""
    draw_row = _step(session, draw_id, "draw")
    assert draw_row.sealed_seed is not None and draw_row.public_value is not None
    key = draw_key(bytes.fromhex(draw_row.sealed_seed), draw_row.public_value)
    picks = {
        stratum: pick_stored(
            session,
            draw_row.id,
            stratum,
            key,
            quota(
                draw_row.plan, stratum, stored.stratum_extent(session, draw_row.id, stratum).size
            ),
        )
        for stratum in sorted(draw_row.candidate_hashes or {})
    }
    stored.save_picks(session, draw_row.id, picks)
    _advance(draw_row, "draw", utcnow())
    record(
        session,
        draw_row,
        "draw",
        actor.name,
        {
            "quotas": {name: len(ranked) for name, ranked in picks.items()},
            "picks": grouped(digest(picks)),
        },
    )
    return draw_row


def reveal(session: Session, draw_id: int, actor: Actor) -> Draw:
    """Publish the seed (and so the candidate lists become checkable against it)."""
    draw_row = _step(session, draw_id, "reveal")
    draw_row.seed, draw_row.sealed_seed = draw_row.sealed_seed, None
    _advance(draw_row, "reveal", utcnow())
    assert draw_row.seed is not None
    record(session, draw_row, "reveal", actor.name, {"seed": grouped(draw_row.seed)})
    return draw_row


def assign_teams(session: Session, draw_id: int, actor: Actor) -> Draw:
    """Give every drawn entity its inspector team (``hub.draws.assignment``)."""
    draw_row = _step(session, draw_id, "assign")
    assert draw_row.seed is not None and draw_row.public_value is not None
    key = draw_key(bytes.fromhex(draw_row.seed), draw_row.public_value)
    pool = stored.load_pool(session, draw_row.id)
    picks = stored.load_picks(session, draw_row.id)
    teams = assign(key, draw_row.plan, pool, draw_order(picks))
    departments = {inspector.id: inspector.department for inspector in pool}
    stored.save_teams(session, draw_row.id, teams, departments)
    _advance(draw_row, "assign", utcnow())
    record(
        session,
        draw_row,
        "assign",
        actor.name,
        {"entities": len(teams), "teams": grouped(digest(teams))},
    )
    return draw_row
