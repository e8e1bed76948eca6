"""The demo's cases: the complaints the channels stored become cases, routed, and their
handling as the hotlines recorded it replayed on the workflow, so the on-time rates mean
something.

Each complaint is taken in at its own reception time (so its time limits run from then on the
official calendar); one whose source says it was answered or closed is then started, answered
(at the source's closing time), visited back with the source's satisfaction and closed, by the
department it was routed to. What the sources left open stays open, and overdue if late.
"""

from __future__ import annotations

from datetime import timedelta

from rich.console import Console
from sqlalchemy import Engine, exists, select
from sqlalchemy.orm import Session

from hub.audit import anchor_after_commit, default_anchor
from hub.cases.handling import case_instance, fire_case
from hub.cases.intake import IntakeReport, take_in
from hub.cli.cases import print_routing_table, print_statistics
from hub.store.models.cases import Case, CaseComplaint
from hub.store.models.complaints import Complaint
from hub.workflow import Actor

SATISFACTION = {"满意": "satisfied", "基本满意": "basically_satisfied", "不满意": "dissatisfied"}
DONE = ("answered", "closed")
DISPATCHER = Actor("demo:dispatcher", "SJZY-34", "officer")


def demo_cases(console: Console, engine: Engine) -> None:
    """Take every stored complaint in, replay the recorded handling, print the tables."""
    report = IntakeReport()
    with Session(engine) as session, session.begin():
        anchor_after_commit(session, default_anchor())
        pending = session.scalars(
            select(Complaint)
            .where(~exists().where(CaseComplaint.complaint_id == Complaint.id))
            .order_by(Complaint.received_at, Complaint.id)
        ).all()
        for complaint in pending:
            case = take_in(session, complaint, report=report, now=complaint.received_at)
            if complaint.status in DONE and complaint.closed_at is not None:
                _replay_handling(session, case, complaint)
    console.print(
        f"\ncases: {report.opened} opened from {len(pending)} complaint(s), "
        f"{report.merged} merged (并单), {report.routed} routed, {report.triaged} to triage"
    )
    print_routing_table(engine)
    print_statistics(engine, "region")


def _replay_handling(session: Session, case: Case, complaint: Complaint) -> None:
    """Answer, visit and close ``case`` at the times the source recorded, if it was routed."""
    answered_at, answer = complaint.closed_at, complaint.answer or "已办理并答复来电人"
    satisfaction = SATISFACTION.get(complaint.satisfaction or "")
    instance = case_instance(session, case)
    if answered_at is None or instance.state != "assigned" or instance.department_code is None:
        return
    handler = Actor(f"demo:{instance.department_code}", instance.department_code, "officer")
    started_at = min(complaint.received_at + timedelta(hours=2), answered_at)
    fire_case(session, case, "start_handling", handler, now=started_at)
    fire_case(session, case, "answer", handler, fields={"answer": answer}, now=answered_at)
    if satisfaction is None:
        return
    visited_at = answered_at + timedelta(days=1)
    fire_case(
        session, case, "visit", DISPATCHER, fields={"satisfaction": satisfaction}, now=visited_at
    )
    fire_case(session, case, "close", DISPATCHER, now=visited_at)
