"""The complaint cases' local settings: ``standards/cases/settings.yaml``.

Province, tracking-number prefix, the re-transfer limit, the merging window and threshold,
and where status messages go: local practice, so data, not constants.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

import standards
from hub.errors import ConfigurationError

CASES_DIR = Path(standards.__file__).resolve().parent / "cases"


@dataclass(frozen=True)
class CaseSettings:
    province_region_prefix: str
    tracking_prefix: str
    max_transfers: int
    merge_window_days: int
    merge_threshold: float
    status_transitions: frozenset[str]
    origin_channels: Mapping[str, str]
    recorded_sources: frozenset[str]
    complaint_statuses: Mapping[str, str]


def read_yaml(name: str) -> Any:
    """A file of ``standards/cases``, parsed; a missing or broken file names itself."""
    path = CASES_DIR / name
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path}: not valid YAML: {exc}") from exc


@cache
def case_settings() -> CaseSettings:
    data = read_yaml("settings.yaml")
    try:
        return CaseSettings(
            province_region_prefix=str(data["province_region_prefix"]),
            tracking_prefix=str(data["tracking_prefix"]),
            max_transfers=int(data["max_transfers"]),
            merge_window_days=int(data["merging"]["window_days"]),
            merge_threshold=float(data["merging"]["threshold"]),
            status_transitions=frozenset(data["status_flow"]["transitions"]),
            origin_channels=dict(data["status_flow"]["origin_channels"]),
            recorded_sources=frozenset(data["status_flow"]["recorded_sources"]),
            complaint_statuses=dict(data["status_flow"]["complaint_statuses"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigurationError(
            f"{CASES_DIR / 'settings.yaml'}: missing or wrong setting: {exc}"
        ) from exc
