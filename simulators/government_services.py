"""The government services platform (政务服务平台): licensing events out, supervision results in.

审批联动 (approval linkage) starts here: every licensing case (行政许可) the platform handles,
on any of the reform tracks 先照后证 (licence after registration), 多证合一 (many licences in
one) and 告知承诺 (approval on a written commitment), is published as an event with its
application, acceptance, decision and issue times, so the responsible department can claim it
and supervise; the supervision result then goes back to the platform::

    simulator = GovernmentServicesSimulator(SimulatorOptions(seed=7))
    requests.get(f"{simulator.url}/api/licensing-events", headers={"X-API-Key": DEMO_KEY})
    simulator.results.accepted       # what the hub has sent back

Routes: ``GET /api/licensing-events`` (paged by ``page``/``page_size`` or ``offset``/``limit``,
filtered by ``updated_since``, in (更新时间, 办件编号) order, ``Link: rel="next"``);
``POST /api/supervision-results`` with an ``Idempotency-Key``: ``{"case_number",
"entity_uscc", "department_code", "supervised_at", "result", "note"}`` answered ``201
{"receipt_id", "status": "accepted"}`` (the same key gets the same receipt and nothing is
stored twice), or ``422 {"status": "rejected", "reasons": [...]}`` for a message missing a
field, with an invalid 统一社会信用代码 or time, or naming no case of the platform. Faults:
those of ``simulators.json_service``. The API key is ``HUB_GOVERNMENT_SERVICES_KEY`` when set,
the demo key otherwise. Message profile: ``standards/schemas/sources/
government_services_licensing_event.json``.
"""

from __future__ import annotations

import os
import random
from datetime import date, datetime, timedelta
from typing import Any

from hub.demo.world import Entity, Office, World, add_working_days
from simulators.json_service import (
    STAMP,
    UPDATED,
    Feed,
    JsonService,
    ReceiptBook,
    Reply,
    Request,
    message_problems,
)
from simulators.registry import SimulatorOptions, register_simulator

DEMO_KEY = "government-services-demo-key"
ENV_PREFIX = "HUB_GOVERNMENT_SERVICES"

# (department, licensing item, reform tracks it is handled on, licence issued, the
# supervision item of the province's catalog the licensed activity is supervised under)
LICENSING_ITEMS = (
    (
        "SCJG",
        "食品经营许可",
        ("先照后证", "告知承诺"),
        "食品经营许可证",
        "对食品生产经营活动的监督检查",
    ),
    ("SCJG", "食品生产许可", ("先照后证",), "食品生产许可证", "对食品生产经营活动的监督检查"),
    ("SCJG", "企业设立登记", ("多证合一",), "营业执照", "对企业公示信息的抽查"),
    (
        "SCJG",
        "特种设备使用登记",
        ("告知承诺",),
        "特种设备使用登记证",
        "对特种设备生产、使用单位的监督检查",
    ),
    ("SThJ", "排污许可证核发", ("先照后证",), "排污许可证", "对排污单位的监督检查"),
    (
        "YJGL",
        "危险化学品经营许可",
        ("先照后证",),
        "危险化学品经营许可证",
        "对生产经营单位安全生产的监督检查",
    ),
    (
        "WSJK",
        "公共场所卫生许可",
        ("先照后证", "告知承诺"),
        "公共场所卫生许可证",
        "对公共场所卫生的监督检查",
    ),
    (
        "JTYS",
        "道路货物运输经营许可",
        ("告知承诺",),
        "道路运输经营许可证",
        "对道路运输经营者的监督检查",
    ),
)
WORKING_DAYS = {"告知承诺": (0, 0), "多证合一": (1, 3), "先照后证": (5, 20)}
"""Working days from acceptance to decision, per reform track (当场办结 on a commitment)."""
OUTCOMES = (("准予许可", 85), ("不予许可", 6), ("申请人撤回", 3), ("办理中", 6))
RESULT_FIELDS = ("case_number", "entity_uscc", "department_code", "supervised_at", "result")


def _office(world: World, department: str, entity: Entity) -> Office:
    """The county bureau where one exists (market supervision), else the city's."""
    county = world.offices.get(f"{department}-{entity.county.code}")
    return county or world.offices[f"{department}-{entity.county.city_code[:4]}"]


