"""The national push's checks, run by ``hub conformance national`` after the channels' own.

    signed_push     a signed sample batch gets a receipt accepting its record, with an id
    push_replay     the same batch under the same Idempotency-Key gets the same receipt
    bad_signature   a batch signed by a key the national side does not know is refused,
                    with a reason, and nothing of it is accepted
    reconciliation  the accepted-data query lists the sample's key, with a count and a
                    checksum that agree with the keys it lists
    soap_signed_push     (when push.yaml has a ``soap`` section) SOAP SubmitBatch, signed in
                         its BatchSignature header, gets a receipt accepting its record
    soap_bad_signature   a SubmitBatch signed by an unknown key is refused with a SOAP fault
                         naming the signature
    soap_reconciliation  QueryAccepted lists the SOAP sample's key, not the refused one's,
                         with a count and a checksum that agree with the keys it lists

Against the simulator (started here, requiring signatures) or a real endpoint (``url``,
with the province's key from ``HUB_NATIONAL_SIGNING_KEY`` as in production). The sample is
one credit record with a fresh document number, so runs never collide.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from adapters.base import OutboundMessage
from adapters.rest.client import RestAdapter
from adapters.secrets import environment_overlay
from hub.conformance.checks import CheckResult, failed, passed
from hub.errors import AuthenticationFailed, ConfigurationError, HubError
from hub.exchange.runner import build_adapter
from hub.national.config import (
    NationalConfig,
    SignedAuth,
    load_config,
    open_adapter,
    open_soap_adapter,
)
from hub.national.profile import checksum, record_key
from hub.national.push import china_day
from hub.national.signing import generate_key_pair, private_key
from hub.national.soap_transport import query_accepted
from hub.store.base import utcnow

SAMPLE_TYPE = "credit_record"


def _sample_batch(config: NationalConfig, day: date, sequence: int) -> dict[str, Any]:
    data = {
        "record_kind": "abnormal_list",
        "entity_uscc": "91340100MA2N000000",
        "entity_name": "合肥示例食品有限公司",
        "document_number": f"CONFORMANCE-{uuid.uuid4().hex[:12]}",
        "decided_by": "安徽省市场监督管理局",
        "listed_on": day.isoformat(),
    }
    return {
        "batch_number": f"{day:%Y%m%d}{sequence:05d}",
        "data_type": SAMPLE_TYPE,
        "region_code": config.region_code,
        "department_code": config.department_code,
        "sent_at": utcnow().isoformat(timespec="seconds"),
        "records": [{"op": "i", "key": record_key(SAMPLE_TYPE, data), "data": data}],
    }


def _message(batch: dict[str, Any]) -> OutboundMessage:
    payload = json.dumps(batch, ensure_ascii=False).encode()
    return OutboundMessage("batch", payload, f"conformance-{uuid.uuid4().hex}")


@contextmanager
def _unknown_key_adapter(config: NationalConfig) -> Iterator[RestAdapter]:
    """The push adapter signing with a fresh key the national side never registered."""
    throwaway, _ = generate_key_pair(config.signing["algorithm"])
    signer = private_key(
        config.signing["algorithm"], config.signing["key_id"], throwaway, setting="conformance"
    )
    adapter = build_adapter(config.channel())
    if not isinstance(adapter, RestAdapter):
        raise ConfigurationError(f"{config.path}: adapter.type must be rest")
    adapter.auth = SignedAuth(adapter.auth, signer)
    with adapter:
        yield adapter


def national_push_checks(*, url: str | None = None) -> list[CheckResult]:
    """The checks above; the simulator is started and stopped here unless ``url``."""
    from simulators.national import NationalSimulator
    from simulators.registry import SimulatorOptions

    simulator = (
        None
        if url is not None
        else NationalSimulator(SimulatorOptions(faults={"require_signature": True}))
    )
    environment = simulator.environment if simulator else {"HUB_NATIONAL_URL": url or ""}
    try:
        with environment_overlay(environment):
            config = load_config()
            return _run(config) + _soap_checks(config)
    finally:
        if simulator is not None:
            simulator.stop()


def _run(config: NationalConfig) -> list[CheckResult]:
    day = china_day()
    results: list[CheckResult] = []
    good = _sample_batch(config, day, 90001 + uuid.uuid4().int % 9000)
    message = _message(good)
    try:
        with open_adapter(config) as adapter:
            receipt = adapter.push(message)
            again = adapter.push(message)
            answer = json.loads(receipt.raw or b"{}")
            accepted = receipt.accepted and answer.get("status") == "accepted"
            results.append(
                passed("signed_push", f"receipt {receipt.remote_id}")
                if accepted and receipt.remote_id
                else failed("signed_push", f"not accepted: {receipt.detail}")
            )
            results.append(
                passed("push_replay", "the same key got the same receipt")
                if again.remote_id == receipt.remote_id and again.raw == receipt.raw
                else failed("push_replay", f"{receipt.remote_id} then {again.remote_id}")
            )
            forged = _sample_batch(config, day, 90001 + uuid.uuid4().int % 9000)
            results.append(_bad_signature(config, forged))
            results.append(
                _reconciliation(
                    adapter, config, day, good["records"][0]["key"], forged["records"][0]["key"]
                )
            )
    except HubError as exc:  # the remote could not be reached or refused the province's key
        results.append(failed("national_push", f"stopped: {exc}"))
    return results


def _bad_signature(config: NationalConfig, forged: dict[str, Any]) -> CheckResult:
    try:
        with _unknown_key_adapter(config) as adapter:
            receipt = adapter.push(_message(forged))
    except AuthenticationFailed as exc:
        if "signature" in str(exc).lower():
            return passed("bad_signature", f"refused: {str(exc)[:160]}")
        return failed("bad_signature", f"refused without naming the signature: {exc}")
    return failed("bad_signature", f"a batch signed by an unknown key got {receipt.detail}")


def _reconciliation(
    adapter: RestAdapter, config: NationalConfig, day: date, key: str, forged_key: str
) -> CheckResult:
    """The sample is listed as accepted, the forged one not, and count and checksum hold."""
    response = adapter.request(
        "GET",
        adapter.base_url + config.paths["accepted"],
        params={"data_type": SAMPLE_TYPE, "date": day.isoformat(), "page_size": "10000"},
    )
    data = response.json().get("data", {})
    keys = list(data.get("keys", []))
    if key not in keys:
        return failed("reconciliation", f"the sample key {key!r} is not listed as accepted")
    if forged_key in keys:
        return failed("reconciliation", "the batch with the bad signature was accepted")
    if data.get("next") is None and (
        data.get("count") != len(keys) or data.get("checksum") != checksum(keys)
    ):
        return failed("reconciliation", "count or checksum disagree with the keys listed")
    return passed("reconciliation", f"{data.get('count')} key(s), checksum agrees")


def _soap_checks(config: NationalConfig) -> list[CheckResult]:
    """SubmitBatch signed with the province key is accepted; with an unknown key, refused."""
    if config.soap is None:
        return []
    day = china_day()
    good = _sample_batch(config, day, 90001 + uuid.uuid4().int % 9000)
    try:
        with open_soap_adapter(config) as adapter:
            receipt = adapter.push(_soap_message(good))
        signed = (
            passed("soap_signed_push", f"receipt {receipt.remote_id}")
            if receipt.accepted and receipt.remote_id
            else failed("soap_signed_push", f"not accepted: {receipt.detail}")
        )
    except HubError as exc:
        signed = failed("soap_signed_push", f"stopped: {exc}")
    throwaway, _ = generate_key_pair(config.signing["algorithm"])
    stranger = private_key(
        config.signing["algorithm"], config.signing["key_id"], throwaway, setting="conformance"
    )
    forged = _sample_batch(config, day, 90001 + uuid.uuid4().int % 9000)
    try:
        with open_soap_adapter(config, stranger) as adapter:
            receipt = adapter.push(_soap_message(forged))
    except AuthenticationFailed as exc:
        refused = (
            passed("soap_bad_signature", f"refused: {str(exc)[:160]}")
            if "signature" in str(exc).lower()
            else failed("soap_bad_signature", f"refused without naming the signature: {exc}")
        )
    except HubError as exc:
        refused = failed("soap_bad_signature", f"stopped: {exc}")
    else:
        refused = failed("soap_bad_signature", f"an unknown key's batch got {receipt.remote_id}")
    return [
        signed,
        refused,
        _soap_reconciliation(config, day, good["records"][0]["key"], forged["records"][0]["key"]),
    ]


def _soap_reconciliation(
    config: NationalConfig, day: date, key: str, forged_key: str
) -> CheckResult:
    """``_reconciliation``'s check over ``QueryAccepted``."""
    try:
        with open_soap_adapter(config) as adapter:
            page = query_accepted(adapter, SAMPLE_TYPE, day, page=1, page_size=10000)
    except HubError as exc:
        return failed("soap_reconciliation", f"stopped: {exc}")
    keys = page["keys"]
    if key not in keys:
        return failed("soap_reconciliation", f"the sample key {key!r} is not listed as accepted")
    if forged_key in keys:
        return failed("soap_reconciliation", "the batch with the bad signature was accepted")
    if page["next"] is None and (page["count"] != len(keys) or page["checksum"] != checksum(keys)):
        return failed("soap_reconciliation", "count or checksum disagree with the keys listed")
    return passed("soap_reconciliation", f"{page['count']} key(s), checksum agrees")


def _soap_message(batch: dict[str, Any]) -> OutboundMessage:
    """SubmitBatch's arguments: the batch as JSON text (the idempotency key is added)."""
    text = json.dumps(batch, ensure_ascii=False)
    key = f"conformance-{uuid.uuid4().hex}"
    return OutboundMessage("batch", json.dumps({"batch": text}).encode(), key)
