"""A stand-in for the 12345政务服务便民热线 work-order system, over real HTTP.

Registered as ``hotline_12345``; ``hub simulators serve hotline_12345`` runs it alone and
tests start it in-process on a free port::

    simulator = HotlineSimulator(SimulatorOptions(faults={"error_rate": 0.2}), orders=40)
    requests.get(f"{simulator.url}/api/workorders", headers={"X-API-Key": ...})
    simulator.stop()

The API key is ``HUB_HOTLINE_12345_KEY`` when set (the channel file refers to the same
variable), the demo key otherwise. Routes and faults: ``simulators.hotline_12345.server``;
the message profile: ``standards/schemas/sources/hotline_12345_work_order.json``.
"""

from __future__ import annotations

import os
from dataclasses import replace

from simulators.faults import FaultPlan
from simulators.hotline_12345.auth import Credentials, Gatekeeper
from simulators.hotline_12345.orders import OrderBook
from simulators.hotline_12345.server import HotlineHandler
from simulators.http import serve_handler
from simulators.registry import SimulatorOptions, register_simulator

__all__ = ["Credentials", "HotlineSimulator", "start_hotline"]


class HotlineSimulator:
    """A running hotline: ``url``, its ``book`` of orders, ``gatekeeper`` and fault ``plan``."""

    def __init__(
        self,
        options: SimulatorOptions,
        *,
        orders: int = 120,
        credentials: Credentials | None = None,
    ) -> None:
        self.book = OrderBook(seed=options.seed, count=orders)
        self.gatekeeper = Gatekeeper(credentials or Credentials())
        self.plan = FaultPlan(options.faults, options.seed)
        handler = type(
            "BoundHotlineHandler",
            (HotlineHandler,),
            {"book": self.book, "gatekeeper": self.gatekeeper, "plan": self.plan},
        )
        self._served = serve_handler(handler, options, name="hotline_12345")
        self.url = self._served.url

    @property
    def environment(self) -> dict[str, str]:
        """The ${ENV} settings that point the hotline_12345 channel at this simulator."""
        return {
            "HUB_HOTLINE_12345_URL": self.url,
            "HUB_HOTLINE_12345_KEY": self.gatekeeper.credentials.api_key,
        }

    def set_faults(self, faults: dict[str, float]) -> None:
        """Change the injected faults while running (the seeded sequence goes on)."""
        self.plan.faults = dict(faults)

    def stop(self) -> None:
        self._served.stop()


@register_simulator("hotline_12345")
def start_hotline(options: SimulatorOptions) -> HotlineSimulator:
    """The hotline with the demo credentials, the API key taken from the environment if set."""
    credentials = Credentials()
    if key := os.environ.get("HUB_HOTLINE_12345_KEY"):
        credentials = replace(credentials, api_key=key)
    return HotlineSimulator(options, credentials=credentials)
