"""Departmental business systems (部门业务系统) publishing their events to RabbitMQ.

Market supervision (SCJG, 市场监管), ecology and environment (SThJ, 生态环境) and emergency
management (YJGL, 应急管理) publish every licensing (行政许可), inspection (行政检查), penalty
(行政处罚) and coercive-measure (行政强制) decision as one JSON event, routing key
``<kind>.<department>``, the AMQP type property naming the kind. The broker is the server: this
simulator only publishes, through the hub's own AMQP adapter (persistent, confirmed), so the
url it reports is the broker's::

    simulator = start_simulator("departmental", SimulatorOptions(faults={"events": 500}))
    simulator.url        # amqp://guest:guest@127.0.0.1:5672/%2F
    simulator.wait()     # every event published and confirmed
    simulator.published  # Counter({("inspection", "good"): 240, ...})

Everything is deterministic from the seed. Faults (``options.faults``; without them the events
conform): ``malformed`` (share of events whose body is truncated JSON or lacks a required
field), ``duplicates`` (share of events published twice with the same message id, as a
publisher does when a confirm is lost); ``events`` sets how many events (default 1000). The
broker URL comes from ``HUB_DEPARTMENTAL_AMQP_URL`` (default guest on
``options.host:options.port``, 5672); ``environment`` points the departmental_events channel
at the same broker, and ``refill()`` publishes the next day's events.
"""

from __future__ import annotations

import json
import os
import random
import socket
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from adapters.amqp.client import ROUTING_KEY_HEADER, UNROUTABLE, AmqpAdapter
from adapters.base import OutboundMessage
from hub.demo.sample import _inspection_record, _penalty_row
from hub.demo.world import Inspection, World
from hub.errors import RemoteUnavailable
from hub.exchange.channels import load_channel
from simulators.registry import SimulatorOptions, register_simulator

CHANNEL_FILE = Path(__file__).resolve().parent.parent / "mappings/departmental_events/channel.yaml"
DEPARTMENTS = ("SCJG", "SThJ", "YJGL")
KIND_WEIGHTS = {"inspection": 50, "penalty": 25, "licensing": 15, "coercive_measure": 10}
WORLD_ENTITIES = 600  # events reuse the world's people and places; numbers stay unique


class DepartmentalEvents:
    """The seeded stream of events, counting what it planted by (kind, good|malformed|duplicate)."""

    def __init__(
        self, seed: int, count: int, *, malformed: float = 0.0, duplicates: float = 0.0
    ) -> None:
        self.seed = seed
        self.count = count
        self.malformed = malformed
        self.duplicates = duplicates
        self.planted: Counter[tuple[str, str]] = Counter()

    def __iter__(self) -> Iterator[OutboundMessage]:
        rng = random.Random(self.seed)
        world = World(random.Random(self.seed), WORLD_ENTITIES)
        inspections = [
            i for i in world.inspections if i.office.department.abbreviation in DEPARTMENTS
        ]
        penalties = [p for p in world.penalties if p.office.department.abbreviation in DEPARTMENTS]
        kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
        sent: list[OutboundMessage] = []
        for index in range(self.count):
            if sent and rng.random() < self.duplicates:
                again = rng.choice(sent)
                self.planted[(again.message_type, "duplicate")] += 1
                yield again
                continue
            kind = rng.choices(kinds, weights)[0]
            number = f"EV{self.seed % 10000:04d}{index:08d}"
            if kind == "inspection":
                record, department = _inspection(
                    world, inspections[index % len(inspections)], number
                )
            elif kind == "penalty":
                penalty = penalties[index % len(penalties)]
                record = _penalty_row(world, penalty)
                record["案件编号"] = f"{penalty.office.code}-CF-{number}"
                department = penalty.office.department.abbreviation
            else:
                record, department = _other(
                    rng, kind, inspections[index % len(inspections)], number
                )
            body = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()
            verdict = "good"
            if rng.random() < self.malformed:
                verdict = "malformed"
                body = _malformed(rng, kind, record, body)
            self.planted[(kind, verdict)] += 1
            message = OutboundMessage(
                message_type=kind,
                payload=body,
                idempotency_key=f"{department}-{kind}-{number}",
                headers={ROUTING_KEY_HEADER: f"{kind}.{department}", "department": department},
            )
            if verdict == "good":
                sent.append(message)
            if len(sent) > 1000:  # duplicates come from recent events, memory stays flat
                sent.pop(rng.randrange(len(sent)))
            yield message


def _inspection(world: World, template: Inspection, number: str) -> tuple[dict[str, Any], str]:
    record = _inspection_record(world, template)
    record["检查行为编号"] = f"{template.office.code}-JC-{number}"
    return record, template.office.department.abbreviation


