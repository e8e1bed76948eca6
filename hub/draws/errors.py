"""Why a draw step is refused: one family, each a :class:`hub.errors.DataError` (HTTP 422).

DrawRefused              nothing was changed; the message says what to fix
├── PlanInvalid          the plan document breaks a rule (every error listed)
├── TransitionRefused    the step is not allowed from the draw's status
└── StaffingRefused      a candidate entity could not get a team: freeze refused
"""

from __future__ import annotations

from hub.errors import DataError


class DrawRefused(DataError):
    """A draw step that cannot be taken as asked."""

    step = "draw"


class PlanInvalid(DrawRefused):
    """The plan document is not valid."""


class TransitionRefused(DrawRefused):
    """The step does not follow from the draw's current status."""


class StaffingRefused(DrawRefused):
    """Some candidate entities could not be given a team of qualified, unconflicted
    inspectors; freezing would commit to a draw that cannot be carried out."""
