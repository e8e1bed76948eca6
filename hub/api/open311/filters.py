"""The filters of GET requests (https://wiki.open311.org/GeoReport_v2#GET_Service_Requests).

Each bad value is a 400 naming the argument; the date range follows the spec's rule: the
last 90 days when neither end is given, and never wider than 90 days.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import HTTPException, status

MAX_SPAN = timedelta(days=90)


def _bad_request(description: str) -> HTTPException:
    return HTTPException(status.HTTP_400_BAD_REQUEST, description)


def w3_datetime_argument(value: str | None, name: str) -> datetime | None:
    """``2010-01-01T00:00:00Z`` or with an offset; a date or time without its zone is refused."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise _bad_request(
            f"{name} must be a w3 datetime with its time zone, e.g. 2010-01-01T00:00:00Z"
        )
    return moment


def date_range(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    """The range to search: 90 days back from ``end`` (default now) or on from ``start``."""
    if start is None:
        end = end or datetime.now(UTC)
        return end - MAX_SPAN, end
    if end is None:
        return start, start + MAX_SPAN
    if end < start:
        raise _bad_request("end_date is before start_date")
    if end - start > MAX_SPAN:
        raise _bad_request("start_date and end_date may not span more than 90 days")
    return start, end


def open_or_closed(value: str | None) -> bool | None:
    """``open``, ``closed`` or both (comma-separated): True, False or None for either."""
    wanted = set(comma_list(value))
    unknown = wanted - {"open", "closed"}
    if unknown:
        raise _bad_request(f"status may be open or closed, not {', '.join(sorted(unknown))}")
    return None if len(wanted) != 1 else wanted == {"open"}


def comma_list(value: str | None) -> list[str]:
    """``a, b,,c`` -> ``["a", "b", "c"]``."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]
