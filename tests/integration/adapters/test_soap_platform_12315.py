"""The SOAP adapter (zeep) against the 12315 simulator on a real socket.

Every test talks WS-Security over HTTP to ``simulators/platform_12315``; the WSDL comes from
``standards/wsdl`` and is never fetched.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from adapters.base import OutboundMessage
from adapters.soap.transport import LocalOnlyTransport
from hub.errors import ConfigurationError, ParseError, RetryLater
from hub.exchange.channels import ChannelConfig, load_channel
from hub.exchange.cursors import read_cursor
from hub.exchange.runner import build_adapter, run_channel
from hub.store.base import Base
from hub.store.models.complaints import Complaint
from hub.store.models.exchange import Envelope
from simulators.platform_12315 import RunningPlatform12315, complaints
from simulators.registry import SimulatorOptions, start_simulator

StartSimulator = Callable[..., RunningPlatform12315]
SEED = 2019
PASSWORD = "12315-simulator"


def make_key_pair(folder: Path, name: str) -> tuple[Path, Path]:
    """A self-signed RSA key and certificate as PEM files ``<name>.key`` and ``<name>.crt``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / f"{name}.key", folder / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def channel_copy(repo_root: Path, folder: Path, url: str, **adapter: Any) -> Path:
    """``mappings/platform_12315`` copied to ``folder``, pointed at ``url``, with ``adapter``
    settings merged in (``username_token=None`` removes the token)."""
    shutil.copytree(repo_root / "mappings" / "platform_12315", folder)
    path = folder / "channel.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["adapter"].update(url=url, **adapter)
    document["adapter"] = {k: v for k, v in document["adapter"].items() if v is not None}
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def simulator() -> Iterator[StartSimulator]:
    """Start the 12315 simulator with the given faults; stopped after the test."""
    running: list[RunningPlatform12315] = []

    def start(**faults: Any) -> RunningPlatform12315:
        sim = start_simulator("platform_12315", SimulatorOptions(seed=SEED, faults=faults))
        running.append(cast(RunningPlatform12315, sim))
        return running[-1]

    yield start
    for sim in running:
        sim.stop()


@pytest.fixture(autouse=True)
def password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_12315_PASSWORD", PASSWORD)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("certificates")
    paths: dict[str, Path] = {}
    for name in ("client", "server", "intruder"):
        paths[f"{name}_key"], paths[f"{name}_cert"] = make_key_pair(folder, name)
    return paths


def _channel(repo_root: Path, tmp_path: Path, url: str, **adapter: Any) -> ChannelConfig:
    return load_channel(channel_copy(repo_root, tmp_path / "platform_12315", url, **adapter))


def _count(engine: Engine, model: type[Base]) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_run_stores_every_page_with_balanced_counts_and_sealed_phones(
    engine: Engine, simulator: StartSimulator, repo_root: Path, tmp_path: Path
) -> None:
    sim = simulator(complaints=25, page_size=10, malformed_every=7)
    channel = _channel(repo_root, tmp_path, sim.url)

    report = run_channel(engine, channel)

    assert (report.received, report.stored, report.quarantined, report.envelopes) == (25, 22, 3, 3)
    assert report.received == report.stored + report.duplicates + report.quarantined
    assert read_cursor(engine, channel.name) == "2024-03-31T10:55:00+00:00|0"
    assert run_channel(engine, channel).received == 0  # nothing updated since

    expected = complaints(SEED, 25)
    with Session(engine) as session:
        first = session.scalars(
            select(Complaint).where(Complaint.source_number == expected[0]["number"])
        ).one()
        assert first.complainant_phone == expected[0]["phone"]
        assert first.target_uscc == expected[0]["uscc"]
        assert first.source == "platform_12315"
    with engine.connect() as connection:
        stored = "".join(
            repr(row)
            for table in Base.metadata.sorted_tables
            for row in connection.execute(text(f'SELECT * FROM "{table.name}"'))
        )
    assert stored
    assert not [r["phone"] for r in expected if r["phone"] in stored]


