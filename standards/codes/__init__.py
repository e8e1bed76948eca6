"""Validators and tables for the national identifier codes the hub receives.

One module per code: 统一社会信用代码 (``uscc``), 组织机构代码 (``orgcode``), 公民身份号码
(``citizen_id``), 行政区划代码 (``regions``) and 国民经济行业分类 (``industries``). Validators
return a ``CodeCheck`` instead of raising, so that callers decide what a failed check means.
"""

from __future__ import annotations

from standards.codes.citizen_id import (
    citizen_id_check_character,
    citizen_id_sex,
    validate_citizen_id,
)
from standards.codes.industries import IndustryTable, load_industries
from standards.codes.orgcode import orgcode_check_character, validate_orgcode
from standards.codes.regions import Region, RegionTable, load_regions
from standards.codes.result import CodeCheck
from standards.codes.uscc import (
    USCC_CHARSET,
    Authority,
    UsccCheck,
    default_allow_list,
    default_authority_table,
    describe_uscc,
    load_allow_list,
    load_authority_table,
    uscc_check_character,
    validate_uscc,
)

__all__ = [
    "USCC_CHARSET",
    "Authority",
    "CodeCheck",
    "IndustryTable",
    "Region",
    "RegionTable",
    "UsccCheck",
    "citizen_id_check_character",
    "citizen_id_sex",
    "default_allow_list",
    "default_authority_table",
    "describe_uscc",
    "load_allow_list",
    "load_authority_table",
    "load_industries",
    "load_regions",
    "orgcode_check_character",
    "uscc_check_character",
    "validate_citizen_id",
    "validate_orgcode",
    "validate_uscc",
]
