"""The 12345 work-order book the simulator serves: deterministic from the seed, thread-safe.

Orders come from the demo sample's generator (``hub.demo.sample``), so the simulator speaks
exactly the profile of ``standards/schemas/sources/hotline_12345_work_order.json``. The book
has a clock of its own: every change (a new order, a feedback) is stamped one minute after
the latest 更新时间, so incremental pulls see changes in order.

    book = OrderBook(seed=2019, count=120)
    rows, total = book.changed_since(None, offset=0, limit=50)
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from hub.demo.sample import _work_order
from hub.demo.world import World

SOURCE_TIMEZONE = timezone(timedelta(hours=8))  # 更新时间 is Beijing time, without offset
_STAMP = "%Y-%m-%d %H:%M:%S"
_FEEDBACK_FIELDS = {"status": "工单状态", "answer": "答复内容", "feedback": "回访评价"}
# The states a work order can be in (the hub's work_orders mapping knows the same table).
STATUSES = ("已受理", "已派单", "办理中", "已回复", "督办中", "已办结", "不予受理")


def order_key(order: dict[str, Any]) -> tuple[str, str]:
    """The serving order: (更新时间, 工单编号); both sort as text in their fixed formats."""
    return str(order["更新时间"]), str(order["工单编号"])


def parse_since(value: str) -> str:
    """``updated_since`` as a 更新时间 stamp; an offset-aware value is converted to +08:00."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(SOURCE_TIMEZONE).replace(tzinfo=None)
    return moment.strftime(_STAMP)


@dataclass(frozen=True)
class FeedbackReceipt:
    """What the hotline answers to a feedback: kept per Idempotency-Key and replayed."""

    status: int
    body: dict[str, Any]


@dataclass
class OrderBook:
    """Work orders by number, with the feedback receipts given so far."""

    seed: int = 2019
    count: int = 120
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    receipts: dict[str, FeedbackReceipt] = field(default_factory=dict)
    feedback_applied: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._world = World(random.Random(self.seed), 60)
        for index in range(1, self.count + 1):
            order = _work_order(self._world, index)
            self.orders[order["工单编号"]] = order
        self._clock = max(
            datetime.strptime(str(order["更新时间"]), _STAMP) for order in self.orders.values()
        )
        self._next_index = self.count + 1

    def tick(self) -> str:
        """A stamp one minute after the latest change."""
        self._clock += timedelta(minutes=1)
        return self._clock.strftime(_STAMP)

    def latest_stamp(self) -> str:
        return self._clock.strftime(_STAMP)

    def changed_since(
        self, since: str | None, *, offset: int, limit: int
    ) -> tuple[list[dict[str, Any]], int]:
        """Orders with 更新时间 >= ``since``, in serving order, sliced; and how many in all."""
        with self._lock:
            selected = sorted(
                (o for o in self.orders.values() if since is None or o["更新时间"] >= since),
                key=order_key,
            )
        return [dict(order) for order in selected[offset : offset + limit]], len(selected)

    def add_orders(self, count: int, *, stamp: str | None = None) -> list[str]:
        """New orders, numbered after every existing one and stamped ``stamp`` (or now)."""
        numbers: list[str] = []
        with self._lock:
            when = stamp or self.tick()
            moment = datetime.strptime(when, _STAMP)
            for _ in range(count):
                order = _work_order(self._world, self._next_index)
                order["工单编号"] = f"AH{moment:%y%m%d}{self._next_index:06d}"
                order["来电时间"] = (moment - timedelta(hours=1)).strftime(_STAMP)
                order["更新时间"] = when
                self.orders[order["工单编号"]] = order
                numbers.append(order["工单编号"])
                self._next_index += 1
        return numbers

    def touch(self, numbers: list[str], *, stamp: str | None = None) -> str:
        """Mark orders as changed (supervised) at ``stamp`` (or now); returns the stamp."""
        with self._lock:
            when = stamp or self.tick()
            for number in numbers:
                self.orders[number]["工单状态"] = "督办中"
                self.orders[number]["答复内容"] = f"{when} 已转督办"
                self.orders[number]["更新时间"] = when
        return when

    def feedback(self, number: str, key: str, fields: dict[str, Any]) -> FeedbackReceipt:
        """Apply a feedback once per Idempotency-Key; a repeated key gets the first receipt.

        Fields other than status, answer and feedback (the order number a sender keeps in
        its message, say) are ignored.
        """
        with self._lock:
            if key in self.receipts:
                return self.receipts[key]
            order = self.orders.get(number)
            if order is None:
                return FeedbackReceipt(404, {"code": 404, "msg": f"工单 {number} 不存在"})
            known = {name: value for name, value in fields.items() if name in _FEEDBACK_FIELDS}
            if not known:
                return FeedbackReceipt(
                    400, {"code": 400, "msg": f"give one of {sorted(_FEEDBACK_FIELDS)}"}
                )
            if "status" in known and known["status"] not in STATUSES:
                return FeedbackReceipt(
                    400, {"code": 400, "msg": f"status {known['status']!r} is none of {STATUSES}"}
                )
            for name, value in known.items():
                order[_FEEDBACK_FIELDS[name]] = value
            order["更新时间"] = self.tick()
            self.feedback_applied += 1
            receipt = FeedbackReceipt(
                201,
                {
                    "code": 201,
                    "msg": "反馈已接收",
                    "receipt_id": f"FK{self.feedback_applied:08d}",
                    "工单编号": number,
                },
            )
            self.receipts[key] = receipt
            return receipt