def _stamp(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime(STAMP)


def _catalog_code(world: World, department: str, name: str) -> str:
    """The code of the department's main supervision item called ``name``."""
    return next(
        item.code
        for item in world.catalog
        if item.parent_code is None
        and item.department.abbreviation == department
        and item.name == name
    )


def _reporter(world: World, office: Office, index: int) -> str:
    """Who entered the case (上报人): one of the office's officers, else of its city's."""
    city = world.offices[f"{office.department.abbreviation}-{office.city_code[:4]}"]
    roster = office.officers or city.officers
    return roster[index % len(roster)].name


def licensing_event(world: World, index: int, entity: Entity) -> dict[str, Any]:
    """One case, its times in order: applied ≤ accepted ≤ decided ≤ issued ≤ 更新时间 (when
    it was reported, 上报时间), with the supervision item (监管事项目录编码) and the office's
    implementation-list line (检查实施清单编码) the push to the national system needs."""
    rng = world.rng
    department, item, tracks, licence, supervised_under = rng.choice(LICENSING_ITEMS)
    track = rng.choice(tracks)
    office = _office(world, department, entity)
    applied = world.office_hours(world.working_day_between(date(2026, 4, 1), date(2026, 6, 19)))
    accepted = applied + timedelta(minutes=rng.randint(5, 90))
    outcome = rng.choices([name for name, _ in OUTCOMES], [weight for _, weight in OUTCOMES])[0]
    decided = issued = None
    if outcome != "办理中":
        days = rng.randint(*WORKING_DAYS[track])
        decided = (
            world.office_hours(add_working_days(accepted.date(), days))
            if days
            else accepted + timedelta(minutes=rng.randint(10, 60))
        )
    if outcome == "准予许可" and decided is not None:
        issued_on = add_working_days(decided.date(), rng.randint(0, 2))
        issued = max(world.office_hours(issued_on), decided + timedelta(minutes=30))
    latest = issued or decided or accepted
    number = f"ZWFW{applied:%Y%m%d}{index:06d}"
    updated = latest + timedelta(minutes=rng.randint(1, 120))
    catalog_code = _catalog_code(world, department, supervised_under)
    return {
        "办件编号": number,
        "事项名称": item,
        "许可类型": track,
        "受理部门": office.name,
        "受理部门代码": office.code,
        "受理部门统一社会信用代码": office.uscc,
        "申请人名称": entity.name,
        "申请人类型": entity.counterpart_nature,
        "申请人统一社会信用代码": entity.uscc,
        "行政区划": entity.county.code,
        "经营场所": entity.business_address,
        "申请时间": _stamp(applied),
        "受理时间": _stamp(accepted),
        "决定时间": _stamp(decided),
        "发证时间": _stamp(issued),
        "办理结果": outcome,
        "证照名称": licence if issued else None,
        "证照编号": f"{office.region_code}{applied:%Y}XK{index:06d}" if issued else None,
        "有效期起": issued.date().isoformat() if issued else None,
        "有效期至": _valid_until(issued, licence),
        "监管事项目录编码": catalog_code,
        "检查实施清单编码": f"{office.uscc}{office.level_digit}{catalog_code}01",
        "上报时间": _stamp(updated),
        "上报人": _reporter(world, office, index),
        UPDATED: _stamp(updated),
    }


def _valid_until(issued: datetime | None, licence: str) -> str | None:
    """Five years for a licence; a business licence (营业执照) is valid indefinitely (长期)."""
    if issued is None or licence == "营业执照":
        return None
    return issued.date().replace(year=issued.year + 5).isoformat()


class GovernmentServicesSimulator(JsonService):
    """The running platform: ``url``, its ``events`` feed, the ``results`` it accepted, and
    the fault ``plan``."""

    def __init__(
        self, options: SimulatorOptions, *, api_key: str = DEMO_KEY, events: int = 80
    ) -> None:
        super().__init__(options, api_key=api_key, env_prefix=ENV_PREFIX)
        world = World(random.Random(options.seed), 2 * events)
        rows = [
            licensing_event(world, index, world.active_entities[index % len(world.active_entities)])
            for index in range(1, events + 1)
        ]
        self.cases = {row["办件编号"]: row for row in rows}
        self.events = Feed(rows, id_field="办件编号", required_field="许可类型", plan=self.plan)
        self.results = ReceiptBook("JGJG", self.plan)
        self.serve(
            options,
            "government_services",
            {
                ("GET", "/api/licensing-events"): self.events.page,
                ("POST", "/api/supervision-results"): self.receive_result,
            },
        )

    def receive_result(self, request: Request) -> Reply:
        return self.results.receive(request, "supervision_result", self._result_problems)

    def _result_problems(self, message: dict[str, Any]) -> list[str]:
        reasons = message_problems(
            message, required=RESULT_FIELDS, usccs=("entity_uscc",), times=("supervised_at",)
        )
        number = message.get("case_number")
        case = self.cases.get(str(number))
        if number and case is None:
            reasons.append(f"case_number: no licensing case {number!r}")
        elif case and message.get("entity_uscc") not in (None, case["申请人统一社会信用代码"]):
            reasons.append(f"entity_uscc: case {number} was applied for by another entity")
        return reasons


@register_simulator("government_services")
def start_government_services(options: SimulatorOptions) -> GovernmentServicesSimulator:
    """The platform with the API key from ``HUB_GOVERNMENT_SERVICES_KEY``, or the demo key."""
    return GovernmentServicesSimulator(
        options, api_key=os.environ.get(f"{ENV_PREFIX}_KEY") or DEMO_KEY
    )
