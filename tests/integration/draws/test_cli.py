"""``hub draw verify`` on a migrated store (so the 0002 migration is exercised too)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from hub.cli.main import app
from hub.draws import service
from hub.store.base import Base
from hub.store.migrate import upgrade
from hub.store.models.draws import Draw
from tests.draws_support import ACTOR, AS_OF, plan, run_lifecycle, seed_world

runner = CliRunner()


@pytest.fixture
def migrated(engine: Engine) -> Engine:
    Base.metadata.drop_all(engine)
    upgrade(engine)
    with Session(engine) as session, session.begin():
        seed_world(session)
        run_lifecycle(session)
        frozen = service.create_plan(session, plan(), ACTOR)
        service.freeze(session, frozen.id, ACTOR, as_of=AS_OF)
    return engine


def verify(draw_id: str) -> tuple[int, str]:
    result = runner.invoke(app, ["draw", "verify", draw_id])
    return result.exit_code, " ".join(result.output.split())


def test_a_sound_draw_holds(migrated: Engine) -> None:
    code, output = verify("1")
    assert code == 0, output
    assert "ok commitment:" in output and "ok picks:" in output and "ok teams:" in output
    assert "draw 1 holds: 19 entities, 19 team(s)" in output


def test_a_forged_draw_fails_with_exit_1(migrated: Engine) -> None:
    with Session(migrated) as session, session.begin():
        session.get_one(Draw, 1).public_value = "another lottery"
    code, output = verify("1")
    assert code == 1
    assert "FAIL public value" in output and "draw 1 does NOT hold" in output


@pytest.mark.parametrize(
    ("draw_id", "message"),
    [("2", "it can be verified once its seed is revealed"), ("99", "no draw 99")],
)
def test_what_cannot_be_checked_exits_2(migrated: Engine, draw_id: str, message: str) -> None:
    code, output = verify(draw_id)
    assert code == 2
    assert message in output
