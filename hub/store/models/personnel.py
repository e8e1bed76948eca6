"""Enforcement personnel (执法人员): the inspector library of 双随机、一公开.

Draws pick inspectors from this table by department, region, qualification and speciality;
only certified, active officers whose certificate is still valid may be drawn.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Boolean, Date, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, CanonicalMixin
from hub.store.records import RecordType, register_record_type


class EnforcementOfficer(CanonicalMixin, Base):
    """An enforcement officer (执法人员), keyed by the enforcement certificate number.

    ``qualifications`` and ``specialities`` are lists of tags the draw module matches against
    an inspection item's requirements, e.g. ``["food_safety", "special_equipment"]``.
    """

    __tablename__ = "enforcement_officers"
    __table_args__ = (UniqueConstraint("certificate_number"),)

    certificate_number: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(100))
    department_code: Mapped[str] = mapped_column(String(50), index=True)
    department_name: Mapped[str | None] = mapped_column(String(200))
    region_code: Mapped[str | None] = mapped_column(String(12), index=True)
    qualifications: Mapped[list[str]] = mapped_column(JSON, default=list)
    specialities: Mapped[list[str]] = mapped_column(JSON, default=list)
    certified: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    valid_until: Mapped[date | None] = mapped_column(Date)


register_record_type(
    RecordType(
        name="officer",
        model=EnforcementOfficer,
        key=("certificate_number",),
        schema="canonical/officer.json",
        department_field="department_code",
    )
)
