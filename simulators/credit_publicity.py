"""The receiving side of the credit publicity systems: 国家企业信用信息公示系统 and 信用安徽.

Inspection results must be published through the enterprise credit publicity system within
20 working days of the end of the inspection, and credit information (经营异常名录,
严重违法失信名单, penalty publicity, credit repair) through the credit platform; the hub
pushes both and must be able to prove what was accepted. This simulator takes them in, one
receipt per ``Idempotency-Key``, and lists what it accepted, so reconciliation goes through
the interface rather than through its memory::

    simulator = CreditPublicitySimulator(SimulatorOptions(faults={"duplicate_receipts": True}))
    simulator.publications.accepted     # what the hub has published

Routes: ``POST /api/inspection-results`` (``result_number``, ``plan_id``, ``entity_name``,
``entity_uscc``, ``inspection_number``, ``inspected_on``, ``result_code``, ``published_at``
required; ``result_description``) and ``POST /api/credit-records`` (``record_kind``,
``entity_uscc``, ``entity_name``, ``document_number``, ``decided_by``, ``listed_on``
required; ``reason``, ``removed_on``, ``removal_reason``, ``credit_class``, ``region_code``),
the fields of ``standards/national``'s profiles, each answered ``201 {"receipt_id",
"status": "accepted"}`` (the same key gets the same receipt and nothing is stored twice) or
``422 {"status": "rejected", "reasons": [...]}`` (a field missing, a 统一社会信用代码 failing
GB 32100, a date not ISO 8601, an unknown record kind); ``GET /api/received?kind=&date=``
lists what was accepted, of one kind (``inspection_result`` or ``credit_record``) and on one
day (Beijing time) when given.

Faults: those of ``simulators.json_service``, notably ``error_rate`` (503 with
``Retry-After``), ``missing_retry_after`` (the 503 without it) and ``duplicate_receipts`` (the
same receipt id for different messages). The API key is ``HUB_CREDIT_PUBLICITY_KEY`` when set,
the demo key otherwise.
"""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from simulators.json_service import (
    BadRequest,
    JsonService,
    ReceiptBook,
    Reply,
    Request,
    message_problems,
)
from simulators.registry import SimulatorOptions, register_simulator

DEMO_KEY = "credit-publicity-demo-key"
ENV_PREFIX = "HUB_CREDIT_PUBLICITY"

INSPECTION_RESULT = "inspection_result"
CREDIT_RECORD = "credit_record"
INSPECTION_RESULT_FIELDS = (
    "result_number",
    "plan_id",
    "entity_name",
    "entity_uscc",
    "inspection_number",
    "inspected_on",
    "result_code",
    "published_at",
)
CREDIT_RECORD_FIELDS = (
    "record_kind",
    "entity_uscc",
    "entity_name",
    "document_number",
    "decided_by",
    "listed_on",
)
RECORD_KINDS = ("abnormal_list", "serious_violation", "penalty_publicity", "credit_class", "credit_repair")  # fmt: skip


def inspection_result_problems(message: dict[str, Any]) -> list[str]:
    return message_problems(
        message,
        required=INSPECTION_RESULT_FIELDS,
        usccs=("entity_uscc",),
        dates=("inspected_on",),
        times=("published_at",),
    )


def credit_record_problems(message: dict[str, Any]) -> list[str]:
    reasons = message_problems(
        message,
        required=CREDIT_RECORD_FIELDS,
        usccs=("entity_uscc",),
        dates=("listed_on", "removed_on"),
    )
    kind = message.get("record_kind")
    if kind and kind not in RECORD_KINDS:
        reasons.append(f"record_kind: {kind!r} is not one of {', '.join(RECORD_KINDS)}")
    return reasons


class CreditPublicitySimulator(JsonService):
    """The running receiver: ``url``, the ``publications`` it accepted, the fault ``plan``."""

    def __init__(self, options: SimulatorOptions, *, api_key: str = DEMO_KEY) -> None:
        super().__init__(options, api_key=api_key, env_prefix=ENV_PREFIX)
        self.publications = ReceiptBook("GS", self.plan)
        self.serve(
            options,
            "credit_publicity",
            {
                ("POST", "/api/inspection-results"): self.receive_inspection_result,
                ("POST", "/api/credit-records"): self.receive_credit_record,
                ("GET", "/api/received"): self.received,
            },
        )

    def receive_inspection_result(self, request: Request) -> Reply:
        return self.publications.receive(request, INSPECTION_RESULT, inspection_result_problems)

    def receive_credit_record(self, request: Request) -> Reply:
        return self.publications.receive(request, CREDIT_RECORD, credit_record_problems)

    def received(self, request: Request) -> Reply:
        kind, day = request.param("kind"), request.param("date")
        if kind not in (None, INSPECTION_RESULT, CREDIT_RECORD):
            raise BadRequest(f"kind must be {INSPECTION_RESULT} or {CREDIT_RECORD}")
        try:
            on = date.fromisoformat(day) if day else None
        except ValueError:
            raise BadRequest("date must be YYYY-MM-DD") from None
        rows = [accepted.listing() for accepted in self.publications.find(kind, on)]
        return Reply(
            200, {"code": 200, "msg": "操作成功", "data": {"total": len(rows), "rows": rows}}
        )


@register_simulator("credit_publicity")
def start_credit_publicity(options: SimulatorOptions) -> CreditPublicitySimulator:
    """The receiver with the API key from ``HUB_CREDIT_PUBLICITY_KEY``, or the demo key."""
    return CreditPublicitySimulator(
        options, api_key=os.environ.get(f"{ENV_PREFIX}_KEY") or DEMO_KEY
    )
