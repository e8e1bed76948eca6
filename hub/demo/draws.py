"""The demo's random inspection (双随机、一公开): a joint plan over the sample, end to end.

The market regulator and the health commission of 合肥 (340100) draw together
("进一次门、查多项事") over a published item of each, under their implementation-list lines in
Hefei (made here once, with the agency their own records name, so that the plan and its
inspections carry the agency the national push needs); the plan is frozen from the sample's
entity and inspector libraries, committed, keyed by a public value, drawn, revealed, staffed
and verified; some results are recorded and half of them published through the in-process
credit publicity simulator (the outbox dispatcher sends them, the receipts mark them
published). The demo prints the commitment, the verification verdict and the publication
table.

The public value here is typed by the demo (there is no lottery to wait for); a real draw
enters a result published after the commitment, such as a lottery draw.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from adapters.secrets import environment_overlay
from hub.calendar import BEIJING
from hub.catalog.implementations import add_implementation_item
from hub.catalog.versions import Actor as CatalogActor
from hub.draws import service
from hub.draws.errors import StaffingRefused
from hub.draws.publication import CHANNEL, record_receipts, request_publication
from hub.draws.result_categories import category_label
from hub.draws.results import record_result
from hub.draws.verification import Verification, verify_draw
from hub.exchange.channels import default_registry
from hub.exchange.dispatch import dispatch_outbox
from hub.store.base import utcnow
from hub.store.models.actions import CoerciveMeasure, Inspection, Licensing, Penalty
from hub.store.models.catalog import CatalogItem, ImplementationListItem
from hub.store.models.draws import DrawPick
from hub.store.models.entities import RegulatedEntity
from hub.store.models.inspection_results import InspectionResult
from simulators.registry import SimulatorOptions, start_simulator

REGION = "340100"
DEPARTMENTS = ("SCJG-3401", "WSJK-3401")  # 市场监管局, 卫生健康委
# The published main item each department inspects at random in the plan.
PLAN_ITEMS = {
    "SCJG-3401": "对食品生产经营活动的监督检查",
    "WSJK-3401": "对公共场所卫生的监督检查",
}
ORGANISER = service.Actor("demo-organiser", DEPARTMENTS[0])
RECORDER = service.Actor("demo-inspector", DEPARTMENTS[0])
DEMO_RESULTS = ("01", "02", "05", "01", "06", "03")  # one result per drawn entity, in order


@dataclass(frozen=True)
class DemoDraw:
    """What the demo's draw produced, for the printout and the tests."""

    draw_id: int
    commitment: str
    verification: Verification
    result_ids: list[int]


