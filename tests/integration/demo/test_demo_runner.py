"""``hub demo`` end to end on an empty SQLite store: sample files and every simulator, live."""

from __future__ import annotations

import io
import socket

import pytest
from rich.console import Console
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.demo.runner import DEMO_USER, run_demo
from hub.exchange.channels import default_registry
from hub.exchange.runner import channel_fetches
from hub.security.passwords import verify_password
from hub.store.engine import get_engine
from hub.store.models.users import User


def _demo() -> tuple[str, dict[str, tuple[int, int, int, int]]]:
    out = io.StringIO()
    reports = run_demo(Console(file=out, width=200), entities=300, seed=7)
    assert all(report.balanced for report in reports)
    return out.getvalue(), {
        r.channel: (r.received, r.stored, r.duplicates, r.quarantined) for r in reports
    }


def _sample_and_simulated() -> tuple[set[str], set[str]]:
    channels = default_registry().all()
    simulated = {c.name for c in channels if c.simulator is not None and channel_fetches(c)}
    return {c.name for c in channels if c.simulator is None}, simulated


def test_demo_creates_the_store_runs_every_channel_and_prints_a_working_login() -> None:
    printed, first = _demo()

    from_files, simulated = _sample_and_simulated()
    assert set(first) == from_files | simulated  # every channel that fetches ran once
    assert {"hotline_12345", "platform_12315", "credit_platform"} <= simulated
    assert all(first[c][1] > 0 and first[c][3] > 0 for c in from_files)  # bad rows planted
    assert all(first[c][1] > 0 for c in simulated)
    assert "(balanced)" in printed
    password = printed.split(f"{DEMO_USER} / ")[1].split()[0]
    with Session(get_engine()) as session:
        user = session.scalars(select(User).where(User.username == DEMO_USER)).one()
        assert verify_password(password, user.password_hash)

    printed_again, second = _demo()  # the same data again: nothing new is stored
    assert {c: counts[1] for c, counts in second.items()} == {c: 0 for c in first}
    new_password = printed_again.split(f"{DEMO_USER} / ")[1].split()[0]
    with Session(get_engine()) as session:
        user = session.scalars(select(User).where(User.username == DEMO_USER)).one()
        assert verify_password(new_password, user.password_hash)
        assert not verify_password(password, user.password_hash)


def test_without_a_broker_the_demo_skips_the_amqp_channel_and_says_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as unused:  # a port nobody listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    monkeypatch.setenv("HUB_DEPARTMENTAL_AMQP_URL", f"amqp://guest:guest@127.0.0.1:{port}/%2F")

    printed, reports = _demo()

    assert "departmental_events" not in reports
    assert f"departmental_events: skipped: no AMQP broker answers at 127.0.0.1:{port}" in printed
