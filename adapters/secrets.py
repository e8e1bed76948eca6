"""Secrets in channel files are ``${ENV_VAR}`` references, resolved when an adapter starts.

A missing variable stops the channel with a message naming it; resolved values are masked in
every message the adapters build (``mask``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from hub.errors import MissingSecretError

_REFERENCE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")
MASK = "****"


def resolve(settings: Any, *, where: str, environ: Mapping[str, str] | None = None) -> Any:
    """``settings`` with every ``${NAME}`` replaced by the environment's value.

    ``where`` names the channel for the error message of a missing variable.
    """
    env = os.environ if environ is None else environ
    if isinstance(settings, dict):
        return {key: resolve(value, where=where, environ=env) for key, value in settings.items()}
    if isinstance(settings, list):
        return [resolve(value, where=where, environ=env) for value in settings]
    if not isinstance(settings, str):
        return settings

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in env:
            raise MissingSecretError(f"{where}: set the environment variable {name}")
        return env[name]

    return _REFERENCE.sub(substitute, settings)


def secret_values(settings: Any, *, environ: Mapping[str, str] | None = None) -> set[str]:
    """The values that ``${NAME}`` references in ``settings`` stand for (to mask them)."""
    env = os.environ if environ is None else environ
    found: set[str] = set()
    if isinstance(settings, dict):
        for value in settings.values():
            found |= secret_values(value, environ=env)
    elif isinstance(settings, list):
        for value in settings:
            found |= secret_values(value, environ=env)
    elif isinstance(settings, str):
        found |= {env[name] for name in _REFERENCE.findall(settings) if env.get(name)}
    return found


def mask(text: str, secrets: set[str]) -> str:
    """``text`` with every secret value replaced by ``****``."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


@contextmanager
def environment_overlay(values: Mapping[str, str]) -> Iterator[None]:
    """``values`` set in ``os.environ`` for the block, the previous values restored after."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
