"""String transforms a mapping may apply before type coercion."""

from __future__ import annotations

import re
from collections.abc import Callable

_NON_DIGITS = re.compile(r"\D")
# Full-width ASCII (！ to ～, U+FF01-FF5E) and the ideographic space, as Chinese forms type them.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def _text(value: object) -> str:
    return value if isinstance(value, str) else str(value)


def strip(value: object) -> str:
    return _text(value).strip()


def upper(value: object) -> str:
    return _text(value).upper()


def lower(value: object) -> str:
    return _text(value).lower()


def digits(value: object) -> str:
    return _NON_DIGITS.sub("", _text(value))


def halfwidth(value: object) -> str:
    return _text(value).translate(_HALFWIDTH)


TRANSFORMS: dict[str, Callable[[object], str]] = {
    "strip": strip,
    "upper": upper,
    "lower": lower,
    "digits": digits,
    "halfwidth": halfwidth,
}
