"""公民身份号码 (citizen identity number, GB 11643-1999): the 18-character personal ID.

Inspection and penalty records identify natural persons by this number, so a typo must be
caught at the edge of the hub, before it splits one person into two.
"""

from __future__ import annotations

import datetime as dt

from standards.codes.result import CodeCheck

_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
"""Weights 2^(18-i) mod 11 for positions i = 1..17 (ISO 7064 MOD 11-2)."""

_CHECK_CHARACTERS = "10X98765432"
_EARLIEST_BIRTH_YEAR = 1900


def citizen_id_check_character(first17: str) -> str:
    """Return the 18th character for the first 17 digits, by ISO 7064 MOD 11-2.

    Raises ``ValueError`` on anything but 17 ASCII digits, since no check is defined for them.
    """
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError("a citizen ID check needs exactly 17 digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def validate_citizen_id(code: str, *, today: dt.date | None = None) -> CodeCheck:
    """Check a 公民身份号码: form, birth date and check character.

    The birth date (characters 7-14) must be a real date from 1900 on and not after ``today``
    (default: the local date), because a date that cannot be a birthday means a mistyped
    number even when the check character happens to match. The address code (1-6) is only
    checked to be digits: numbers issued under since-abolished region codes stay valid.
    """
    normalised = code.strip().upper()
    if len(normalised) != 18:
        return _invalid(normalised, f"must be 18 characters, got {len(normalised)}")
    for position, char in enumerate(normalised[:17], start=1):
        if char not in "0123456789":
            return _invalid(normalised, f"character {position} {char!r} is not a digit")
    given = normalised[17]
    if given not in _CHECK_CHARACTERS:
        return _invalid(normalised, f"character 18 {given!r} is not a digit or X")
    date_problem = _birth_date_problem(normalised[6:14], today or dt.date.today())
    if date_problem is not None:
        return _invalid(normalised, date_problem)
    return CodeCheck.of_check_character(
        normalised,
        position=18,
        expected=citizen_id_check_character(normalised[:17]),
        rule="ISO 7064 MOD 11-2",
    )


def citizen_id_sex(code: str) -> str:
    """Return ``"male"`` or ``"female"`` from the sequence number (character 17: odd is male).

    Raises ``ValueError`` for a malformed number rather than guess from a wrong digit.
    """
    check = validate_citizen_id(code)
    if not check.valid:
        raise ValueError(f"not a well-formed citizen ID: {check.reason}")
    return "male" if int(check.code[16]) % 2 == 1 else "female"


def _birth_date_problem(digits: str, today: dt.date) -> str | None:
    try:
        born = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return f"characters 7-14 {digits!r} are not a real date (YYYYMMDD)"
    if born.year < _EARLIEST_BIRTH_YEAR:
        return f"birth date {born.isoformat()} is before {_EARLIEST_BIRTH_YEAR}"
    if born > today:
        return f"birth date {born.isoformat()} is in the future"
    return None


def _invalid(normalised: str, reason: str) -> CodeCheck:
    return CodeCheck(
        code=normalised, valid=False, check_passed=False, allow_listed=False, reason=reason
    )
