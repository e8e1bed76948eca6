"""An estimate of a year's holidays from the ``holidays`` package, for a year without notice.

``holidays`` computes the statutory holidays of China for any year from the lunar calendar,
but it cannot know the make-up working days (调休) a notice will set, so an estimate is only
shown to operators (``hub calendar show 2027``); the calendar itself keeps counting plain
weekdays for such a year and flags its deadlines as provisional.
"""

from __future__ import annotations

from datetime import date

import holidays


def estimated_holidays(year: int) -> dict[date, str]:
    """The days off the ``holidays`` package expects in ``year`` (no make-up days)."""
    estimate = holidays.country_holidays("CN", years=year, language="zh_CN")
    return dict(sorted(estimate.items()))
