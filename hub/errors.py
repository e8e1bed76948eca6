"""The hub's error tree, grouped by what the caller should do.

    HubError
    ├── RetryLater            transient: timeouts, 5xx, broker or database gone; try again
    │   └── RemoteUnavailable
    ├── DataError             the data is wrong: quarantine the record, go on with the batch
    │   ├── ParseError
    │   ├── SchemaError
    │   ├── MappingError
    │   └── KeyConflictError
    ├── ConfigurationError    a channel file, mapping or setting is wrong: refuse to start
    │   └── MissingSecretError
    ├── NotFoundError         the caller asked for something that does not exist
    └── PermissionDenied      the caller may not see or do this

Third-party exceptions are translated at one boundary per adapter with ``raise ... from exc``
so that the original cause is kept.
"""

from __future__ import annotations


class HubError(Exception):
    """Root of every error the hub raises on purpose."""


class RetryLater(HubError):
    """A transient failure: the same call may succeed later."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RemoteUnavailable(RetryLater):
    """The remote system did not answer or answered with a server error."""


class DataError(HubError):
    """The record itself is wrong; it goes to quarantine with ``step`` and the reason."""

    step = "data"


class ParseError(DataError):
    step = "parse"


class SchemaError(DataError):
    """A record failed its JSON Schema; ``step`` says which one (source or canonical)."""

    def __init__(self, message: str, *, step: str = "validate_source") -> None:
        super().__init__(message)
        self.step = step


class MappingError(DataError):
    step = "map"


class KeyConflictError(DataError):
    """A record tries to change the natural key of a record the store already binds."""

    step = "upsert"


class ConfigurationError(HubError):
    """A configuration file or setting is wrong; the hub refuses to start and names it."""


class AuthenticationFailed(ConfigurationError):
    """The remote refused our credentials, or could not prove its own identity (a host key or
    a response signature that does not match what the channel pins)."""


class MissingSecretError(ConfigurationError):
    """A secret the configuration refers to is not set; the message names the variable."""


class NotFoundError(HubError):
    """The named object does not exist (maps to HTTP 404)."""


class PermissionDenied(HubError):
    """The caller is authenticated but outside the object's scope (maps to HTTP 403)."""


class UnknownNameError(ConfigurationError):
    """A name that is not registered; the message lists the names that are."""

    def __init__(self, kind: str, name: str, known: list[str] | tuple[str, ...]) -> None:
        known_list = ", ".join(sorted(known)) or "(none)"
        super().__init__(f"unknown {kind} {name!r}; known: {known_list}")
        self.kind = kind
        self.name = name
        self.known = tuple(sorted(known))
