"""The national push configuration (``mappings/national_push/push.yaml``), loaded and checked.

The file holds what the province needs to talk to the national system beyond the two pull
channels: the REST adapter section of the push, the paths of reconciliation and entity
pulls, the province's signing key (a ``${ENV}`` reference, never the key) and the national
system's public key, pinned; optionally the SOAP side of the same interface (``soap``: a SOAP
adapter section on ``standards/wsdl/national``), and which of the two carries the batches
(``transport``: ``rest``, the default, or ``soap``, which needs the ``soap`` section).
Every error of the file is reported at once, with its line.

    config = load_config()
    with open_adapter(config) as adapter:   # the REST adapter, every request signed
        adapter.push(message)
    with open_soap_adapter(config) as soap: # SubmitBatch, signed in its BatchSignature header
        soap.push(OutboundMessage("batch", json.dumps({"batch": text}).encode(), key))
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import jsonschema
import requests
from requests.auth import AuthBase

from adapters.rest.client import RestAdapter
from adapters.secrets import resolve
from adapters.soap.client import SoapAdapter
from hub.errors import ConfigurationError
from hub.exchange.channels import ChannelConfig, MessageConfig
from hub.exchange.runner import build_adapter
from hub.national.profile import schema
from hub.national.signing import Signer, Verifier, load_private_key, public_key
from hub.national.soap_signing import BatchSignature
from hub.settings import get_settings
from hub.yamlfile import load_located_yaml

CONFIG_FILE = Path("national_push") / "push.yaml"
DEFAULT_WINDOW_SECONDS = 300


class Transport(StrEnum):
    """What carries the batches: the REST adapter (``adapter``) or SubmitBatch (``soap``)."""

    REST = "rest"
    SOAP = "soap"


@dataclass(frozen=True)
class NationalConfig:
    """The push configuration; ``${ENV}`` references resolved only when a key is needed."""

    path: Path
    region_code: str
    department_code: str
    batch_size: int
    adapter: dict[str, Any]
    paths: dict[str, str]
    signing: dict[str, Any] = field(repr=False)
    soap: dict[str, Any] | None = None
    transport: Transport = Transport.REST

    def channel(self, adapter: dict[str, Any] | None = None) -> ChannelConfig:
        """The push as a channel the REST adapter (or ``adapter``, the SOAP section) can be
        built on (no pull messages: the one message named is the batches pushed, which has
        no inbound mapping)."""
        return ChannelConfig(
            name="national_push",
            title="national push",
            path=self.path,
            system="national",
            department_code=self.department_code,
            personal_data=True,
            adapter=adapter or self.adapter,
            messages=(MessageConfig("batches", self.path, ()),),
            subscribe=(),
            raw={},
        )

    def signer(self) -> Signer:
        """The province's signing key, read from where ``signing`` points."""
        where = f"{self.path}: signing"
        own = {key: value for key, value in self.signing.items() if key != "national"}
        settings = resolve(own, where=where)
        return load_private_key(
            settings["algorithm"],
            settings["key_id"],
            key=settings.get("private_key"),
            key_file=settings.get("private_key_file"),
            setting=where,
        )

    def national_verifier(self) -> Verifier:
        """The national system's pinned public key."""
        national = resolve(self.signing["national"], where=f"{self.path}: signing.national")
        return public_key(
            national["algorithm"],
            national["key_id"],
            national["public_key"],
            setting=f"{self.path}: signing.national.public_key",
        )

    @property
    def timestamp_window_seconds(self) -> int:
        return int(self.signing["national"].get("timestamp_window_seconds", DEFAULT_WINDOW_SECONDS))


def load_config(path: Path | None = None) -> NationalConfig:
    """The push configuration under the mappings folder (or at ``path``)."""
    where = path or get_settings().mappings_dir / CONFIG_FILE
    document = load_located_yaml(where)
    validator = jsonschema.Draft202012Validator(schema("push_config"))
    errors = sorted(validator.iter_errors(document.data), key=lambda e: list(map(str, e.path)))
    if errors:
        lines = [f"{document.where(list(e.absolute_path))}: {e.message}" for e in errors]
        raise ConfigurationError("\n  ".join(lines))
    data = document.data
    return NationalConfig(
        path=where,
        region_code=data["region_code"],
        department_code=data["department_code"],
        batch_size=int(data.get("batch_size", 500)),
        adapter=dict(data["adapter"]),
        paths=dict(data["paths"]),
        signing=dict(data["signing"]),
        soap=dict(data["soap"]) if data.get("soap") else None,
        transport=Transport(data.get("transport", Transport.REST)),
    )


class SignedAuth(AuthBase):
    """The adapter's own authentication, then the signature: applied to every attempt, so
    a retried request carries a fresh timestamp and nonce."""

    def __init__(self, inner: AuthBase | None, signer: Signer) -> None:
        self.inner, self.signer = inner, signer

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if self.inner is not None:
            request = self.inner(request)
        body = request.body or b""
        raw = body.encode() if isinstance(body, str) else bytes(body)
        request.headers.update(
            self.signer.signed_headers(str(request.method), str(request.path_url), raw)
        )
        return request


@contextmanager
def open_adapter(config: NationalConfig) -> Iterator[RestAdapter]:
    """The REST adapter of the push, every request it makes signed with the province key."""
    signer = config.signer()
    adapter = build_adapter(config.channel())
    if not isinstance(adapter, RestAdapter):
        raise ConfigurationError(f"{config.path}: adapter.type must be rest")
    adapter.auth = SignedAuth(adapter.auth, signer)
    with adapter:
        yield adapter


@contextmanager
def open_soap_adapter(
    config: NationalConfig, signer: Signer | None = None
) -> Iterator[SoapAdapter]:
    """The SOAP adapter of the ``soap`` section, every call signed with the province key
    (or ``signer``) in the ``BatchSignature`` header (``hub.national.soap_signing``)."""
    if config.soap is None:
        raise ConfigurationError(f"{config.path}: no soap section")
    adapter = build_adapter(config.channel(config.soap))
    if not isinstance(adapter, SoapAdapter):
        raise ConfigurationError(f"{config.path}: soap.type must be soap")
    adapter.extra_security = (BatchSignature(signer or config.signer()),)
    with adapter:
        yield adapter
