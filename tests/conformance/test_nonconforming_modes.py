"""``hub conformance`` against simulators that break the profile: each run exits non-zero and
names the check that caught it, and the same simulators conforming pass."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli.main import app
from hub.errors import UnknownNameError
from tests.integration.adapters.test_soap_platform_12315 import make_key_pair

CASES = [
    ("hotline_12345", ["schema_drift"], "schema"),
    ("hotline_12345", ["out_of_order_pages"], "order"),
    ("hotline_12345", ["missing_retry_after"], "faults"),
    ("hotline_12345", ["duplicate_receipts"], "push"),
    ("platform_12315", ["duplicate_receipts"], "push"),
    ("credit_platform", ["changed_host_key"], "authenticate"),
    ("national_catalog", ["schema_drift"], "schema"),
    ("national_catalog", ["out_of_order_pages"], "order"),
    ("national_complaints", ["missing_retry_after"], "faults"),
    ("departmental_events", ["malformed=0.05"], "schema"),
]


def _conformance(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["conformance", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize(("channel", "modes", "check"), CASES)
def test_a_nonconforming_simulator_fails_the_check_that_catches_it(
    channel: str, modes: list[str], check: str
) -> None:
    code, output = _conformance(channel, *(f"--mode={mode}" for mode in modes))

    assert code == 1, output
    assert f"{channel}: {check}" in output.splitlines()[-1]
    assert "check(s) failed" in output


def test_a_wrong_ws_security_digest_in_the_answers_fails_authenticate(tmp_path: Path) -> None:
    client_key, client_cert = make_key_pair(tmp_path, "client")
    server_key, server_cert = make_key_pair(tmp_path, "server")
    signature = [
        f"--set=signature.key_file={client_key}",
        f"--set=signature.cert_file={client_cert}",
        f"--set=signature.server_cert_file={server_cert}",
    ]
    simulator = [f"--mode=server_key={server_key}", f"--mode=server_cert={server_cert}"]

    signed_code, signed = _conformance("platform_12315", *signature, *simulator)
    code, output = _conformance(
        "platform_12315", *signature, *simulator, "--mode=nonconforming_digest"
    )

    assert signed_code == 0, signed
    assert code == 1 and "platform_12315: authenticate" in output.splitlines()[-1], output
    assert "signature does not verify" in output


def test_national_checks_every_channel_of_the_national_system() -> None:
    code, output = _conformance("national")

    assert code == 0, output
    assert "national_catalog" in output and "national_complaints" in output


def test_an_unknown_target_is_refused_with_the_choices() -> None:
    result = CliRunner().invoke(app, ["conformance", "hotline_1234"])

    assert isinstance(result.exception, UnknownNameError)  # `hub` prints it, exits 2
    assert "hotline_12345" in str(result.exception)
