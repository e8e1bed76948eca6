"""PostgreSQL ranks candidates by the very keys Python computes (README: "Ranking in a
database"), with its built-in ``sha256()`` and the HMAC pads: no pgcrypto needed."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from hub.draws import stored
from hub.draws.algorithm import draw_key, hmac_pads, pick, quota
from tests.draws_support import run_lifecycle, seed_world

RANKING = text(
    """
    SELECT entity_uscc FROM (
        SELECT c.entity_uscc, max(encode(sha256(:outer || sha256(:inner || convert_to(
            'ticket' || chr(31) || :stratum || chr(31) || c.entity_uscc || chr(31) || n::text,
            'UTF8'))), 'hex') COLLATE "C") AS best
        FROM draw_candidates c CROSS JOIN LATERAL generate_series(1, c.weight) AS n
        WHERE c.draw_id = :draw AND c.stratum = :stratum
        GROUP BY c.entity_uscc
    ) AS keyed
    ORDER BY best DESC, entity_uscc COLLATE "C" DESC
    LIMIT :quota
    """
)


def test_postgresql_picks_exactly_what_python_picks(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no SHA-256 function; the hub ranks in Python there")
    with Session(engine) as session:
        seed_world(session)
        draw = run_lifecycle(session)
        key = draw_key(bytes.fromhex(draw.seed or ""), draw.public_value or "")
        inner, outer = hmac_pads(key)
        strata = stored.load_candidates(session, draw.id, draw.candidate_hashes or {})
        for stratum, members in strata.items():
            count = quota(draw.plan, stratum, len(members))
            in_sql = session.scalars(
                RANKING,
                {
                    "draw": draw.id,
                    "stratum": stratum,
                    "inner": inner,
                    "outer": outer,
                    "quota": count,
                },
            ).all()
            assert in_sql == pick(key, stratum, members, count)
