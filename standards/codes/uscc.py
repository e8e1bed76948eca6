"""统一社会信用代码 (unified social credit code, USCC, GB 32100-2015): the legal-person ID.

Every supervised entity is keyed by this code, so the hub validates it on entry. Real
registries hold a few issued codes whose check character is wrong; those are kept, flagged,
through an allow-list, instead of being dropped with the entity they identify.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from operator import mul
from pathlib import Path

from standards.codes.orgcode import orgcode_check_character
from standards.codes.result import CodeCheck

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters of GB 32100 (no I, O, S, V, Z); a character's value is its index."""

_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
"""Weights 3^(i-1) mod 31 for positions i = 1..17."""

_VALUES = {char: value for value, char in enumerate(USCC_CHARSET)}
_WELL_FORMED = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}\Z")

_DATA = Path(__file__).resolve().parent.parent / "data"
"""Found from this file, not by package name: a test package also named ``standards`` may
shadow the name in ``sys.modules``."""


@dataclass(frozen=True)
class UsccCheck(CodeCheck):
    """A ``CodeCheck`` plus whether positions 9-17 pass as a 组织机构代码 (GB 11714).

    Kept apart from ``check_passed`` and out of ``acceptable``: some issued codes carry an
    organization-code body that fails its own check, and that alone must not reject them.
    ``None`` when the code is not well formed.
    """

    orgcode_check_passed: bool | None = None


@dataclass(frozen=True)
class Authority:
    """One registration authority (登记管理部门, position 1) and its entity types (position 2)."""

    name: str
    confirmed: bool
    entity_types: Mapping[str, str]
    entity_types_confirmed: bool


def uscc_check_character(first17: str) -> str:
    """Return the 18th character for the first 17, by the GB 32100 mod-31 check.

    c18 = 31 - (sum of value × weight mod 31), with 31 written as ``0``. Raises
    ``ValueError`` when the input is not 17 characters of the GB 32100 set.
    """
    if len(first17) != 17:
        raise ValueError(f"a USCC check needs 17 characters, got {len(first17)}")
    total = 0
    for position, (char, weight) in enumerate(zip(first17, _WEIGHTS, strict=True), start=1):
        value = USCC_CHARSET.find(char)
        if value < 0:
            raise ValueError(_charset_message(position, char))
        total += value * weight
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_passes(code: str) -> bool:
    """True when ``code`` (already normalised) is well formed and its check character is
    right: the hot-path question, answered without building a verdict."""
    return bool(_WELL_FORMED.match(code)) and code[17] == _well_formed_check_character(code)


def _well_formed_check_character(code: str) -> str:
    """The check character of a code already matched by ``_WELL_FORMED`` (no validation)."""
    total = sum(map(mul, map(_VALUES.__getitem__, code[:17]), _WEIGHTS))
    return USCC_CHARSET[(31 - total % 31) % 31]


def validate_uscc(code: str, *, allow_list: frozenset[str] | None = None) -> UsccCheck:
    """Check a 统一社会信用代码: form, check character, and the embedded organization code.

    ``allow_list`` holds normalised codes accepted despite a wrong check character; ``None``
    means the list shipped in ``standards/data/uscc_allow_list.txt``.
    """
    normalised = code.strip().upper()
    allowed = default_allow_list() if allow_list is None else allow_list
    listed = normalised in allowed
    if _WELL_FORMED.match(normalised):
        # Hot path (every entity of a million-row file passes here): one regex for the form,
        # table look-ups for the checksum; the loops below only explain malformed codes.
        expected = _well_formed_check_character(normalised)
        given = normalised[17]
        return UsccCheck(
            code=normalised,
            valid=True,
            check_passed=given == expected,
            allow_listed=listed,
            reason=None
            if given == expected
            else f"check character 18 is {given!r} but GB 32100 gives {expected!r}",
            orgcode_check_passed=orgcode_check_character(normalised[8:16]) == normalised[16],
        )
    if len(normalised) != 18:
        return _invalid(normalised, listed, f"must be 18 characters, got {len(normalised)}")
    for position, char in enumerate(normalised, start=1):
        if char not in USCC_CHARSET:
            return _invalid(normalised, listed, _charset_message(position, char))
    for position in range(3, 9):
        char = normalised[position - 1]
        if not char.isdigit():
            return _invalid(
                normalised,
                listed,
                f"character {position} {char!r} must be a digit: "
                "characters 3-8 are a GB/T 2260 region code",
            )
    raise AssertionError(f"{normalised!r} passed every form check but not the form pattern")


def load_allow_list(path: Path | None = None) -> frozenset[str]:
    """Read an allow-list file: one code per line, ``#`` starts a comment, blanks ignored."""
    lines = (path or _DATA / "uscc_allow_list.txt").read_text("utf-8").splitlines()
    codes = (line.split("#", 1)[0].strip().upper() for line in lines)
    return frozenset(code for code in codes if code)


@cache
def default_allow_list() -> frozenset[str]:
    """The allow-list shipped with the package, read once."""
    return load_allow_list()


def load_authority_table(path: Path | None = None) -> dict[str, Authority]:
    """Read the position-1/position-2 table (default ``standards/data/uscc_authorities.json``).

    It is data, not code, because only authorities 1, 5, 9 and Y agree across sources.
    """
    raw = json.loads((path or _DATA / "uscc_authorities.json").read_text("utf-8"))["authorities"]
    return {
        key: Authority(
            name=entry["name"],
            confirmed=entry["confirmed"],
            entity_types=dict(entry["entity_types"]),
            entity_types_confirmed=entry["entity_types_confirmed"],
        )
        for key, entry in raw.items()
    }


@cache
def default_authority_table() -> Mapping[str, Authority]:
    """The authority table shipped with the package, read once."""
    return load_authority_table()


def describe_uscc(
    code: str, *, authorities: Mapping[str, Authority] | None = None
) -> dict[str, str | None]:
    """Split a well-formed code into its parts and name them.

    Returns ``authority_code``, ``authority``, ``entity_type_code``, ``entity_type``,
    ``region_code`` and ``organization_code`` (positions 9-17); a name is ``None`` when the
    table does not know the value. The check character is not required to pass, so that
    allow-listed and suspect codes can still be described. Raises ``ValueError`` when the code
    is not well formed.
    """
    check = validate_uscc(code, allow_list=frozenset())
    if not check.valid:
        raise ValueError(f"not a well-formed USCC: {check.reason}")
    table = default_authority_table() if authorities is None else authorities
    normalised = check.code
    authority = table.get(normalised[0])
    return {
        "code": normalised,
        "authority_code": normalised[0],
        "authority": authority.name if authority else None,
        "entity_type_code": normalised[1],
        "entity_type": authority.entity_types.get(normalised[1]) if authority else None,
        "region_code": normalised[2:8],
        "organization_code": normalised[8:17],
    }


def _charset_message(position: int, char: str) -> str:
    return f"character {position} {char!r} is not in the GB 32100 character set"


def _invalid(normalised: str, listed: bool, reason: str) -> UsccCheck:
    return UsccCheck(
        code=normalised, valid=False, check_passed=False, allow_listed=listed, reason=reason
    )
