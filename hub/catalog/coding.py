"""Codes of the catalog: the 14-digit 监管事项目录编码 and the implementation-list code.

Only the length of the catalog code is known (exactly 14 digits, DOMAIN.md); what the digits
stand for is not published. The hub declares its own layout, the one the national exchange
profile and the demo also use (``standards/national/README.md``), and builds every code with
one function, :func:`catalog_code`, so that the official layout, once known, is a change here::

    issuer  department  category  main item  sub-item
      34        01         01       0007       0000        -> 34010100070000
    issuer      00 for the national catalog, else the province's two GB/T 2260 digits
    department  the department line's two digits (standards/catalog/departments.json)
    category    the supervision type's two digits (standards/catalog/supervision_types.json)
    main item   0001-9999, numbered per issuer, department and category
    sub-item    0000 for a main item, 0001-9999 for its sub-items

A local item's issuer is its province, so the main-item sequence is province-wide and a new
code never repeats one of another city's (the store's unique constraint is the backstop).

The implementation-list code (检查实施清单编码) is the implementing agency's 统一社会信用代码
(18 characters, confirmed), its level digit 1-5 (confirmed range; our meanings in
``standards/catalog/levels.json``) and a six-digit sequence numbered per region and
department (ours)::

    11340100MB0000012X  2  000001
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.catalog.errors import CatalogRefused, InvalidCode
from hub.store.models.catalog import CatalogItem, ImplementationListItem
from standards.codes import validate_uscc

CATALOG_CODE = re.compile(r"[0-9]{14}")
NATIONAL_ISSUER = "00"
MAX_NUMBER = 9999
SEQUENCE_DIGITS = 6


@dataclass(frozen=True)
class CatalogCodeParts:
    """The five parts of a catalog code in the hub's layout (see the module docstring)."""

    issuer: str
    department: str
    category: str
    main: int
    sub: int = 0

    @property
    def is_main(self) -> bool:
        return self.sub == 0


def catalog_code(parts: CatalogCodeParts) -> str:
    """The one place a catalog code is built: issuer, department, category, main, sub."""
    for name, value in (
        ("issuer", parts.issuer),
        ("department", parts.department),
        ("category", parts.category),
    ):
        if not re.fullmatch(r"[0-9]{2}", value):
            raise InvalidCode(f"catalog code {name} must be two digits, not {value!r}")
    if not 1 <= parts.main <= MAX_NUMBER or not 0 <= parts.sub <= MAX_NUMBER:
        raise InvalidCode(
            f"catalog code item numbers run 1-{MAX_NUMBER} (main) and 0-{MAX_NUMBER} (sub): "
            f"{parts.main}, {parts.sub}"
        )
    return f"{parts.issuer}{parts.department}{parts.category}{parts.main:04d}{parts.sub:04d}"


def parse_catalog_code(code: str) -> CatalogCodeParts:
    """The parts of ``code``; ``InvalidCode`` unless it is 14 digits with a main number."""
    if not CATALOG_CODE.fullmatch(code):
        raise InvalidCode(f"catalog code {code!r} must be exactly 14 digits")
    parts = CatalogCodeParts(code[0:2], code[2:4], code[4:6], int(code[6:10]), int(code[10:14]))
    if parts.main == 0:
        raise InvalidCode(f"catalog code {code!r} has main item number 0000")
    return parts


def next_catalog_code(
    session: Session,
    *,
    issuer: str,
    department: str,
    category: str,
    parent_code: str | None = None,
) -> str:
    """The next free code: a new main number, or the next sub-item number under the parent.

    Codes have fixed width, so the greatest stored code under a prefix holds the greatest
    number; the new code is one more.
    """
    if parent_code is not None:
        parent = parse_catalog_code(parent_code)
        last = _greatest_code(session, parent_code[:10])
        sub = parse_catalog_code(last).sub + 1 if last else 1
        if sub > MAX_NUMBER:
            raise CatalogRefused(f"main item {parent_code} has no free sub-item number left")
        return catalog_code(
            CatalogCodeParts(parent.issuer, parent.department, parent.category, parent.main, sub)
        )
    prefix = f"{issuer}{department}{category}"
    last = _greatest_code(session, prefix)
    main = parse_catalog_code(last).main + 1 if last else 1
    if main > MAX_NUMBER:
        raise CatalogRefused(f"no free main item number left under {prefix}")
    return catalog_code(CatalogCodeParts(issuer, department, category, main))


def _greatest_code(session: Session, prefix: str) -> str | None:
    code: str | None = session.scalar(
        select(func.max(CatalogItem.code)).where(
            CatalogItem.code.startswith(prefix, autoescape=True)
        )
    )
    return code


def implementation_code(agency_uscc: str, level_digit: str, sequence: int) -> str:
    """The implementation-list code: agency USCC + level digit + six-digit sequence."""
    check = validate_uscc(agency_uscc)
    if not check.acceptable:
        raise InvalidCode(f"implementing agency code {agency_uscc!r}: {check.reason}")
    if not re.fullmatch(r"[1-5]", level_digit):
        raise InvalidCode(f"level digit must be 1-5, not {level_digit!r}")
    if not 1 <= sequence < 10**SEQUENCE_DIGITS:
        raise InvalidCode(
            f"implementation sequence {sequence} does not fit {SEQUENCE_DIGITS} digits"
        )
    return f"{check.code}{level_digit}{sequence:0{SEQUENCE_DIGITS}d}"


def next_implementation_sequence(session: Session, region_code: str, department_code: str) -> int:
    """One more than the greatest sequence of our layout in the region and department.

    Codes received from elsewhere may follow other layouts after character 19; only codes of
    ours (19 characters and six digits) count.
    """
    codes = session.scalars(
        select(ImplementationListItem.code).where(
            ImplementationListItem.region_code == region_code,
            ImplementationListItem.department_code == department_code,
        )
    )
    ours = [
        int(code[19:])
        for code in codes
        if len(code) == 19 + SEQUENCE_DIGITS and code[19:].isdigit()
    ]
    return max(ours, default=0) + 1
