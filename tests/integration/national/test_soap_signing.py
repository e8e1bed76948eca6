"""SOAP SubmitBatch signed with the province's key (``BatchSignature``), through a real zeep
client on the WSDL under standards/ against the national simulator over a socket: a good
signature gets its receipts, a tampered body, a wrong key or no signature is refused with
the reason and nothing of the batch is applied."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import zeep.exceptions
from lxml import etree
from zeep.plugins import HistoryPlugin

from adapters.base import OutboundMessage
from adapters.soap.client import WSDL_ROOT
from adapters.soap.transport import build_client, security
from hub.errors import AuthenticationFailed
from hub.national.config import load_config, open_soap_adapter
from hub.national.signing import Algorithm, Signer, generate_key_pair, private_key
from hub.national.soap_signing import SIGNATURE_ELEMENT, BatchSignature
from simulators.national import NationalSimulator
from simulators.national.keys import PROVINCE_KEY_ID
from standards.codes import uscc_check_character
from tests.integration.national.support import national

WSDL = WSDL_ROOT / "national" / "national.wsdl"
AGENCY = "11340100MB0000012" + uscc_check_character("11340100MB0000012")
ENTITY = "91340103MA2N00001" + uscc_check_character("91340103MA2N00001")


def _inspection(number: str) -> dict[str, Any]:
    return {
        "action_number": number,
        "action_name": "对食品生产者的监督检查",
        "catalog_code": "00010100010001",
        "implementation_code": AGENCY + "3A0001",
        "agency_name": "合肥市市场监督管理局",
        "agency_uscc": AGENCY,
        "counterpart_name": "合肥市庐阳区便民超市有限公司",
        "counterpart_nature": "legal_person",
        "counterpart_id_type": "uscc",
        "counterpart_id": ENTITY,
        "region_code": "340103",
        "acted_at": "2026-05-01T09:30:00+08:00",
        "officers": [
            {"name": "王伟", "certificate_number": "34010001"},
            {"name": "李娜", "certificate_number": "34010002"},
        ],
        "reported_at": "2026-05-01T17:00:00+08:00",
        "reporter": "张敏",
        "plan_id": "P-1",
        "inspection_result": "01",
    }


def _batch(*numbers: str) -> str:
    return json.dumps(
        {
            "batch_number": "2026050100001",
            "data_type": "inspection",
            "region_code": "340000",
            "department_code": "SCJG-34",
            "sent_at": "2026-05-01T18:00:00+08:00",
            "records": [
                {"op": "i", "key": number, "data": _inspection(number)} for number in numbers
            ],
        },
        ensure_ascii=False,
    )


class _Tamper:
    """A man in the middle: changes the batch after it was signed."""

    def apply(
        self, envelope: etree._Element, headers: dict[str, str]
    ) -> tuple[etree._Element, dict[str, str]]:
        batch = envelope.find(".//batch")
        assert batch is not None and batch.text
        batch.text = batch.text.replace("JC-1", "JC-9")
        return envelope, headers

    def verify(self, envelope: etree._Element) -> etree._Element:
        return envelope


def _service(
    simulator: NationalSimulator, *parts: Any, history: HistoryPlugin | None = None
) -> Any:
    client, service = build_client(
        WSDL,
        WSDL_ROOT,
        url=simulator.soap_url,
        timeout=5,
        verify=True,
        wsse=security({"username": "hub", "password": simulator.credentials.api_key}, None, parts),
    )
    if history is not None:
        client.plugins.append(history)
    return service


@pytest.fixture
def simulator() -> Iterator[NationalSimulator]:
    with national() as running:
        yield running


def _province_signer(simulator: NationalSimulator, algorithm: Algorithm) -> Signer:
    """The province key the simulator registered and handed out (a fresh pair)."""
    assert simulator.signing_key is not None
    return private_key(algorithm, PROVINCE_KEY_ID, simulator.signing_key, setting="test")


@pytest.mark.parametrize("algorithm", list(Algorithm))
def test_a_signed_batch_gets_its_receipts_whatever_the_algorithm(algorithm: Algorithm) -> None:
    history = HistoryPlugin()
    with national(signature_algorithm=algorithm.value) as simulator:
        signature = BatchSignature(_province_signer(simulator, algorithm))
        service = _service(simulator, signature, history=history)
        answer = service.SubmitBatch(idempotencyKey="soap-signed-1", batch=_batch("JC-1", "JC-2"))

        assert (answer.status, answer.acceptedCount, answer.rejectedCount) == ("accepted", 2, 0)
        assert [result.receiptId for result in answer.results.result] == [
            answer.receiptId + "-0001",
            answer.receiptId + "-0002",
        ]
        assert [entry.key for entry in simulator.store.log] == ["JC-1", "JC-2"]

    header = history.last_sent["envelope"].find(f".//{SIGNATURE_ELEMENT}")
    assert header is not None
    assert (header.findtext("algorithm"), header.findtext("keyId")) == (
        algorithm.value,
        PROVINCE_KEY_ID,
    )
    schema = etree.XMLSchema(etree.parse(str(WSDL_ROOT / "national" / "national.xsd")))
    schema.assertValid(etree.fromstring(etree.tostring(header)))  # as national.xsd declares it


def test_the_hub_soap_adapter_signs_its_batches_with_the_province_key(
    simulator: NationalSimulator,
) -> None:
    message = OutboundMessage(
        "batch", json.dumps({"batch": _batch("JC-1")}).encode(), "soap-config-1"
    )
    with open_soap_adapter(load_config()) as adapter:  # push.yaml's soap section
        receipt = adapter.push(message)
        again = adapter.push(message)

    assert receipt.accepted and receipt.remote_id
    assert again.remote_id == receipt.remote_id and again.detail.startswith("duplicate")
    assert [entry.key for entry in simulator.store.log] == ["JC-1"]


def test_the_hub_soap_adapter_reports_a_refused_signature_as_an_authentication_failure(
    simulator: NationalSimulator,
) -> None:
    stranger, _ = generate_key_pair(Algorithm.SM2_SM3)
    signer = private_key(Algorithm.SM2_SM3, PROVINCE_KEY_ID, stranger, setting="test")
    message = OutboundMessage("batch", json.dumps({"batch": _batch("JC-1")}).encode(), "k")
    with (
        open_soap_adapter(load_config(), signer) as adapter,
        pytest.raises(AuthenticationFailed, match="FailedCheck: signature does not verify"),
    ):
        adapter.push(message)
    assert simulator.store.log == []


def test_a_batch_altered_after_signing_is_refused(simulator: NationalSimulator) -> None:
    service = _service(simulator, BatchSignature(load_config().signer()), _Tamper())
    with pytest.raises(zeep.exceptions.Fault) as refused:
        service.SubmitBatch(idempotencyKey="soap-tampered", batch=_batch("JC-1"))
    assert refused.value.code.endswith("FailedCheck")
    assert refused.value.message == "signature does not verify with the registered public key"
    assert simulator.store.log == []


def test_a_batch_signed_with_another_key_is_refused(simulator: NationalSimulator) -> None:
    stranger, _ = generate_key_pair(Algorithm.SM2_SM3)
    signer = private_key(Algorithm.SM2_SM3, PROVINCE_KEY_ID, stranger, setting="test")
    with pytest.raises(zeep.exceptions.Fault) as refused:
        _service(simulator, BatchSignature(signer)).SubmitBatch(
            idempotencyKey="soap-stranger", batch=_batch("JC-1")
        )
    assert refused.value.message == "signature does not verify with the registered public key"

    unregistered = private_key(
        Algorithm.SM2_SM3, "hub-999999", str(simulator.signing_key), setting="test"
    )
    with pytest.raises(zeep.exceptions.Fault, match="signature key id is not registered"):
        _service(simulator, BatchSignature(unregistered)).SubmitBatch(
            idempotencyKey="soap-unregistered", batch=_batch("JC-1")
        )
    assert simulator.store.log == []


def test_an_unsigned_batch_is_refused_naming_the_missing_signature(
    simulator: NationalSimulator,
) -> None:
    with pytest.raises(zeep.exceptions.Fault) as refused:
        _service(simulator).SubmitBatch(idempotencyKey="soap-unsigned", batch=_batch("JC-1"))
    assert refused.value.code.endswith("InvalidSecurity")
    assert refused.value.message == "the BatchSignature header (the signature) is missing"
    assert simulator.store.log == []
    # the reconciliation query stays unsigned, as its REST twin
    found = _service(simulator).QueryAccepted(dataType="inspection", date="2026-05-01")
    assert found.count == 0


def test_without_require_signature_an_unsigned_batch_is_accepted() -> None:
    with national(require_signature=False) as simulator:
        answer = _service(simulator).SubmitBatch(idempotencyKey="open", batch=_batch("JC-1"))
    assert answer.status == "accepted"
