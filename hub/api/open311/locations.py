"""The region a public complaint's address names, so that it can be routed without a code.

Open311 has no region field, and people filing on the public API often leave the code out
but write the address as Chinese addresses are written: province, city, district, street
(合肥市蜀山区长江西路 100 号). The cases module routes by region and puts a complaint without
one in manual triage, so the region the address names is worth finding: the most specific
division of the province whose full name (GB/T 2260) appears in it, when exactly one does.

>>> region_in_address("合肥市蜀山区长江西路 100 号", "34")
'340104'
>>> region_in_address("阜阳市太和县城关镇", "34")  # 太和县, not 和县 (马鞍山)
'341222'
>>> region_in_address("长江西路 100 号", "34") is None
True
"""

from __future__ import annotations

from standards.codes.regions import Region, load_regions


def region_in_address(address: str | None, province: str) -> str | None:
    """The code of the county (else the prefecture) of ``province`` that ``address`` names;
    None when it names none, or several that cannot be told apart."""
    if not address:
        return None
    prefix = province[:2]
    named = [
        region
        for region in load_regions()
        if region.code.startswith(prefix) and region.level != "province" and region.name in address
    ]
    # A name inside a longer named one (和县 in 太和县) is not named on its own.
    named = [
        region
        for region in named
        if not any(region.name in other.name and region != other for other in named)
    ]
    counties = [region for region in named if region.level == "county"]
    if len(counties) > 1:  # the same county name twice: the one whose prefecture is named too
        prefectures = {region.code for region in named if region.level == "prefecture"}
        counties = [county for county in counties if county.parent in prefectures]
    return _only(counties) or _only([region for region in named if region.level == "prefecture"])


def _only(regions: list[Region]) -> str | None:
    return regions[0].code if len(regions) == 1 else None
