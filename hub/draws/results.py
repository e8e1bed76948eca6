"""Recording the result of a random inspection (双随机抽查结果), one per drawn entity.

A result is recorded once the draw is ``assigned`` and the team has inspected the entity:

    result = record_result(session, draw_id, "91340100MA0000001X", "02",
                           ended_at=datetime(2026, 4, 3, 16, 0, tzinfo=BEIJING),
                           actor=Actor("li.ming", "SCJG-3401"),
                           findings="后厨未按规定留样，已责令改正")

In the caller's transaction it writes the inspection as a supervision action (an
``inspections`` row: category 03 双随机抽查, joint when the plan has several departments,
``plan_id`` naming the draw, the team as officers), the ``inspection_results`` row linking
draw, stratum, plan item, team and inspection, and the audit entry. The publication falls
due at the end of the 20th working day after the inspection ended (``hub.calendar``; the day
it ended is not counted); ``hub.draws.publication`` queues and tracks it.

Who may record: an officer of a department of the entity's team, or of the plan's
organising department. The team members named must belong to the entity's assigned team,
at least two of them (two inspectors per inspection) unless the team is smaller.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit import anchor_after_commit, append, default_anchor
from hub.calendar import BEIJING, load_calendar
from hub.draws.errors import DrawRefused
from hub.draws.result_categories import result_categories
from hub.draws.service import Actor, get_draw
from hub.errors import PermissionDenied
from hub.exchange.processing import content_hash
from hub.store.base import utcnow
from hub.store.models.actions import Inspection
from hub.store.models.catalog import ImplementationListItem
from hub.store.models.draws import Draw, DrawAssignment, DrawPick
from hub.store.models.entities import RegulatedEntity
from hub.store.models.inspection_results import InspectionResult

PUBLICATION_WORKING_DAYS = 20
"""Results are published within 20 working days of the end of the inspection (DOMAIN.md)."""
MINIMUM_INSPECTORS = 2
RANDOM_INSPECTION_CATEGORY = "03"  # 检查类别 双随机抽查, as the inspection channels map it
ON_SITE_FORM = "01"  # 检查形式 现场检查
SINGLE_MANNER, JOINT_MANNER = "01", "02"  # 检查方式 单独检查 / 联合检查
LEGAL_PERSON_TYPES = ("enterprise", "farmer_cooperative", "institution", "social_organisation")
AUDIT_OBJECT = "inspection_result"


class ResultRefused(DrawRefused):
    """A result that cannot be recorded as given; nothing was written."""


def record_result(
    session: Session,
    draw_id: int,
    entity_uscc: str,
    result_code: str,
    *,
    ended_at: datetime,
    actor: Actor,
    officers: Sequence[str] | None = None,
    catalog_code: str | None = None,
    findings: str | None = None,
) -> InspectionResult:
    """Record the result of inspecting one drawn entity (see the module docstring).

    ``ended_at`` is when the inspection ended (a naive value is Beijing time); ``officers``
    defaults to the whole assigned team, ``catalog_code`` to the plan item of the actor's
    department (else the plan's first item). ``findings`` is kept on the inspection for the
    departments and never published.
    """
    draw = get_draw(session, draw_id)
    if draw.status != "assigned":
        raise ResultRefused(f"draw {draw_id} is {draw.status}: results follow assigned teams")
    pick = session.scalars(
        select(DrawPick).where(DrawPick.draw_id == draw_id, DrawPick.entity_uscc == entity_uscc)
    ).one_or_none()
    if pick is None:
        raise ResultRefused(f"{entity_uscc} was not drawn in draw {draw_id}")
    team = _team(session, draw_id, entity_uscc)
    if actor.department_code not in {draw.department_code, *team.values()}:
        raise PermissionDenied(
            f"{actor.department_code} neither organises draw {draw_id} nor inspects this entity"
        )
    if _existing(session, draw_id, entity_uscc) is not None:
        raise ResultRefused(f"the result of {entity_uscc} in draw {draw_id} is recorded already")
    category = result_categories().get(result_code)
    if category is None:
        known = ", ".join(result_categories())
        raise ResultRefused(f"unknown result code {result_code!r}; known: {known}")
    inspectors = _inspectors(team, officers)
    item = _plan_item(draw, actor, catalog_code)
    ended = _ended_at(draw, ended_at)
    deadline = load_calendar().add_working_days(ended, PUBLICATION_WORKING_DAYS)

    number = f"SSJ-{draw.id}-{entity_uscc}"
    inspection = _inspection(session, draw, entity_uscc, number, item, actor, inspectors, ended)
    inspection.result_code, inspection.result = category.code, findings
    inspection.content_hash = content_hash(_hashed_fields(inspection))
    session.add(inspection)
    session.flush()
    result = InspectionResult(
        draw_id=draw.id,
        entity_uscc=entity_uscc,
        stratum=pick.stratum,
        catalog_code=item,
        department_code=actor.department_code,
        result_number=f"{number}-R",
        inspection_id=inspection.id,
        result_code=category.code,
        problem_found=category.problem_found,
        officers=inspectors,
        inspection_ended_at=ended,
        recorded_by=actor.name,
        publication_due_at=deadline.due_at.astimezone(UTC),  # SQLite keeps naive UTC
        publication_provisional=deadline.provisional,
    )
    session.add(result)
    session.flush()
    audit_result(
        session,
        result,
        "record",
        actor.name,
        {
            "draw": draw.id,
            "stratum": pick.stratum,
            "result_code": category.code,
            "inspectors": len(inspectors),
            "publication_due": deadline.due_at.date().isoformat(),
            "provisional": deadline.provisional,
        },
    )
    return result


def audit_result(
    session: Session, result: InspectionResult, step: str, actor: str, details: dict[str, object]
) -> None:
    """Append ``inspection_result.<step>`` in the caller's transaction (no entity codes, no
    certificate numbers, no free text: ids, codes, counts and dates)."""
    anchor_after_commit(session, default_anchor())
    append(
        session,
        actor=actor,
        action=f"{AUDIT_OBJECT}.{step}",
        object_type=AUDIT_OBJECT,
        object_id=str(result.id),
        department_code=result.department_code,
        details=details,
    )


def _team(session: Session, draw_id: int, entity_uscc: str) -> dict[str, str]:
    """The entity's assigned team: certificate number → department."""
    rows = session.execute(
        select(DrawAssignment.certificate_number, DrawAssignment.department_code).where(
            DrawAssignment.draw_id == draw_id, DrawAssignment.entity_uscc == entity_uscc
        )
    )
    return {certificate: department for certificate, department in rows}


