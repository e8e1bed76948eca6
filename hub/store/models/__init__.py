"""Every table of the canonical store; importing this package registers all record types."""

from hub.store.models import (
    actions,
    auxiliary,
    catalog,
    complaints,
    credit,
    draws,
    entities,
    exchange,
    knowledge,
    personnel,
    third_party,
)
from hub.store.models import audit as audit
from hub.store.models import users as users

__all__ = [
    "actions",
    "auxiliary",
    "catalog",
    "complaints",
    "credit",
    "draws",
    "entities",
    "exchange",
    "knowledge",
    "personnel",
    "third_party",
]
