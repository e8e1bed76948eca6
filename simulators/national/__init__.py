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
``require_hmac`` (false). The runtime faults are listed in ``simulators.national.gate``.
"""

from __future__ import annotations

from typing import Any

from simulators.faults import FaultPlan
from simulators.http import serve_handler
from simulators.national.auth import Credentials, Gatekeeper
from simulators.national.fixtures import assigned_complaints, national_catalog
from simulators.national.gate import FaultGate
from simulators.national.handler import NationalHandler
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
        self.store = AcceptedStore(self.province)
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
                "gate": self.gate,
                "soap": NationalSoap(self.store, self.credentials),
            },
        )
        self._served = serve_handler(handler, options, name="national")
        self.url = self._served.url
        self.soap_url = self.url + SOAP_PATH

    @property
    def plan(self) -> FaultPlan:
        """The seeded fault plan: ``plan.served`` counts requests and the faults met."""
        return self.gate.plan

    @property
    def environment(self) -> dict[str, str]:
        """The ${ENV} settings that point the national channels at this simulator."""
        return {
            "HUB_NATIONAL_URL": self.url,
            "HUB_NATIONAL_KEY": self.credentials.api_key,
            "HUB_NATIONAL_HMAC_SECRET": self.credentials.hmac_secret,
        }

    def set_faults(self, faults: dict[str, Any]) -> None:
        """Replace the runtime faults while running (the seeded sequence goes on)."""
        self.gate.set(faults)

    def stop(self) -> None:
        self._served.stop()


@register_simulator("national")
def start_national(options: SimulatorOptions) -> NationalSimulator:
    """The national system with the key and HMAC secret from the environment if set."""
    return NationalSimulator(options, credentials=Credentials.from_environment())