def test_wrong_password_is_a_configuration_error(
    sqlite_engine: Engine,
    simulator: StartSimulator,
    repo_root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = simulator()
    monkeypatch.setenv("HUB_12315_PASSWORD", "guessed")
    channel = _channel(repo_root, tmp_path, sim.url)
    with pytest.raises(ConfigurationError, match="FailedAuthentication") as caught:
        run_channel(sqlite_engine, channel)
    assert "guessed" not in str(caught.value)
    assert _count(sqlite_engine, Envelope) == 0


def test_a_plain_text_password_is_refused_by_the_platform(
    simulator: StartSimulator, repo_root: Path, tmp_path: Path
) -> None:
    sim = simulator()
    token = {"username": "hub", "password": "${HUB_12315_PASSWORD}", "digest": False}
    channel = _channel(repo_root, tmp_path, sim.url, username_token=token)
    with (
        build_adapter(channel) as adapter,
        pytest.raises(ConfigurationError, match="PasswordDigest"),
    ):
        next(adapter.fetch(None))


def test_a_platform_slower_than_the_timeout_is_retried_later(
    simulator: StartSimulator, repo_root: Path, tmp_path: Path
) -> None:
    sim = simulator(latency_seconds=0.5)
    channel = _channel(repo_root, tmp_path, sim.url, timeout_seconds=0.1)
    with build_adapter(channel) as adapter, pytest.raises(RetryLater, match="Timeout"):
        next(adapter.fetch(None))


def test_a_server_fault_is_retried_later_and_the_next_run_resumes(
    sqlite_engine: Engine, simulator: StartSimulator, repo_root: Path, tmp_path: Path
) -> None:
    sim = simulator(server_faults=1)
    channel = _channel(repo_root, tmp_path, sim.url)
    with pytest.raises(RetryLater, match="soap:Server"):
        run_channel(sqlite_engine, channel)
    assert read_cursor(sqlite_engine, channel.name) is None
    assert run_channel(sqlite_engine, channel).stored == 25


@pytest.mark.parametrize("hostile", ["dtd", "entity"])
def test_a_response_with_a_dtd_or_entity_is_refused_and_nothing_is_fetched(
    hostile: str, sqlite_engine: Engine, simulator: StartSimulator, repo_root: Path, tmp_path: Path
) -> None:
    sim = simulator(hostile=hostile)
    channel = _channel(repo_root, tmp_path, sim.url)
    with pytest.raises(ParseError, match="DTD or entities"):
        run_channel(sqlite_engine, channel)
    assert (_count(sqlite_engine, Envelope), _count(sqlite_engine, Complaint)) == (0, 0)


def test_x509_signatures_both_ways_are_accepted(
    sqlite_engine: Engine,
    simulator: StartSimulator,
    certificates: dict[str, Path],
    repo_root: Path,
    tmp_path: Path,
) -> None:
    sim = simulator(
        client_cert=str(certificates["client_cert"]),
        server_key=str(certificates["server_key"]),
        server_cert=str(certificates["server_cert"]),
    )
    signature = {
        "key_file": str(certificates["client_key"]),
        "cert_file": str(certificates["client_cert"]),
        "server_cert_file": str(certificates["server_cert"]),
    }
    channel = _channel(repo_root, tmp_path, sim.url, signature=signature)
    assert run_channel(sqlite_engine, channel).stored == 25


def test_a_request_signed_by_another_key_is_refused(
    simulator: StartSimulator, certificates: dict[str, Path], repo_root: Path, tmp_path: Path
) -> None:
    sim = simulator(
        client_cert=str(certificates["client_cert"]),
        server_key=str(certificates["server_key"]),
        server_cert=str(certificates["server_cert"]),
    )
    signature = {
        "key_file": str(certificates["intruder_key"]),
        "cert_file": str(certificates["intruder_cert"]),
        "server_cert_file": str(certificates["server_cert"]),
    }
    channel = _channel(repo_root, tmp_path, sim.url, signature=signature)
    with build_adapter(channel) as adapter, pytest.raises(ConfigurationError, match="FailedCheck"):
        next(adapter.fetch(None))


def test_a_response_with_a_wrong_signature_digest_is_refused(
    sqlite_engine: Engine,
    simulator: StartSimulator,
    certificates: dict[str, Path],
    repo_root: Path,
    tmp_path: Path,
) -> None:
    sim = simulator(
        server_key=str(certificates["server_key"]),
        server_cert=str(certificates["server_cert"]),
        nonconforming_digest=True,
    )
    signature = {
        "key_file": str(certificates["client_key"]),
        "cert_file": str(certificates["client_cert"]),
        "server_cert_file": str(certificates["server_cert"]),
    }
    channel = _channel(repo_root, tmp_path, sim.url, signature=signature)
    with pytest.raises(ConfigurationError, match="signature does not verify"):
        run_channel(sqlite_engine, channel)
    assert _count(sqlite_engine, Envelope) == 0


def test_push_with_the_same_idempotency_key_twice_has_one_effect_and_one_receipt(
    simulator: StartSimulator, repo_root: Path, tmp_path: Path
) -> None:
    sim = simulator()
    channel = _channel(repo_root, tmp_path, sim.url)
    number = complaints(SEED, 1)[0]["number"]
    payload = {
        "complaintNumber": number,
        "result": "调解成功，商家退款",
        "handledAt": "2024-04-02T09:30:00+08:00",
    }
    message = OutboundMessage(
        "handling_result", json.dumps(payload).encode(), idempotency_key="complaint.handled:1"
    )
    with build_adapter(channel) as adapter:
        first, second = adapter.push(message), adapter.push(message)
    assert first.accepted and second.accepted
    assert first.remote_id == second.remote_id == "R12315-000001"
    assert "duplicate" in second.detail and not first.detail
    assert sim.platform.effects == [
        {"number": number, "key": "complaint.handled:1", "result": "调解成功，商家退款"}
    ]


def test_the_wsdl_is_never_fetched_over_the_network(tmp_path: Path) -> None:
    transport = LocalOnlyTransport(tmp_path, timeout=1, verify=True)
    with pytest.raises(ConfigurationError, match="fetched at run time"):
        transport.load("http://127.0.0.1:9/platform_12315.wsdl")
    with pytest.raises(ConfigurationError, match="not a file under"):
        transport.load("/etc/passwd")


def test_a_platform_deduplicating_by_complaint_answers_a_new_key_with_the_first_receipt(
    simulator: StartSimulator, repo_root: Path, tmp_path: Path
) -> None:
    sim = simulator(duplicate_receipts=True)
    channel = _channel(repo_root, tmp_path, sim.url)
    number = complaints(SEED, 1)[0]["number"]
    payload = json.dumps(
        {"complaintNumber": number, "result": "已办结", "handledAt": "2024-04-02T09:30:00+08:00"}
    ).encode()
    with build_adapter(channel) as adapter:
        receipts = [
            adapter.push(OutboundMessage("handling_result", payload, idempotency_key=key))
            for key in ("first", "second")
        ]
    assert [r.remote_id for r in receipts] == ["R12315-000001", "R12315-000001"]
    assert "duplicate" in receipts[1].detail
    assert len(sim.platform.effects) == 1
