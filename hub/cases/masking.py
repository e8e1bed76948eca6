"""Masking personal data for everyone but the handling department.

>>> mask_name("张三丰"), mask_phone("13912345678"), mask_id_number("11010519491231002X")
('张**', '139****5678', '1****************X')
"""

from __future__ import annotations


def mask_name(name: str | None) -> str | None:
    """The first character, the rest as ``*``."""
    if not name:
        return name
    return name[0] + "*" * (len(name) - 1)


def mask_phone(phone: str | None) -> str | None:
    """The first three and last four digits of a mobile number; other numbers: last two."""
    if not phone:
        return phone
    if len(phone) >= 11:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * max(len(phone) - 2, 0) + phone[-2:]


def mask_id_number(number: str | None) -> str | None:
    """The first and last character of an ID number."""
    if not number:
        return number
    return number[0] + "*" * (len(number) - 2) + number[-1] if len(number) > 2 else "**"


def mask_address(address: str | None) -> str | None:
    """The first six characters (the district), the rest hidden."""
    if not address:
        return address
    return address[:6] + "****"


def mask_email(email: str | None) -> str | None:
    """The first character of the mailbox and the domain."""
    if not email:
        return email
    local, at, domain = email.partition("@")
    return (local[:1] + "***" + at + domain) if at else "***"
