"""``hub demo``: a fresh SQLite store, a realistic sample, every channel run once, counts shown.

Channels fed by files take the generated sample; every channel with a simulator runs through
its real adapter against the simulator started in-process (``hub.demo.simulated``).
"""

from __future__ import annotations

import secrets
from collections import defaultdict

from rich.console import Console
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.cli.catalog import demo_coverage
from hub.cli.exchange import counts_table
from hub.demo.cases import demo_cases
from hub.demo.draws import run_demo_draw
from hub.demo.national import push_to_national
from hub.demo.power_lists import power_list_sample
from hub.demo.sample import REFERENCE_DATE, SampleFile, generate_sample
from hub.demo.simulated import run_simulated_channels
from hub.exchange.channels import ChannelRegistry, default_registry
from hub.exchange.envelopes import Arrival
from hub.exchange.pipeline import ingest
from hub.exchange.report import RunReport
from hub.exchange.runner import channel_fetches
from hub.security.passwords import hash_password
from hub.settings import get_settings
from hub.store.engine import get_engine
from hub.store.migrate import upgrade
from hub.store.models.users import User

DEMO_USER = "demo-admin"


def run_demo(console: Console, *, entities: int = 3000, seed: int = 2019) -> list[RunReport]:
    """Set up the store, generate the sample, ingest it channel by channel; print the table."""
    settings = get_settings()
    engine = get_engine()
    upgrade(engine)
    console.print(f"store: {engine.url.render_as_string()}")
    out_dir = settings.var_dir / "demo" / f"seed-{seed}"
    files = generate_sample(out_dir, seed=seed, entities=entities)
    files += power_list_sample(out_dir, files)
    console.print(f"sample: {len(files)} file(s) in {out_dir}")
    registry = default_registry()
    reports = ingest_sample(engine, [f for f in files if not _simulated(registry, f.channel)])
    live = run_simulated_channels(engine, registry)
    reports.extend(live.reports)
    console.print(counts_table(reports, title="demo: every channel run once"))
    for channel, reason in live.skipped:
        console.print(f"  {channel}: {reason}")
    total = RunReport(channel="all channels")
    for report in reports:
        total.add(report)
    console.print(
        total.summary() + (" (balanced)" if total.balanced else " [red](NOT balanced)[/red]")
    )
    demo_coverage(console, engine, REFERENCE_DATE)
    demo_cases(console, engine)
    run_demo_draw(console, engine)
    push_to_national(console, engine)
    password = ensure_demo_user(engine)
    console.print(f"work API user: {DEMO_USER} / {password} (admin; a new password every demo run)")
    return reports


def _simulated(registry: ChannelRegistry, channel: str) -> bool:
    """Whether the channel's data comes from its simulator rather than the sample files."""
    config = registry.get(channel)
    return config.simulator is not None and channel_fetches(config)


def ingest_sample(engine: Engine, files: list[SampleFile]) -> list[RunReport]:
    """One run per channel over its sample files, in the order the sample lists them."""
    registry = default_registry()
    by_channel: dict[str, list[SampleFile]] = defaultdict(list)
    for sample in files:
        by_channel[sample.channel].append(sample)
    reports = []
    for channel_name, samples in by_channel.items():
        config = registry.get(channel_name)
        arrivals = [
            Arrival(
                channel=channel_name, message_type=s.message, payload=s.path, file_name=s.path.name
            )
            for s in samples
        ]
        reports.append(ingest(engine, config, arrivals, subscribers=registry.subscribers))
    return reports


def ensure_demo_user(engine: Engine) -> str:
    """The demo's admin account with a fresh password, returned to be shown (each demo run
    prints the one that works now; the demo is a development tool, never a deployment)."""
    password = secrets.token_urlsafe(12)
    with Session(engine) as session, session.begin():
        user = session.scalars(select(User).where(User.username == DEMO_USER)).first()
        if user is None:
            user = User(
                username=DEMO_USER,
                role="admin",
                department_code="HUB",
                region_code="000000",
                active=True,
            )
            session.add(user)
        user.password_hash = hash_password(password)
    return password
