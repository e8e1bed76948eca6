"""Re-run a revealed draw from what is stored and published, and say whether it holds.

Every digest is recomputed from the stored lists (never taken from the draw row), the
commitment is rebuilt from those digests and the revealed seed, and compared with the
commitment as the audit log recorded it when it was published. Then the draw and the teams
are re-run and compared with the stored result. So changing a candidate, the plan, the
pool, the seed or the public value, even with every stored digest recomputed to match,
fails at least one check; the audit log's own chain (``hub audit verify``) guards the
recorded commitment.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from hub.draws import stored
from hub.draws.algorithm import (
    candidate_digest,
    commitment,
    draw,
    draw_key,
    draw_order,
    inspector_digest,
    plan_digest,
    seed_digest,
)
from hub.draws.assignment import StaffingShortfall, assign
from hub.draws.auditing import recorded, ungrouped
from hub.draws.errors import TransitionRefused
from hub.draws.service import VERIFIABLE, get_draw, public_value_digest
from hub.store.models.draws import Draw


@dataclass(frozen=True)
class Check:
    """One thing verification looked at; ``detail`` says what was found."""

    name: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class Verification:
    """The verdict on a draw, with the picks and teams the re-run produced."""

    draw_id: int
    checks: tuple[Check, ...]
    picks: dict[str, list[str]]
    teams: dict[str, list[str]] | None

    @property
    def ok(self) -> bool:
        return all(check.passed for check in self.checks)


def _same(name: str, recomputed: str, expected: str | None) -> Check:
    if recomputed == expected:
        return Check(name, True, f"digest {recomputed}")
    return Check(name, False, f"recomputed {recomputed}, recorded {expected}")


def _commitment_check(session: Session, draw_row: Draw, recomputed: str) -> Check:
    entry = recorded(session, draw_row.id, "commit")
    published = ungrouped(entry.details["commitment"]) if entry else None
    if entry is not None and recomputed == published == draw_row.commitment:
        return Check("commitment", True, f"{recomputed}, as published (audit entry {entry.seq})")
    return Check(
        "commitment",
        False,
        f"recomputed {recomputed}, on the draw {draw_row.commitment}, published {published}",
    )


def _public_value_check(session: Session, draw_row: Draw) -> Check:
    committed = recorded(session, draw_row.id, "commit")
    entered = recorded(session, draw_row.id, "public_value")
    if committed is None or entered is None:
        return Check("public value", False, "the audit log lacks the commit or the entry")
    if entered.seq < committed.seq:
        return Check("public value", False, "entered before the commitment was published")
    actual = public_value_digest(draw_row.public_value or "")
    if ungrouped(entered.details["public_value"]) != actual:
        return Check("public value", False, "differs from the value entered (audit log)")
    return Check(
        "public value",
        True,
        f"entered after the commitment (audit entries {committed.seq} < {entered.seq})",
    )


def verify_draw(session: Session, draw_id: int) -> Verification:
    """Re-run draw ``draw_id``; refused (``TransitionRefused``) before the seed is revealed."""
    draw_row = get_draw(session, draw_id)
    if draw_row.status not in VERIFIABLE or draw_row.seed is None:
        raise TransitionRefused(
            f"draw {draw_id} is {draw_row.status}: it can be verified once its seed is revealed"
        )
    seed = bytes.fromhex(draw_row.seed)
    strata = stored.load_candidates(session, draw_id, draw_row.candidate_hashes or {})
    pool = stored.load_pool(session, draw_id)
    digests = {name: candidate_digest(members) for name, members in strata.items()}
    plan_hash = plan_digest(draw_row.plan)
    pool_hash = inspector_digest(inspector.entry() for inspector in pool)
    seed_hash = seed_digest(seed)
    checks = [
        _same("plan", plan_hash, draw_row.plan_hash),
        *(
            _same(f"candidates {name}", digests[name], (draw_row.candidate_hashes or {}).get(name))
            for name in sorted(digests)
        ),
        _same("inspector pool", pool_hash, draw_row.inspector_hash),
        _same("seed", seed_hash, draw_row.seed_hash),
        _commitment_check(
            session,
            draw_row,
            commitment(plan=plan_hash, candidates=digests, inspectors=pool_hash, seed=seed_hash),
        ),
        _public_value_check(session, draw_row),
    ]
    key = draw_key(seed, draw_row.public_value or "")
    picks = draw(key, draw_row.plan, strata)
    same_picks = picks == stored.load_picks(session, draw_id)
    checks.append(
        Check(
            "picks",
            same_picks,
            "the same entities, in the same order"
            if same_picks
            else "the re-run picks other entities than those stored",
        )
    )
    teams = None
    if draw_row.status == "assigned":
        try:
            teams = assign(key, draw_row.plan, pool, draw_order(picks))
        except StaffingShortfall as exc:
            checks.append(Check("teams", False, str(exc)))
        else:
            same_teams = teams == stored.load_teams(session, draw_id)
            checks.append(
                Check(
                    "teams",
                    same_teams,
                    "the same inspectors for every entity"
                    if same_teams
                    else "the re-run assigns other inspectors than those stored",
                )
            )
    return Verification(draw_id=draw_id, checks=tuple(checks), picks=picks, teams=teams)
