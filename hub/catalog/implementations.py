"""Inspection implementation lists (检查实施清单): which agency implements an item, where.

Behaviour records (inspections, penalties, ...) name the line of the list they executed by
its code, so each line gets a code of the declared layout (:mod:`hub.catalog.coding`):
the agency's 统一社会信用代码, the level digit of the level it works at, and the next
sequence of its region and department.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from hub.catalog.coding import implementation_code, next_implementation_sequence
from hub.catalog.dictionaries import check_region, department, dictionary, other_level_digit
from hub.catalog.errors import UnknownRegion
from hub.catalog.lifecycle import get_item
from hub.catalog.versions import digest
from hub.store.models.catalog import ImplementationListItem

# An implementing agency outside the four levels (派出机构, 开发区管委会).
OTHER_LEVEL = "other"


def add_implementation_item(
    session: Session,
    *,
    catalog_code: str,
    agency_uscc: str,
    agency_name: str | None,
    level: str,
    region_code: str,
    department_code: str,
) -> ImplementationListItem:
    """A new line of the implementation list of ``department_code`` in ``region_code``;
    ``level`` is the agency's (province, city, county, township, or ``other``)."""
    item = get_item(session, catalog_code)
    digit = other_level_digit() if level == OTHER_LEVEL else dictionary("levels").entry(level).digit
    region = check_region(region_code)
    implementing = department(department_code)
    if not implementing.covers(region):
        raise UnknownRegion(f"region {region} lies outside the area of {implementing.code}")
    sequence = next_implementation_sequence(session, region, implementing.code)
    code = implementation_code(agency_uscc, digit or "", sequence)
    line = ImplementationListItem(
        code=code,
        catalog_code=item.code,
        agency_uscc=code[:18],
        agency_name=agency_name,
        level_digit=digit,
        region_code=region,
        department_code=implementing.code,
        source_version="",
    )
    line.content_hash = digest({"code": code, "catalog_code": item.code, "agency": agency_name})
    session.add(line)
    session.flush()
    return line
