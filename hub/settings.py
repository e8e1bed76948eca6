"""Service settings, read from the environment (``HUB_*``) and an optional ``.env`` file.

The service refuses to start with a default secret unless ``HUB_ENV=development``; the
message names the variable to set.
"""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache
from pathlib import Path
from typing import Literal

from limits import parse_many
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hub.errors import ConfigurationError

REPO_ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT_SECRET = "development-only-secret-do-not-use-in-production"
# 32 zero-ish bytes, base64: only ever accepted in development.
DEVELOPMENT_DATA_KEY = base64.b64encode(b"hub-development-data-key-32bytes").decode()


class Settings(BaseSettings):
    """Everything the hub reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="HUB_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = Field(
        default=f"sqlite:///{REPO_ROOT / 'var' / 'hub.db'}",
        description="SQLAlchemy URL of the canonical store (SQLite file or PostgreSQL).",
    )
    var_dir: Path = REPO_ROOT / "var"
    mappings_dir: Path = REPO_ROOT / "mappings"
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    data_keys: SecretStr = Field(
        default=SecretStr(f"k1:{DEVELOPMENT_DATA_KEY}"),
        description=(
            "Keys for personal data at rest: comma-separated KEY_ID:BASE64 (32 bytes each); "
            "the first encrypts, all decrypt."
        ),
    )
    audit_anchor_path: Path | None = Field(
        default=None,
        description="File outside the database holding the audit chain's head "
        "(default: var_dir/audit-anchor.json).",
    )
    token_ttl_seconds: int = 3600
    chunk_size: int = 5000
    alert_webhook: str | None = Field(
        default=None,
        description="URL (or ${ENV} reference) that failed Airflow tasks post an alert to "
        "when their channel file names no alert_webhook of its own.",
    )

    public_rate_limit: str = Field(
        default="20/minute",
        description="Requests each public client (API key, else IP address) may make to the "
        "public POST endpoints, in the limits package's notation: 20/minute, 100/hour, ...",
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis holding the public rate-limit counters, shared by every API "
        "process (redis://host:6379/0); without it each process counts in memory.",
    )
    rate_limit_key_prefix: str = Field(
        default="hub-ratelimit",
        description="Prefix of the rate-limit keys in Redis, so several hubs can share one.",
    )
    public_api_keys: SecretStr = Field(
        default=SecretStr(""),
        description="Keys issued to public clients (311 apps, partner portals): comma-separated "
        "NAME:KEY. Open311 POSTs need one; with one, a client is rate-limited by its name.",
    )
    open311_jurisdiction_id: str = Field(
        default="ah.gov.cn",
        description="The Open311 jurisdiction_id this endpoint answers to (the province's site).",
    )

    @field_validator("public_rate_limit")
    @classmethod
    def _parse_rate_limit(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError as exc:
            raise ConfigurationError(
                f"HUB_PUBLIC_RATE_LIMIT {value!r} is not a rate limit; write e.g. 20/minute"
            ) from exc
        return value

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Settings:
        if self.env == "development":
            return self
        if self.secret_key.get_secret_value() == DEVELOPMENT_SECRET:
            raise ConfigurationError(
                "HUB_SECRET_KEY is the development default; set HUB_SECRET_KEY "
                "(or HUB_ENV=development for a local trial)"
            )
        if DEVELOPMENT_DATA_KEY in self.data_keys.get_secret_value():
            raise ConfigurationError(
                "HUB_DATA_KEYS holds the development key; set HUB_DATA_KEYS=k2:<base64 32 bytes>"
            )
        return self

    def data_key_ring(self) -> list[tuple[str, bytes]]:
        """Parse ``HUB_DATA_KEYS`` into (key id, 32-byte key), encrypting key first."""
        ring: list[tuple[str, bytes]] = []
        for part in self.data_keys.get_secret_value().split(","):
            part = part.strip()
            if not part:
                continue
            key_id, sep, encoded = part.partition(":")
            if not sep or not key_id:
                raise ConfigurationError("HUB_DATA_KEYS entries must be KEY_ID:BASE64")
            try:
                key = base64.b64decode(encoded, validate=True)
            except binascii.Error as exc:
                raise ConfigurationError(f"HUB_DATA_KEYS key {key_id!r} is not base64") from exc
            if len(key) != 32:
                raise ConfigurationError(f"HUB_DATA_KEYS key {key_id!r} must be 32 bytes")
            ring.append((key_id, key))
        if not ring:
            raise ConfigurationError("HUB_DATA_KEYS is empty; set at least one KEY_ID:BASE64")
        return ring

    def public_api_key_names(self) -> dict[str, str]:
        """Parse ``HUB_PUBLIC_API_KEYS`` into {key: client name}."""
        names: dict[str, str] = {}
        for part in self.public_api_keys.get_secret_value().split(","):
            entry = part.strip()
            if not entry:
                continue
            name, sep, key = entry.partition(":")
            if not sep or not name or not key:
                raise ConfigurationError("HUB_PUBLIC_API_KEYS entries must be NAME:KEY")
            names[key] = name
        return names

    @property
    def anchor_path(self) -> Path:
        return self.audit_anchor_path or self.var_dir / "audit-anchor.json"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call ``get_settings.cache_clear()`` after patching env."""
    return Settings()
