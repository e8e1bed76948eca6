"""What Airflow schedules, read from the channel files when a DAG file is parsed.

The DAG processor parses the DAG files again every few seconds, each time in a fresh process,
so this module needs YAML and jsonschema only: no store, no adapter, no compiled mapping, no
connection. A channel file is checked against its schema here; everything else (its mapping
files, adapter settings and secrets) is checked when one of its tasks runs, where a mistake
fails that task with the hub's message.

Schedules are read on China Standard Time (``SCHEDULE_TIMEZONE``), the clock of the systems
the hub exchanges with and of their daily exports, whatever Airflow's own default timezone.

Defaults, for a channel file that does not say:

    schedule: "@daily"             (null: only when triggered)
    retries: 3                     (transient failures only, see hub.scheduling.tasks)
    retry_delay_seconds: 300
    timeout_seconds: 3600          (per try)
    alert_webhook: HUB_ALERT_WEBHOOK, else no alert post
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import yaml

from hub.errors import ConfigurationError
from hub.exchange.directions import fetches, sends
from hub.exchange.schemas import SCHEMA_ROOT, validate_document
from hub.yamlfile import load_located_yaml

SCHEDULE_TIMEZONE = "Asia/Shanghai"
START_DATE = datetime(2025, 1, 1, tzinfo=ZoneInfo(SCHEDULE_TIMEZONE))  # every DAG's
DEFAULT_SCHEDULE = "@daily"
DEFAULT_RETRIES = 3
DEFAULT_RETRY_DELAY_SECONDS = 300
DEFAULT_TIMEOUT_SECONDS = 3600
CHANNEL_FILE_GLOB = "*/channel.yaml"
CHANNEL_SCHEMA = "config/channel.json"
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class ChannelPlan:
    """How Airflow runs one channel: when, how persistently, which tasks, whom to alert."""

    name: str
    title: str
    path: Path
    system: str
    adapter_type: str
    schedule: str | None
    retries: int
    retry_delay: timedelta
    timeout: timedelta
    alert_webhook: str | None
    fetches: bool
    sends: bool

    @property
    def dag_id(self) -> str:
        return f"channel__{self.name}"

    @property
    def pool(self) -> str:
        """One pool per outside system: its slots cap how many of the hub's tasks talk to
        that system at once, across every channel it has."""
        return f"hub_{self.system}"

    @property
    def asset_uri(self) -> str:
        """The channel's data as an Airflow asset, updated by each run that stored something."""
        return f"hub://channel/{self.name}"


@dataclass(frozen=True)
class BrokenChannelFile:
    """A channel file that cannot be planned, and why (the hub's message, file and line)."""

    path: Path
    error: str

    @property
    def dag_id(self) -> str:
        """Named after the file's folder: the file's own name may be what is broken."""
        return "channel_file__" + re.sub(r"[^A-Za-z0-9_.-]", "_", self.path.parent.name)


@dataclass(frozen=True)
class ChannelPlans:
    """Every channel file of a mappings folder: planned, or broken."""

    channels: tuple[ChannelPlan, ...]
    broken: tuple[BrokenChannelFile, ...]

    def pools(self) -> dict[str, list[str]]:
        """Each pool the channels' tasks use, with the channels using it."""
        pools: dict[str, list[str]] = {}
        for channel in self.channels:
            pools.setdefault(channel.pool, []).append(channel.name)
        return pools

    def asset_uris(self) -> list[str]:
        """The assets of the channels that fetch: the only ones that bring fresh data."""
        return [channel.asset_uri for channel in self.channels if channel.fetches]


def mappings_dir() -> Path:
    """``HUB_MAPPINGS_DIR``, else the repository's ``mappings/`` (``hub.settings``' default,
    read here without the settings so that parsing needs none of the service's secrets)."""
    configured = os.environ.get("HUB_MAPPINGS_DIR")
    return Path(configured) if configured else Path(__file__).resolve().parents[2] / "mappings"


def read_plans(root: Path) -> ChannelPlans:
    """Plan every ``<system>/channel.yaml`` under ``root``, in path order.

    A file that fails is kept as broken rather than raised: an exception here would fail the
    whole DAG file, and Airflow would stop scheduling every channel for one bad file.
    """
    channels: dict[str, ChannelPlan] = {}
    broken: list[BrokenChannelFile] = []
    for path in sorted(root.glob(CHANNEL_FILE_GLOB)):
        try:
            plan = plan_channel(path)
        except ConfigurationError as exc:
            broken.append(BrokenChannelFile(path, str(exc)))
            continue
        if plan.name in channels:
            first = channels[plan.name].path
            error = f"{path}: channel name {plan.name!r} already used by {first}"
            broken.append(BrokenChannelFile(path, error))
            continue
        channels[plan.name] = plan
    return ChannelPlans(tuple(channels.values()), tuple(broken))


def plan_channel(path: Path) -> ChannelPlan:
    """One channel file's plan; ``ConfigurationError`` names the file, line and key if wrong."""
    data = channel_file(path)
    adapter = data["adapter"]
    return ChannelPlan(
        name=data["name"],
        title=data["title"],
        path=path,
        system=data.get("system", path.parent.name),
        adapter_type=str(adapter["type"]),
        schedule=data.get("schedule", DEFAULT_SCHEDULE),
        retries=int(data.get("retries", DEFAULT_RETRIES)),
        retry_delay=timedelta(seconds=data.get("retry_delay_seconds", DEFAULT_RETRY_DELAY_SECONDS)),
        timeout=timedelta(seconds=data.get("timeout_seconds", DEFAULT_TIMEOUT_SECONDS)),
        alert_webhook=data.get("alert_webhook"),
        fetches=fetches(adapter),
        sends=sends(data),
    )


def channel_file(path: Path) -> dict[str, Any]:
    """The channel file's content, valid against its schema.

    Parsed with libyaml when PyYAML has it, at a fraction of the pure-Python parser's cost
    (paid on every parse of both DAG files); only a file that fails is read again with line
    numbers, for a message that names them.
    """
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=FAST_LOADER)
    except (OSError, yaml.YAMLError):
        data = None
    if not channel_validator().is_valid(data):
        document = load_located_yaml(path)  # raises, naming file, line and key
        validate_document(CHANNEL_SCHEMA, document)
        data = document.data
    return dict(data)


@cache
def channel_validator() -> jsonschema.Draft202012Validator:
    """The channel schema's validator. The schema is taken as it is: checking it against the
    meta-schema (``load_schema`` does, for the hub's other uses) costs more than validating
    every channel file."""
    schema = json.loads((SCHEMA_ROOT / CHANNEL_SCHEMA).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)
