"""组织机构代码 (organization code, GB 11714-1997): eight body characters and a check character.

The code survives inside every 统一社会信用代码 (positions 9-17) and in older records, so the
hub must validate it on its own as well as part of the newer code.
"""

from __future__ import annotations

import string

from standards.codes.result import CodeCheck

BODY_CHARSET = string.digits + string.ascii_uppercase
"""Body characters and, by their index, their values: 0-9 are 0-9, A-Z are 10-35."""

_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARSET = frozenset(string.digits + "X")


def orgcode_check_character(body: str) -> str:
    """Return the check character for an eight-character body.

    c9 = 11 - (sum of value × weight mod 11); 10 is written ``X`` and 11 is written ``0``,
    so that the check is always one character. Raises ``ValueError`` on a malformed body, since
    a check character for something that is not a body would be meaningless.
    """
    if len(body) != len(_WEIGHTS):
        raise ValueError(f"an organization code body has 8 characters, got {len(body)}")
    total = 0
    for position, (char, weight) in enumerate(zip(body, _WEIGHTS, strict=True), start=1):
        value = BODY_CHARSET.find(char)
        if value < 0:
            raise ValueError(f"character {position} {char!r} is not a digit or letter A-Z")
        total += value * weight
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def validate_orgcode(code: str) -> CodeCheck:
    """Check a 组织机构代码 written ``XXXXXXXX-X`` or ``XXXXXXXXX``.

    The result's ``code`` is the nine-character form without the hyphen, so that both ways of
    writing the same code compare equal; positions in ``reason`` count in that form.
    """
    normalised = code.strip().upper()
    if len(normalised) == 10 and normalised[8] == "-":
        normalised = normalised[:8] + normalised[9]
    if len(normalised) != 9:
        return _invalid(
            normalised,
            "must be 9 characters, or 10 with a hyphen before the check character; "
            f"got {len(code.strip())}",
        )
    for position, char in enumerate(normalised[:8], start=1):
        if char not in BODY_CHARSET:
            return _invalid(normalised, f"character {position} {char!r} is not a digit or A-Z")
    given = normalised[8]
    if given not in _CHECK_CHARSET:
        return _invalid(normalised, f"character 9 {given!r} is not a check character (0-9 or X)")
    return CodeCheck.of_check_character(
        normalised, position=9, expected=orgcode_check_character(normalised[:8]), rule="GB 11714"
    )


def _invalid(normalised: str, reason: str) -> CodeCheck:
    return CodeCheck(
        code=normalised, valid=False, check_passed=False, allow_listed=False, reason=reason
    )
