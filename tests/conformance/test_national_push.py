"""The national push's conformance checks pass against the simulator requiring signatures,
and the bad-signature check fails against a national side that does not check them."""

from __future__ import annotations

import pytest

from hub.conformance.national import national_push_checks


def test_signed_push_receipts_refusal_and_reconciliation_pass() -> None:
    results = {result.check: result for result in national_push_checks()}
    assert set(results) == {
        "signed_push",
        "push_replay",
        "bad_signature",
        "reconciliation",
        "soap_signed_push",
        "soap_bad_signature",
        "soap_reconciliation",
    }
    assert all(result.status == "pass" for result in results.values()), results
    assert "signature" in results["bad_signature"].detail
    assert "signature does not verify" in results["soap_bad_signature"].detail
    assert results["soap_reconciliation"].detail.endswith("checksum agrees")


def test_a_national_side_accepting_any_signature_fails_the_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from simulators.national import NationalSimulator
    from simulators.registry import SimulatorOptions

    lax = NationalSimulator(SimulatorOptions())  # signatures not required, not checked
    try:
        monkeypatch.setenv("HUB_NATIONAL_KEY", lax.environment["HUB_NATIONAL_KEY"])
        from hub.national.signing import generate_key_pair

        monkeypatch.setenv("HUB_NATIONAL_SIGNING_KEY", generate_key_pair("sm2_sm3")[0])
        results = {result.check: result for result in national_push_checks(url=lax.url)}
    finally:
        lax.stop()
    assert results["bad_signature"].status == "fail"
    assert results["signed_push"].status == "pass"
    assert results["soap_bad_signature"].status == "fail"
    assert results["soap_signed_push"].status == "pass"
    assert results["soap_reconciliation"].status == "fail"  # it lists the forged key
    assert "bad signature was accepted" in results["soap_reconciliation"].detail
