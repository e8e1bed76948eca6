"""Supervision actions (监管行为): inspection, penalty, coercive measure, licensing.

Each kind has its own table, all sharing the columns of :class:`ActionMixin` (who acted, on
whom, under which catalog item, when, with which officers). The natural key is the source's
number of the action (``action_number``), unique within a kind. Evidence files (photos,
body-camera video, sensor readings) are stored by content digest and point at their action.

Cross-field rules JSON Schema cannot express (report time after action time, closing date
after filing date, the implementation code's first 18 characters equal to the agency's
code) are checked by the exchange pipeline, not here.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, CanonicalMixin
from hub.store.records import RecordType, register_record_type
from hub.store.types import EncryptedText


class ActionMixin:
    """Columns every supervision action carries, as pushed to the national system.

    ``counterpart_id`` is a 统一社会信用代码 for a legal person but a 公民身份号码 for a
    natural person, so it is sealed at rest; ``entity_uscc`` carries the searchable code when
    there is one. ``officers`` lists the certificate numbers of the acting officers.
    ``origin`` tells on-site from mobile and non-site supervision (IoT sensors, video).
    """

    action_number: Mapped[str] = mapped_column(String(100))
    catalog_code: Mapped[str | None] = mapped_column(String(14), index=True)
    implementation_code: Mapped[str | None] = mapped_column(String(64), index=True)
    action_name: Mapped[str | None] = mapped_column(String(300))
    department_code: Mapped[str] = mapped_column(String(50), index=True)
    agency_name: Mapped[str | None] = mapped_column(String(200))
    agency_uscc: Mapped[str | None] = mapped_column(String(18))
    entrusted_department: Mapped[str | None] = mapped_column(String(200))
    entity_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    entity_name: Mapped[str | None] = mapped_column(String(200))
    counterpart_kind: Mapped[str | None] = mapped_column(String(20))
    counterpart_id_type: Mapped[str | None] = mapped_column(String(20))
    counterpart_id: Mapped[str | None] = mapped_column(EncryptedText())
    region_code: Mapped[str | None] = mapped_column(String(12), index=True)
    registered_address: Mapped[str | None] = mapped_column(String(300))
    business_address: Mapped[str | None] = mapped_column(String(300))
    acted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    reported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reporter: Mapped[str | None] = mapped_column(String(100))
    origin: Mapped[str | None] = mapped_column(String(20))
    officers: Mapped[list[str]] = mapped_column(JSON, default=list)
    result: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    plan_id: Mapped[str | None] = mapped_column(String(64), index=True)


class Inspection(ActionMixin, CanonicalMixin, Base):
    """An administrative inspection (行政检查), routine, random (双随机) or non-site.

    ``form``, ``category``, ``manner`` and ``result_code`` hold codes of dictionaries whose
    official values are unpublished; the code tables in ``standards/`` define ours.
    """

    __tablename__ = "inspections"
    __table_args__ = (UniqueConstraint("action_number"),)

    form: Mapped[str | None] = mapped_column(String(20))
    category: Mapped[str | None] = mapped_column(String(20))
    manner: Mapped[str | None] = mapped_column(String(20))
    result_code: Mapped[str | None] = mapped_column(String(20))


class Penalty(ActionMixin, CanonicalMixin, Base):
    """An administrative penalty case (行政处罚), from filing to closing.

    ``penalty_kinds`` lists the two-digit national codes (01 警告, 02 罚款, ... 14 责令关闭);
    ``inspection_number`` is the ``action_number`` of the inspection that found the case.
    """

    __tablename__ = "penalties"
    __table_args__ = (UniqueConstraint("action_number"),)

    case_source: Mapped[str | None] = mapped_column(String(50))
    inspection_number: Mapped[str | None] = mapped_column(String(100), index=True)
    facts: Mapped[str | None] = mapped_column(Text)
    legal_basis: Mapped[str | None] = mapped_column(Text)
    procedure: Mapped[str] = mapped_column(String(20), default="general")
    hearing: Mapped[bool] = mapped_column(Boolean, default=False)
    filed_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    criminal_transfer: Mapped[bool] = mapped_column(Boolean, default=False)
    major_case: Mapped[bool] = mapped_column(Boolean, default=False)
    legal_review: Mapped[bool] = mapped_column(Boolean, default=False)
    collective_discussion: Mapped[bool] = mapped_column(Boolean, default=False)
    decision_number: Mapped[str | None] = mapped_column(String(100), index=True)
    decided_on: Mapped[date | None] = mapped_column(Date)
    penalty_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    fine_amount: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    confiscated_amount: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    review_or_lawsuit: Mapped[str | None] = mapped_column(Text)
    amount_paid: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))


class CoerciveMeasure(ActionMixin, CanonicalMixin, Base):
    """An administrative coercive measure or enforcement (行政强制), e.g. a seizure."""

    __tablename__ = "coercive_measures"
    __table_args__ = (UniqueConstraint("action_number"),)

    measure_kind: Mapped[str | None] = mapped_column(String(50))
    started_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    legal_basis: Mapped[str | None] = mapped_column(Text)
    decision_number: Mapped[str | None] = mapped_column(String(100))


class Licensing(ActionMixin, CanonicalMixin, Base):
    """An administrative licensing case (行政许可), as the government services platform reports it.

    The timestamps (applied, accepted, decided, issued) and ``steps`` feed the business
    environment indicators (number of procedures, working and calendar days); ``decision``
    stays null while the case is pending. ``licence_kind`` tells the reform track:
    ``licence_after_registration`` (先照后证), ``multiple_licences_in_one`` (多证合一),
    ``notification_commitment`` (告知承诺) or ``ordinary``.
    """

    __tablename__ = "licensing_actions"
    __table_args__ = (UniqueConstraint("action_number"),)

    licence_kind: Mapped[str] = mapped_column(String(40), default="ordinary")
    licence_number: Mapped[str | None] = mapped_column(String(100), index=True)
    applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    issued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    decision: Mapped[str | None] = mapped_column(String(20))
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    fees: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))


class EvidenceFile(CanonicalMixin, Base):
    """A piece of evidence (执法证据): a photo, a body-camera clip, a sensor reading file.

    Keyed by the SHA-256 of its content, so the same file sent twice is stored once; the
    bytes themselves live outside the canonical store. ``department_code`` is the acting
    department's, copied from the action so work endpoints can scope evidence like actions.
    """

    __tablename__ = "evidence_files"
    __table_args__ = (UniqueConstraint("sha256"),)

    sha256: Mapped[str] = mapped_column(String(64))
    action_kind: Mapped[str] = mapped_column(String(20))
    action_number: Mapped[str] = mapped_column(String(100), index=True)
    department_code: Mapped[str | None] = mapped_column(String(50), index=True)
    file_name: Mapped[str | None] = mapped_column(String(500))
    media_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(BigInteger)
    captured_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    origin: Mapped[str | None] = mapped_column(String(20))


for _name, _model in (
    ("inspection", Inspection),
    ("penalty", Penalty),
    ("coercive_measure", CoerciveMeasure),
    ("licensing", Licensing),
):
    register_record_type(
        RecordType(
            name=_name,
            model=_model,
            key=("action_number",),
            schema=f"canonical/{_name}.json",
            department_field="department_code",
        )
    )

register_record_type(
    RecordType(
        name="evidence_file",
        model=EvidenceFile,
        key=("sha256",),
        schema="canonical/evidence_file.json",
        department_field="department_code",
        region_field=None,
    )
)
