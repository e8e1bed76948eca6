"""Type coercions the declarative mappings use: dates, times, amounts, booleans, numbers.

Sources write the same value many ways (2019-04-19, 20190419, 2019年4月19日, 2019/4/19;
amounts in 元 or 万元); each function accepts them all and raises ``ValueError`` with a clear
message otherwise. They are called from compiled mapping code, so they stay small and fast.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_COMPACT_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
# Date, then optionally the time: after a space or T, or straight after 日 (9时30分 or 9:30:15).
_DATETIME = re.compile(
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:(?:[T\s]+|(?<=日))(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2})(?:\.(\d{1,6}))?秒?|分)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?\s*$"
)
_COMPACT_DATETIME = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?\s*$")
# China Standard Time: sources without a zone are taken as Beijing time.
CHINA_TZ = timezone(timedelta(hours=8), "CST")

_TRUE = frozenset({"1", "true", "yes", "y", "t", "是", "有", "对"})
_FALSE = frozenset({"0", "false", "no", "n", "f", "否", "无", "错"})
_AMOUNT_UNITS = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000)}
_AMOUNT_CLEAN = re.compile(r"[,，\s]")


def to_date(value: object) -> str:
    """Return an ISO date string (``2019-04-19``) from the common Chinese spellings."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if len(text) == 10 and text[4] == "-" == text[7]:
        try:  # the ISO spelling most sources use, parsed in C
            return date.fromisoformat(text).isoformat()
        except ValueError:
            pass  # the general path below explains what is wrong
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if match is None:
        raise ValueError(f"not a date: {text!r}")
    year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        raise ValueError(f"not a real date: {text!r}") from None


def to_datetime(value: object) -> str:
    """Return an ISO 8601 UTC timestamp; a value without a zone is taken as Beijing time."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=CHINA_TZ)
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    text = str(value)
    if len(text) == 19 and text[4] == "-" == text[7] and text[10] in " T":
        try:  # "2024-01-02 10:00:00", the commonest spelling, parsed in C
            moment = datetime.fromisoformat(text).replace(tzinfo=CHINA_TZ)
            return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
        except ValueError:
            pass  # the general path below explains what is wrong
    match = _DATETIME.match(text)
    if match is not None:
        year, month, day, hour, minute, second, fraction, zone = match.groups()
    else:
        compact = _COMPACT_DATETIME.match(text)
        if compact is None:
            raise ValueError(f"not a date and time: {text!r}")
        year, month, day, hour, minute, second = compact.groups()
        fraction = zone = None
    tz = CHINA_TZ
    if zone == "Z":
        tz = UTC
    elif zone:
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")),
            tzinfo=tz,
        )
    except ValueError:
        raise ValueError(f"not a real date and time: {text!r}") from None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def to_amount(value: object, unit: str = "元") -> float:
    """Return an amount in 元; ``unit`` is the source's unit, or a suffix in the value wins."""
    text = _AMOUNT_CLEAN.sub("", str(value))
    for suffix in ("亿元", "万元", "元"):
        if text.endswith(suffix):
            text, unit = text[: -len(suffix)], suffix
            break
    factor = _AMOUNT_UNITS.get(unit)
    if factor is None:
        raise ValueError(f"unknown amount unit {unit!r}; known: 元, 万元, 亿元")
    try:
        amount = Decimal(text) * factor
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return float(round(amount, 2))


def to_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"not a yes/no value: {value!r}")


def to_int(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError(f"not an integer: {value!r}")
    if isinstance(value, int):
        return value
    text = str(value).strip().replace(",", "")
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"not an integer: {value!r}") from None


def to_number(value: object) -> float:
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip().replace(",", ""))
    except ValueError:
        raise ValueError(f"not a number: {value!r}") from None


def to_list(value: object, separator: str = ",") -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value]
    return [part.strip() for part in str(value).split(separator) if part.strip()]


COERCIONS = {
    "date": to_date,
    "datetime": to_datetime,
    "amount": to_amount,
    "boolean": to_bool,
    "integer": to_int,
    "number": to_number,
    "list": to_list,
}
