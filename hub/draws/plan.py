"""A random inspection plan (抽查计划) as the planner writes it, validated.

The plan is data: a YAML or JSON document, or the body of a request, checked here field by
field (every error at once, by pydantic) before it is stored as a draft. When the draw is
frozen, ``PlanSpec.document`` becomes the frozen plan that ``hub.draws.algorithm`` hashes
and reads (``quotas``, ``general_item_cap``, ``items`` and the two team sizes).

Defaults follow the local example in DOMAIN.md and are meant to be overridden: per credit
class A (low risk) 5 %, B 20 %, C 60 %, D (high risk) 100 %, the upper ends of one county's
bands; general items (一般事项) capped at 5 %, as one city does; two inspectors per entity;
an entity drawn at most twice a year across departments (``frequency_cap``) unless its
class is flagged ``frequency_cap_exempt`` in the quota table (D by default).

    >>> spec = PlanSpec.model_validate({
    ...     "name": "2026 年度食品经营者抽查", "year": 2026, "department_code": "SCJG-3401",
    ...     "region_code": "340100",
    ...     "items": [{"code": "34010100010000", "department": "SCJG-3401", "kind": "key"}]})
    >>> spec.quotas["A"].ratio, spec.departments
    ('0.05', ['SCJG-3401'])
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hub.draws.algorithm import check_name, parse_ratio

CREDIT_CLASSES = ("A", "B", "C", "D")
"""Enterprise credit-risk classes, low to high (国市监信发〔2022〕6号)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _ratio(value: str) -> str:
    """A decimal string between 0 and 1, kept as written (it is hashed as written)."""
    try:
        ratio = parse_ratio(value)
    except ValueError as exc:
        raise ValueError(str(exc)) from None
    if ratio > 1:
        raise ValueError(f"ratio {value} is above 1")
    return value


class PlanItem(_Strict):
    """A catalog item inspected at random (抽查事项): which department checks it, its kind
    (key items have no upper ratio, general ones are capped) and the qualification an
    inspector needs for it."""

    code: str = Field(min_length=1, max_length=64)
    department: str = Field(min_length=1, max_length=50)
    kind: Literal["key", "general"]
    qualification: str | None = Field(default=None, min_length=1, max_length=50)


class Quota(_Strict):
    """How many entities of a class to draw: a ratio (decimal string) or a count.

    ``frequency_cap_exempt`` marks a class whose risk demands checks beyond the plan's
    ``frequency_cap`` (by default class D): its entities stay candidates however often they
    were drawn this year.
    """

    ratio: str | None = None
    count: int | None = Field(default=None, ge=0)
    frequency_cap_exempt: bool = False

    @model_validator(mode="after")
    def _one_of(self) -> Quota:
        if (self.ratio is None) == (self.count is None):
            raise ValueError("give either ratio or count")
        if self.ratio is not None:
            _ratio(self.ratio)
        return self

    def rule(self) -> dict[str, Any]:
        """The quota as the frozen plan holds it; the flag only when set."""
        rule: dict[str, Any] = (
            {"ratio": self.ratio} if self.ratio is not None else {"count": self.count}
        )
        if self.frequency_cap_exempt:
            rule["frequency_cap_exempt"] = True
        return rule


class EntityFilter(_Strict):
    """Which entities of the entity library may be drawn; empty lists do not filter.

    Regions and industries match by prefix (GB/T 2260 codes lose their trailing ``00``
    pairs, so ``340100`` means all of Hefei; GB/T 4754 codes as written).
    ``licensed_items`` (许可事项) are the 14-digit catalog codes of licensing items: an
    entity passes when it holds a licence granted under one of them (the licensing actions
    table) and in force on the freeze date.
    """

    regions: list[str] = Field(default_factory=list)
    industries: list[str] = Field(default_factory=list)
    entity_types: list[str] = Field(default_factory=list)
    statuses: list[str] = Field(default_factory=lambda: ["active"])
    licensed_items: list[Annotated[str, Field(pattern=r"^[0-9]{14}$")]] = Field(
        default_factory=list
    )


class Weights(_Strict):
    """Raise the chance of entities that deserve more checks (动态调整被抽查概率).

    An entity's weight is the product of the factors of the conditions it meets (1 when
    none): recent complaints, the abnormal-operation list (经营异常名录), the serious
    violation list (严重违法失信名单). Integers, so the draw stays exact.
    """

    complaint: int = Field(default=1, ge=1, le=100)
    abnormal_list: int = Field(default=1, ge=1, le=100)
    serious_violation: int = Field(default=1, ge=1, le=100)


def _default_quotas() -> dict[str, Quota]:
    return {
        "A": Quota(ratio="0.05"),
        "B": Quota(ratio="0.2"),
        "C": Quota(ratio="0.6"),
        "D": Quota(ratio="1", frequency_cap_exempt=True),
    }


class PlanSpec(_Strict):
    """A plan as written; see the module docstring for the defaults."""

    name: str = Field(min_length=1, max_length=300)
    year: int = Field(ge=2000, le=2100)
    department_code: str = Field(min_length=1, max_length=50)
    region_code: str = Field(pattern=r"^[0-9]{6}$")
    items: list[PlanItem] = Field(min_length=1)
    entity_filter: EntityFilter = Field(default_factory=EntityFilter)
    quotas: dict[str, Quota] = Field(default_factory=_default_quotas, min_length=1)
    unclassified_as: str | None = "B"
    general_item_cap: str = "0.05"
    weights: Weights = Field(default_factory=Weights)
    complaint_days: int = Field(default=365, ge=1, le=3660)
    inspectors_per_entity: int = Field(default=2, ge=2, le=20)
    inspectors_per_department: int = Field(default=1, ge=1, le=10)
    avoid_recent_days: int = Field(default=365, ge=0, le=3660)
    frequency_cap: int = Field(default=2, ge=1, le=100)

    @field_validator("general_item_cap")
    @classmethod
    def _cap(cls, value: str) -> str:
        return _ratio(value)

    @field_validator("quotas")
    @classmethod
    def _strata(cls, value: dict[str, Quota]) -> dict[str, Quota]:
        for stratum in value:
            check_name(stratum, "stratum")
            if len(stratum) > 20:
                raise ValueError(f"stratum {stratum!r} is longer than 20 characters")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> PlanSpec:
        codes = [item.code for item in self.items]
        if len(set(codes)) != len(codes):
            raise ValueError("an item appears twice")
        if self.unclassified_as is not None and self.unclassified_as not in self.quotas:
            raise ValueError(f"unclassified_as {self.unclassified_as!r} has no quota")
        return self

    @property
    def cap_exempt_strata(self) -> frozenset[str]:
        """Strata whose class demands checks beyond ``frequency_cap``."""
        return frozenset(name for name, rule in self.quotas.items() if rule.frequency_cap_exempt)

    @property
    def departments(self) -> list[str]:
        """The departments involved: those with items in the plan."""
        return sorted({item.department for item in self.items})

    def document(self) -> dict[str, Any]:
        """The plan as plain JSON (no floats), the way it is stored and hashed."""
        data = self.model_dump(mode="json")
        data["quotas"] = {name: quota.rule() for name, quota in self.quotas.items()}
        return data