def run_demo_draw(console: Console, engine: Engine) -> DemoDraw | None:
    """Run the draw, record and publish results; None (and why, printed) if it cannot run."""
    with Session(engine) as session, session.begin():
        document = _plan(session)
        if document is None:
            console.print(f"draw: skipped, the catalog lacks a published item of {PLAN_ITEMS}")
            return None
        draw = service.create_plan(session, document, ORGANISER)
        try:
            service.freeze(session, draw.id, ORGANISER)
        except StaffingRefused as exc:
            session.rollback()
            console.print(f"draw: skipped, {exc}")
            return None
        service.commit(session, draw.id, ORGANISER)
        moment = utcnow().astimezone(BEIJING).isoformat(timespec="seconds")
        service.enter_public_value(
            session, draw.id, f"demo {moment}", "typed by `hub demo` (no lottery)", ORGANISER
        )
        service.run_draw(session, draw.id, ORGANISER)
        service.reveal(session, draw.id, ORGANISER)
        service.assign_teams(session, draw.id, ORGANISER)
        verification = verify_draw(session, draw.id)
        result_ids = _record_results(session, draw.id)
        for result_id in result_ids[: len(result_ids) // 2 + 1]:
            request_publication(session, session.get_one(InspectionResult, result_id), RECORDER)
        demo = DemoDraw(draw.id, draw.commitment or "", verification, result_ids)
    _publish(engine)
    _print(console, engine, demo)
    return demo


def _plan(session: Session) -> dict[str, Any] | None:
    """A joint plan: one published catalog item of each department, quotas per credit
    class; each item with its department's implementation-list line in Hefei (the agency
    the national profile names on the plan and its inspections), made once."""
    items = []
    for department in DEPARTMENTS:
        code = session.scalars(
            select(CatalogItem.code).where(
                CatalogItem.name == PLAN_ITEMS[department],
                CatalogItem.parent_code.is_(None),
                CatalogItem.status == "published",
            )
        ).first()
        if code is None:
            return None
        agency = _agency(session, department)
        if agency is not None:  # else the push holds the plan, naming the missing agency
            _implementation_line(session, department, code, *agency)
        items.append({"code": code, "department": department, "kind": "key"})
    year = utcnow().astimezone(BEIJING).year
    return {
        "name": f"{year} 年度合肥市餐饮食品与公共卫生跨部门联合抽查 (demo)",
        "year": year,
        "department_code": DEPARTMENTS[0],
        "region_code": REGION,
        "items": items,
        "quotas": {
            "A": {"ratio": "0.1"},
            "B": {"ratio": "0.3"},
            "C": {"ratio": "0.6"},
            "D": {"ratio": "1", "frequency_cap_exempt": True},
        },
        "weights": {"complaint": 2, "abnormal_list": 3, "serious_violation": 4},
        "avoid_recent_days": 90,
    }


def _agency(session: Session, department: str) -> tuple[str, str | None] | None:
    """The implementing agency (统一社会信用代码, name) the department's supervision actions
    name most often; None when the sample holds none of its actions."""
    named: Counter[tuple[str, str | None]] = Counter()
    for action in (Inspection, Penalty, Licensing, CoerciveMeasure):
        rows = session.execute(
            select(action.agency_uscc, action.agency_name, func.count())
            .where(action.department_code == department, action.agency_uscc.is_not(None))
            .group_by(action.agency_uscc, action.agency_name)
        )
        for uscc, name, count in rows:
            named[(str(uscc), name)] += count
    if not named:
        return None
    return min(named, key=lambda agency: (-named[agency], agency[0]))


def _implementation_line(
    session: Session, department: str, code: str, agency_uscc: str, agency_name: str | None
) -> None:
    """The department's line for ``code`` in Hefei, added unless one is in force."""
    exists = session.scalars(
        select(ImplementationListItem.id).where(
            ImplementationListItem.catalog_code == code,
            ImplementationListItem.department_code == department,
            ImplementationListItem.region_code == REGION,
            ImplementationListItem.status == "active",
        )
    ).first()
    if exists is None:
        add_implementation_item(
            session,
            catalog_code=code,
            agency_uscc=agency_uscc,
            agency_name=agency_name,
            region_code=REGION,
            department_code=department,
            actor=CatalogActor(ORGANISER.name, department),
        )


def _record_results(session: Session, draw_id: int) -> list[int]:
    """A result for the first drawn entities, ending now (the team has just been).

    A result is reported after its inspection ended: the national profile refuses a
    ``reported_at`` that is not later than ``acted_at`` in whole seconds, and the team was
    assigned a moment ago, so the demo lets the clock pass into the next second before it
    reports.
    """
    picks = session.scalars(
        select(DrawPick.entity_uscc)
        .where(DrawPick.draw_id == draw_id)
        .order_by(DrawPick.stratum, DrawPick.rank)
        .limit(len(DEMO_RESULTS))
    ).all()
    ended = utcnow()
    time.sleep(1 - ended.microsecond / 1_000_000)
    return [
        record_result(session, draw_id, uscc, code, ended_at=ended, actor=RECORDER).id
        for uscc, code in zip(picks, DEMO_RESULTS, strict=False)
    ]


def _publish(engine: Engine) -> None:
    """Dispatch the queued publications to the credit publicity simulator, record receipts."""
    simulator = start_simulator(CHANNEL, SimulatorOptions())
    try:
        with environment_overlay(dict(getattr(simulator, "environment", {}))):
            dispatch_outbox(engine, default_registry(), destination=CHANNEL)
    finally:
        simulator.stop()
    with Session(engine) as session, session.begin():
        record_receipts(session)


def _print(console: Console, engine: Engine, demo: DemoDraw) -> None:
    verdict = demo.verification
    drawn = sum(len(ranked) for ranked in verdict.picks.values())
    console.print(f"draw {demo.draw_id}: commitment {demo.commitment}")
    console.print(
        f"draw {demo.draw_id} {'holds' if verdict.ok else 'does NOT hold'}: "
        f"{sum(check.passed for check in verdict.checks)}/{len(verdict.checks)} checks passed, "
        f"{drawn} entities drawn, {len(verdict.teams or {})} teams "
        f"(`hub draw verify {demo.draw_id}`)"
    )
    table = Table(title=f"draw {demo.draw_id}: results and their publication (一公开)")
    for column in ("number", "entity", "class", "result", "due (Beijing)", "published"):
        table.add_column(column)
    with Session(engine) as session:
        rows = session.execute(
            select(InspectionResult, RegulatedEntity.name)
            .outerjoin(RegulatedEntity, RegulatedEntity.uscc == InspectionResult.entity_uscc)
            .where(InspectionResult.id.in_(demo.result_ids))
            .order_by(InspectionResult.id)
        )
        for result, name in rows:
            due = result.publication_due_at
            table.add_row(
                result.result_number,
                name or result.entity_uscc,
                result.stratum,
                category_label(result.result_code) or result.result_code,
                _beijing(due) + (" (provisional)" if result.publication_provisional else ""),
                f"{_beijing(result.published_at)} {result.publication_receipt}"
                if result.published_at
                else "queued"
                if result.publication_key
                else "not yet",
            )
    console.print(table)


def _beijing(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite: naive UTC
    return aware.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
