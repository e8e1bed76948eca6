"""The region hierarchy as the catalog's statistics walk it (GB/T 2260, ``standards.codes``).

Parents come from the region table, not from code prefixes: a county directly under its
province (省直辖县级行政区划, such as 仙桃 429004) has no city above it, though its code looks
like one. A twelve-digit township code sits under the county of its first six digits.
"""

from __future__ import annotations

from functools import cache

from standards.codes import load_regions

# The table's levels, as the catalog names them (``standards/catalog/levels.json``).
STATISTICS_LEVELS = {"province": "province", "prefecture": "city", "county": "county"}


def ancestors(region_code: str) -> tuple[str, ...]:
    """The region and every region above it, nearest first; empty for an unknown code."""
    return _ancestors(region_code.strip())


@cache
def _ancestors(code: str) -> tuple[str, ...]:
    regions = load_regions()
    county = code[:6]
    if len(code) not in (6, 12) or regions.get(county) is None:
        return ()
    chain = [code] if len(code) == 12 else []
    current: str | None = county
    while current is not None:
        chain.append(current)
        current = regions.parent(current)
    return tuple(chain)


@cache
def subtree(region_code: str) -> frozenset[str]:
    """The six-digit region and every region below it in the table."""
    regions = load_regions()
    if regions.get(region_code) is None:
        return frozenset()
    found = {region_code}
    for child in regions.children(region_code):
        found |= subtree(child)
    return frozenset(found)


def statistics_level(region_code: str) -> str | None:
    """``province``, ``city`` or ``county`` for a six-digit code of the table, else ``None``."""
    region = load_regions().get(region_code)
    return None if region is None or len(region_code) != 6 else STATISTICS_LEVELS[region.level]
