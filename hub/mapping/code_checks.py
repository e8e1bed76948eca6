"""The ``check:`` kinds of a mapping field, each returning a ``CodeCheck``-like verdict.

They run once per record of every file, so the common case is fast: region and industry
verdicts are cached (a province has a few hundred codes), and a 统一社会信用代码 that passes is
answered without building the full verdict, which only failures need for their reason.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from standards.codes import validate_citizen_id, validate_orgcode, validate_uscc
from standards.codes.industries import load_industries
from standards.codes.regions import load_regions
from standards.codes.result import CodeCheck
from standards.codes.uscc import uscc_passes


class Passed:
    """The verdict of a code that passed, as cheap as a verdict can be."""

    __slots__ = ("code",)
    acceptable = True
    check_passed = True
    allow_listed = False
    reason = None

    def __init__(self, code: str) -> None:
        self.code = code


def check_uscc(value: Any) -> CodeCheck | Passed:
    code = str(value).strip().upper()
    return Passed(code) if uscc_passes(code) else validate_uscc(code)


@lru_cache(maxsize=8192)
def check_region(value: Any) -> CodeCheck:
    """A GB/T 2260 code (6 digits, or the 12-digit statistical code whose first 6 are one)."""
    code = str(value).strip()
    county = code[:6]
    table = load_regions()
    if not code.isdigit() or len(code) not in (6, 12):
        return CodeCheck(code, False, False, False, f"region code {code!r} must be 6 or 12 digits")
    if not table.is_valid(county):
        reason = f"region code {county!r} is not in GB/T 2260 ({table.vintage})"
        return CodeCheck(code, False, False, False, reason)
    return CodeCheck(code, True, True, False, None)


@lru_cache(maxsize=8192)
def check_industry(value: Any) -> CodeCheck:
    """A GB/T 4754-2017 code: a section letter, a division (2 digits) or a finer class (3-4
    digits), optionally led by its section letter (``C13``); stored without the letter."""
    text = str(value).strip().upper()
    table = load_industries()
    letter, digits = (text[:1], text[1:]) if text[:1].isalpha() else ("", text)
    problem = None
    if not digits:
        problem = None if table.is_valid(letter) else "not a GB/T 4754-2017 section"
    elif not digits.isdigit() or len(digits) not in (2, 3, 4) or not table.is_valid(digits[:2]):
        problem = "not a GB/T 4754-2017 division or class"
    elif letter and table.section_of(digits[:2]) != letter:
        problem = (
            f"division {digits[:2]} belongs to section {table.section_of(digits[:2])}, not {letter}"
        )
    if problem:
        return CodeCheck(text, False, False, False, f"industry code {text!r}: {problem}")
    return CodeCheck(digits or letter, True, True, False, None)


CODE_CHECKS: dict[str, Callable[[Any], CodeCheck | Passed]] = {
    "uscc": check_uscc,
    "orgcode": lambda value: validate_orgcode(str(value)),
    "citizen_id": lambda value: validate_citizen_id(str(value)),
    "region": check_region,
    "industry": check_industry,
}