def _existing(session: Session, draw_id: int, entity_uscc: str) -> InspectionResult | None:
    return session.scalars(
        select(InspectionResult).where(
            InspectionResult.draw_id == draw_id, InspectionResult.entity_uscc == entity_uscc
        )
    ).one_or_none()


def _inspectors(team: dict[str, str], officers: Sequence[str] | None) -> list[str]:
    """The inspectors who carried the inspection out: members of the team, at least two."""
    named = sorted(set(officers if officers is not None else team))
    strangers = [certificate for certificate in named if certificate not in team]
    if strangers:
        raise ResultRefused(f"not in the entity's assigned team: {', '.join(strangers)}")
    if len(named) < min(MINIMUM_INSPECTORS, len(team)):
        raise ResultRefused(
            f"an inspection is carried out by at least {MINIMUM_INSPECTORS} inspectors; "
            f"{len(named)} named"
        )
    return named


def _plan_item(draw: Draw, actor: Actor, catalog_code: str | None) -> str:
    items = draw.plan["items"]
    codes = [item["code"] for item in items]
    if catalog_code is not None:
        if catalog_code not in codes:
            raise ResultRefused(f"{catalog_code} is not an item of the plan; its items: {codes}")
        return catalog_code
    own = [item["code"] for item in items if item["department"] == actor.department_code]
    return (own or codes)[0]


def _ended_at(draw: Draw, ended_at: datetime) -> datetime:
    """``ended_at`` in UTC, after the team was assigned and not in the future."""
    ended = (ended_at if ended_at.tzinfo else ended_at.replace(tzinfo=BEIJING)).astimezone(UTC)
    assigned_at = draw.assigned_at
    if assigned_at is not None and ended < _aware(assigned_at):
        raise ResultRefused(
            f"the inspection cannot end ({ended.isoformat()}) before its team was assigned "
            f"({_aware(assigned_at).isoformat()})"
        )
    if ended > utcnow():
        raise ResultRefused(f"the inspection's end {ended.isoformat()} is in the future")
    return ended


def _aware(moment: datetime) -> datetime:
    """SQLite hands timestamps back naive, in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _inspection(
    session: Session,
    draw: Draw,
    entity_uscc: str,
    number: str,
    catalog_code: str,
    actor: Actor,
    officers: list[str],
    ended: datetime,
) -> Inspection:
    """The supervision action: the inspection as every other inspection is stored, under
    the department's implementation-list line of the item (its code and agency) when the
    department has one in force."""
    entity = session.scalars(
        select(RegulatedEntity).where(RegulatedEntity.uscc == entity_uscc)
    ).one_or_none()
    line = session.scalars(
        select(ImplementationListItem)
        .where(
            ImplementationListItem.catalog_code == catalog_code,
            ImplementationListItem.department_code == actor.department_code,
            ImplementationListItem.status == "active",
        )
        .order_by(ImplementationListItem.code)
    ).first()
    departments = {item["department"] for item in draw.plan["items"]}
    return Inspection(
        action_number=number,
        catalog_code=catalog_code,
        implementation_code=line.code if line else None,
        agency_uscc=line.agency_uscc if line else None,
        agency_name=line.agency_name if line else None,
        action_name=draw.name,
        department_code=actor.department_code,
        entity_uscc=entity_uscc,
        entity_name=entity.name if entity else None,
        counterpart_kind=_counterpart_kind(entity),
        counterpart_id_type="uscc",
        counterpart_id=entity_uscc,
        region_code=entity.region_code if entity else None,
        registered_address=entity.registered_address if entity else None,
        business_address=entity.business_address if entity else None,
        acted_at=ended,
        reported_at=utcnow(),
        reporter=actor.name,
        origin="on_site",
        officers=officers,
        plan_id=draw_plan_id(draw.id),
        form=ON_SITE_FORM,
        category=RANDOM_INSPECTION_CATEGORY,
        manner=JOINT_MANNER if len(departments) > 1 else SINGLE_MANNER,
        source_version=ended.isoformat(),
    )


def draw_plan_id(draw_id: int) -> str:
    """The 双随机计划 id an inspection of the draw carries (and its publication)."""
    return f"DRAW-{draw_id}"


def _counterpart_kind(entity: RegulatedEntity | None) -> str:
    if entity is not None and entity.entity_type in LEGAL_PERSON_TYPES:
        return "legal_person"
    return "other"


def _hashed_fields(inspection: Inspection) -> dict[str, object]:
    """What the stored inspection's ``content_hash`` digests (the column the pipeline's
    idempotent upsert compares when the same action number arrives from a channel)."""
    names = ("action_number", "catalog_code", "department_code", "entity_uscc", "acted_at")
    return {name: getattr(inspection, name) for name in names} | {
        "officers": list(inspection.officers),
        "result_code": inspection.result_code,
    }
