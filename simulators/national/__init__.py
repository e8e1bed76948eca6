"""A stand-in for the national 互联网+监管 system (国家"互联网+监管"系统), over real HTTP.

The province pushes its supervision data to it in batches and pulls from it the national
catalog and the complaints assigned to the province; every day it reconciles what was
accepted. Registered as ``national``; ``hub simulators serve national`` runs it alone, tests
start it in-process on a free port::

    simulator = NationalSimulator(SimulatorOptions(faults={"error_rate": 0.2}))
    requests.post(f"{simulator.url}/api/v1/batches", json=batch,
                  headers={"X-API-Key": ..., "Idempotency-Key": ...})
    simulator.store.log       # what was accepted (for tests; clients use /api/v1/accepted)
    simulator.set_faults({"schema_drift": True})
    simulator.stop()

Modules, one job each: ``formats`` (the profile in ``standards/national`` and how a batch
is judged), ``store`` (accepted records, receipts, reconciliation), ``fixtures`` (the seeded
catalog and complaints), ``listing`` (incremental paging), ``gate`` (faults), ``auth``,
``handler`` (REST routes) and ``soap`` (``/ws/national``).

Settings read at start from ``SimulatorOptions.faults``: ``province`` (``340000``), the
province whose batches are accepted and whose complaints are served; ``complaints`` (60);
``require_hmac`` (false); ``require_signature`` (false): pushes (REST, and SOAP SubmitBatch
in its ``BatchSignature`` header) and entity pulls must be signed (``signatures``) with ``signature_algorithm`` (``sm2_sm3``) by the key
``province_public_key`` (its id ``province_key_id``, ``hub-340000``), or, when no key is
given, by a fresh key pair whose private half ``environment`` hands out as
``HUB_NATIONAL_SIGNING_KEY``; ``journal``: a file keeping what was accepted across restarts
(``store``). The runtime faults are listed in ``simulators.national.gate``.

``hub simulators serve national`` (out of process) takes those settings as a JSON object in
``HUB_NATIONAL_SIMULATOR_SETTINGS``, e.g.
``{"error_rate": 0.3, "require_signature": true, "journal": "/tmp/national.jsonl"}``, and
the province's public key from ``HUB_NATIONAL_SIGNING_PUBLIC_KEY``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from hub.national.signing import generate_key_pair, public_key
from simulators.faults import FaultPlan
from simulators.http import serve_handler
from simulators.national.auth import Credentials, Gatekeeper
from simulators.national.fixtures import assigned_complaints, national_catalog
from simulators.national.gate import FaultGate
from simulators.national.handler import NationalHandler
from simulators.national.keys import DEMO_NATIONAL_PUBLIC_KEY, PROVINCE_KEY_ID
from simulators.national.signatures import SignatureCheck
from simulators.national.soap import SOAP_PATH, NationalSoap
from simulators.national.store import AcceptedStore
from simulators.registry import SimulatorOptions, register_simulator

__all__ = ["Credentials", "NationalSimulator", "start_national"]


class NationalSimulator:
    """A running national system: ``url`` (REST base), ``soap_url``, its accepted ``store``,
    the served ``catalog`` and ``complaints``, and the fault ``gate`` (``plan.served``)."""

    def __init__(
        self, options: SimulatorOptions, *, credentials: Credentials | None = None
    ) -> None:
        settings = options.faults
        self.province = str(settings.get("province", "340000"))
        self.credentials = credentials or Credentials()
        journal = settings.get("journal")
        self.store = AcceptedStore(self.province, journal=Path(journal) if journal else None)
        self.signing_key: str | None = None
        signature_check = (
            self._signature_check(settings) if settings.get("require_signature") else None
        )
        self.catalog = national_catalog(options.seed)
        self.complaints = assigned_complaints(
            options.seed, self.province, int(settings.get("complaints", 60))
        )
        self.gate = FaultGate(settings, options.seed)
        handler = type(
            "BoundNationalHandler",
            (NationalHandler,),
            {
                "store": self.store,
                "catalog": self.catalog,
                "complaints": self.complaints,
                "gatekeeper": Gatekeeper(self.credentials, bool(settings.get("require_hmac"))),
                "signature_check": signature_check,
                "gate": self.gate,
                "seed": options.seed,
                "soap": NationalSoap(self.store, self.credentials, signature_check),
            },
        )
        self._served = serve_handler(handler, options, name="national")
        self.url = self._served.url
        self.soap_url = self.url + SOAP_PATH

    def _signature_check(self, settings: dict[str, Any]) -> SignatureCheck:
        """The province key the pushes must be signed with (a fresh demo pair if none given)."""
        algorithm = str(settings.get("signature_algorithm", "sm2_sm3"))
        province_key = settings.get("province_public_key")
        if not province_key:
            self.signing_key, province_key = generate_key_pair(algorithm)
        key_id = str(settings.get("province_key_id", PROVINCE_KEY_ID))
        return SignatureCheck(
            public_key(algorithm, key_id, str(province_key), setting="province_public_key")
        )

    @property
    def plan(self) -> FaultPlan:
        """The seeded fault plan: ``plan.served`` counts requests and the faults met."""
        return self.gate.plan

    @property
    def environment(self) -> dict[str, str]:
        """The ${ENV} settings that point the national channels at this simulator."""
        environment = {
            "HUB_NATIONAL_URL": self.url,
            "HUB_NATIONAL_KEY": self.credentials.api_key,
            "HUB_NATIONAL_HMAC_SECRET": self.credentials.hmac_secret,
            "HUB_NATIONAL_PUBLIC_KEY": DEMO_NATIONAL_PUBLIC_KEY,
        }
        if self.signing_key is not None:
            environment["HUB_NATIONAL_SIGNING_KEY"] = self.signing_key
        return environment

    def set_faults(self, faults: dict[str, Any]) -> None:
        """Replace the runtime faults while running (the seeded sequence goes on)."""
        self.gate.set(faults)

    def stop(self) -> None:
        self._served.stop()


@register_simulator("national")
def start_national(options: SimulatorOptions) -> NationalSimulator:
    """The national system with the key, HMAC secret, settings and the province's public key
    from the environment when set (see the module docstring)."""
    settings = dict(options.faults)
    settings.update(json.loads(os.environ.get("HUB_NATIONAL_SIMULATOR_SETTINGS") or "{}"))
    if os.environ.get("HUB_NATIONAL_SIGNING_PUBLIC_KEY"):
        settings.setdefault("province_public_key", os.environ["HUB_NATIONAL_SIGNING_PUBLIC_KEY"])
    options = SimulatorOptions(options.host, options.port, options.seed, settings)
    return NationalSimulator(options, credentials=Credentials.from_environment())
