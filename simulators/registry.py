"""The simulators the hub ships, by name, each a real server of its outside system's protocol.

Each simulator module registers a factory; ``hub simulators serve NAME`` runs one alone, tests
and the demo start them in-process (``start_simulator``) on a free port.

    @register_simulator("hotline_12345")
    def hotline(options: SimulatorOptions) -> RunningSimulator: ...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, Protocol

from hub.errors import UnknownNameError


@dataclass(frozen=True)
class SimulatorOptions:
    """How to run a simulator: where, and which faults to inject (seeded, so reproducible)."""

    host: str = "127.0.0.1"
    port: int = 0  # 0: any free port
    seed: int = 2019
    faults: dict[str, Any] = field(default_factory=dict)


class RunningSimulator(Protocol):
    """A started simulator: its address, and how to stop it.

    A simulator may also offer ``environment`` (the ``${ENV}`` values that point its channel
    at it: address, demo credentials) and ``set_faults(dict)`` (switch faults and
    non-conforming modes while running); the demo and ``hub conformance`` use both when there.
    """

    url: str

    def stop(self) -> None: ...


SimulatorFactory = Callable[[SimulatorOptions], RunningSimulator]
_SIMULATORS: dict[str, SimulatorFactory] = {}


def register_simulator(name: str) -> Callable[[SimulatorFactory], SimulatorFactory]:
    def register(factory: SimulatorFactory) -> SimulatorFactory:
        if name in _SIMULATORS and _SIMULATORS[name] is not factory:
            raise ValueError(f"simulator {name!r} registered twice")
        _SIMULATORS[name] = factory
        return factory

    return register


def _load() -> None:
    """Import every simulator module shipped with the hub (each registers itself)."""
    from simulators.builtin import BUILTIN_SIMULATOR_MODULES

    for module in BUILTIN_SIMULATOR_MODULES:
        import_module(module)


def start_simulator(name: str, options: SimulatorOptions | None = None) -> RunningSimulator:
    _load()
    try:
        factory = _SIMULATORS[name]
    except KeyError:
        raise UnknownNameError("simulator", name, list(_SIMULATORS)) from None
    return factory(options or SimulatorOptions())


def known_simulators() -> list[str]:
    _load()
    return sorted(_SIMULATORS)
