"""``hub demo`` end to end on an empty SQLite store (settings point at the test's folder)."""

from __future__ import annotations

import io

from rich.console import Console
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.demo.runner import DEMO_USER, run_demo
from hub.security.passwords import verify_password
from hub.store.engine import get_engine
from hub.store.models.users import User


def _demo() -> tuple[str, list[tuple[int, int, int, int]]]:
    out = io.StringIO()
    reports = run_demo(Console(file=out, width=200), entities=300, seed=7)
    assert all(report.balanced for report in reports)
    return out.getvalue(), [(r.received, r.stored, r.duplicates, r.quarantined) for r in reports]


def test_demo_creates_the_store_ingests_every_channel_and_prints_a_working_login() -> None:
    printed, first = _demo()
    assert len(first) == 8  # one run per channel of mappings/
    assert all(stored > 0 and quarantined > 0 for _, stored, _, quarantined in first)
    assert "(balanced)" in printed
    password = printed.split(f"{DEMO_USER} / ")[1].split()[0]
    with Session(get_engine()) as session:
        user = session.scalars(select(User).where(User.username == DEMO_USER)).one()
        assert verify_password(password, user.password_hash)

    printed_again, second = _demo()  # the same sample again: nothing new is stored
    assert [stored for _, stored, _, _ in second] == [0] * len(second)
    assert [received for received, *_ in second] == [received for received, *_ in first]
    new_password = printed_again.split(f"{DEMO_USER} / ")[1].split()[0]
    with Session(get_engine()) as session:
        user = session.scalars(select(User).where(User.username == DEMO_USER)).one()
        assert verify_password(new_password, user.password_hash)
        assert not verify_password(password, user.password_hash)
