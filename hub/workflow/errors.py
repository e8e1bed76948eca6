"""Why the workflow engine refuses a transition: one family under :class:`hub.errors.DataError`.

    TransitionRefused       the transition cannot be fired as asked; nothing changed (HTTP 422)
    ├── RoleRefused         the actor holds none of the roles the transition allows
    ├── MissingFields       a required field or the reason is missing, or not in its dictionary
    └── StaleState          the instance moved since the caller read it (HTTP 409)

Every message names what is wrong (the allowed states, roles or values), so that one round
of fixes is enough.
"""

from __future__ import annotations

from hub.errors import DataError


class TransitionRefused(DataError):
    """A transition that cannot be fired from the instance's state or with these fields."""

    step = "workflow"


class RoleRefused(TransitionRefused):
    """The actor may not fire the transition on this instance."""


class MissingFields(TransitionRefused):
    """Required fields are missing or hold values outside their dictionary."""


class StaleState(TransitionRefused):
    """Optimistic concurrency: the instance is no longer in the state the caller saw."""
