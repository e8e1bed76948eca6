"""The outcome of checking one identifier code, shared by every validator in this package.

Validators return a verdict instead of raising, because real registries hold codes that fail
their check character: callers must be able to keep such an entity, flagged, rather than lose
it at the first exception.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CodeCheck:
    """What a validator found out about one code.

    ``valid`` is about form alone (length, character set, fields that must be numeric or a
    real date); ``check_passed`` is about the check character; ``allow_listed`` says that a
    configured list accepts the code even though its check character is wrong. ``reason``
    names the first problem found, in English, or is ``None`` when there is none.
    """

    code: str
    valid: bool
    check_passed: bool
    allow_listed: bool
    reason: str | None

    @property
    def acceptable(self) -> bool:
        """True when the code may be stored as an identifier: well formed, and either its check
        character is right or it is a known exception on the allow-list."""
        return self.valid and (self.check_passed or self.allow_listed)

    @classmethod
    def of_check_character(cls, code: str, *, position: int, expected: str, rule: str) -> CodeCheck:
        """The verdict on a well-formed ``code`` whose check character stands at ``position``
        (1-based) and should be ``expected`` by ``rule`` (e.g. "GB 11714")."""
        given = code[position - 1]
        if given == expected:
            return cls(code=code, valid=True, check_passed=True, allow_listed=False, reason=None)
        reason = f"check character {position} is {given!r} but {rule} gives {expected!r}"
        return cls(code=code, valid=True, check_passed=False, allow_listed=False, reason=reason)
