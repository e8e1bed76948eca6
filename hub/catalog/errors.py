"""Why the catalog refuses a change: one family, each a :class:`hub.errors.DataError`.

    CatalogRefused            the request is wrong; nothing was changed (HTTP 422)
    ├── MissingElements       publishing without basis, manner or objects
    ├── DuplicateCode         the code is taken
    ├── InvalidCode           the code does not follow the declared layout
    ├── UnknownDepartment     not a department line (and area) the hub knows
    ├── UnknownRegion         not a GB/T 2260 code of the shipped table
    ├── UnknownValue          not in a dictionary of standards/catalog
    └── TransitionRefused     the step is not allowed from the item's status

The messages name what is wrong, so that one round of fixes is enough.
"""

from __future__ import annotations

from hub.errors import DataError


class CatalogRefused(DataError):
    """A catalog change that cannot be made as asked."""

    step = "catalog"


class MissingElements(CatalogRefused):
    """Required elements are empty; ``missing`` names them all."""

    def __init__(self, action: str, missing: list[str]) -> None:
        super().__init__(f"cannot {action}: missing {', '.join(missing)}")
        self.missing = tuple(missing)


class DuplicateCode(CatalogRefused):
    """The catalog code is already used by another item."""


class InvalidCode(CatalogRefused):
    """A code that does not follow the declared layout."""


class UnknownDepartment(CatalogRefused):
    """A department code the hub does not know."""


class UnknownRegion(CatalogRefused):
    """A region code missing from the shipped GB/T 2260 table."""


class UnknownValue(CatalogRefused):
    """A coded value missing from its dictionary."""


class TransitionRefused(CatalogRefused):
    """The lifecycle step is not allowed from the item's current status."""