def _other(
    rng: random.Random, kind: str, template: Inspection, number: str
) -> tuple[dict[str, Any], str]:
    """A licensing or coercive-measure event: not stored by this channel (its queue does not
    bind them), but on the exchange as the departments send them."""
    office, entity = template.office, template.entity
    party = {"名称": entity.name, "证件类型": "统一社会信用代码", "证件号码": entity.uscc}
    agency = {"名称": office.name, "统一社会信用代码": office.uscc, "部门代码": office.code}
    day = template.at.date().isoformat()
    if kind == "licensing":
        return {
            "许可编号": f"{office.code}-XK-{number}",
            "许可证书名称": rng.choice(("食品经营许可证", "排污许可证", "安全生产许可证")),
            "许可类别": rng.choice(("普通", "特许", "认可", "核准", "登记")),
            "行政相对人": party,
            "许可机关": agency,
            "许可决定日期": day,
        }, office.department.abbreviation
    return {
        "强制措施编号": f"{office.code}-QZ-{number}",
        "强制措施种类": rng.choice(("查封场所、设施或者财物", "扣押财物", "冻结存款、汇款")),
        "当事人": party,
        "实施机关": agency,
        "决定日期": day,
    }, office.department.abbreviation


def _malformed(rng: random.Random, kind: str, record: dict[str, Any], body: bytes) -> bytes:
    """Truncated JSON (a cut-off publish), or a valid object without its required number."""
    if rng.random() < 0.5:
        text = body.decode()
        return text[: len(text) // 2].encode()
    required = {"inspection": "检查时间", "penalty": "处罚决定日期"}.get(kind)
    broken = {key: value for key, value in record.items() if key != required}
    return json.dumps(broken, ensure_ascii=False, separators=(",", ":")).encode()


class DepartmentalSimulator:
    """Publishes ``events`` on a thread of this process until done or ``stop()``."""

    def __init__(self, settings: Mapping[str, Any], events: DepartmentalEvents) -> None:
        self.url = str(settings["url"])
        self.settings = settings
        self.events = events
        self._adapter = AmqpAdapter(load_channel(CHANNEL_FILE), settings)
        self._stopping = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._publish, name="departmental", daemon=True)

    @property
    def environment(self) -> dict[str, str]:
        """The ${ENV} settings that point the departmental_events channel at this broker."""
        parts = urlsplit(self.url)
        return {
            "HUB_AMQP_USER": unquote(parts.username or "guest"),
            "HUB_AMQP_PASSWORD": unquote(parts.password or "guest"),
            "HUB_AMQP_HOST": f"{parts.hostname}:{parts.port or 5672}",
        }

    def refill(self) -> None:
        """Publish the next batch of events (new numbers, the same kinds) and wait for them."""
        self.wait()
        following = DepartmentalEvents(
            self.events.seed + 1,
            self.events.count,
            malformed=self.events.malformed,
            duplicates=self.events.duplicates,
        )
        self.events = following
        self._adapter = AmqpAdapter(load_channel(CHANNEL_FILE), self.settings)
        self._thread = threading.Thread(target=self._publish, name="departmental", daemon=True)
        self.start().wait()

    @property
    def published(self) -> Counter[tuple[str, str]]:
        return self.events.planted

    def start(self) -> DepartmentalSimulator:
        self._thread.start()
        return self

    def _publish(self) -> None:
        window = int(self._adapter.settings.get("publish_window", 1000))
        batch: list[OutboundMessage] = []
        try:
            for message in self.events:
                batch.append(message)
                if len(batch) >= window:
                    self._send(batch)
                    batch = []
                if self._stopping.is_set():
                    return
            self._send(batch)
        except BaseException as exc:  # handed to wait(), on the caller's thread
            self._error = exc
        finally:
            self._adapter.close()

    def _send(self, batch: list[OutboundMessage]) -> None:
        # Unroutable is normal here: departments publish whether or not anyone listens.
        receipts = self._adapter.publish_many(batch)
        refused = [r for r in receipts if not r.accepted and r.detail != UNROUTABLE]
        if refused:
            raise RuntimeError(f"the broker refused {len(refused)} events: {refused[0].detail}")

    def wait(self, timeout: float | None = None) -> None:
        """Until every event is published and confirmed; re-raises a publishing failure."""
        self._thread.join(timeout)
        if self._error is not None:
            raise self._error

    def stop(self) -> None:
        """Stop publishing (events already confirmed stay on the broker)."""
        self._stopping.set()
        self._thread.join()


def refuse_without_broker(url: str, timeout: float = 1.0) -> None:
    """Raise ``RemoteUnavailable`` at once when no broker accepts connections at ``url``
    (rather than after the adapter's reconnect backoff)."""
    parts = urlsplit(url)
    address = (parts.hostname or "127.0.0.1", parts.port or 5672)
    try:
        socket.create_connection(address, timeout=timeout).close()
    except OSError as exc:
        raise RemoteUnavailable(
            f"no AMQP broker answers at {address[0]}:{address[1]} ({exc.strerror or exc})"
        ) from exc


@register_simulator("departmental")
def departmental(options: SimulatorOptions) -> DepartmentalSimulator:
    default = f"amqp://guest:guest@{options.host}:{options.port or 5672}/%2F"
    settings = dict(load_channel(CHANNEL_FILE).adapter)
    settings["url"] = os.environ.get("HUB_DEPARTMENTAL_AMQP_URL", default)
    refuse_without_broker(settings["url"])
    faults = options.faults
    events = DepartmentalEvents(
        options.seed,
        int(faults.get("events", 1000)),
        malformed=float(faults.get("malformed", 0.0)),
        duplicates=float(faults.get("duplicates", 0.0)),
    )
    return DepartmentalSimulator(settings, events).start()
