"""Every table of the canonical store; importing this package registers all record types."""

from hub.store.models import (
    actions,
    auxiliary,
    cases,
    catalog,
    collaboration,
    complaints,
    credit,
    draws,
    entities,
    exchange,
    inspection_results,
    knowledge,
    national,
    personnel,
    third_party,
    workflow,
)
from hub.store.models import audit as audit
from hub.store.models import users as users

__all__ = [
    "actions",
    "auxiliary",
    "cases",
    "catalog",
    "collaboration",
    "complaints",
    "credit",
    "draws",
    "entities",
    "exchange",
    "inspection_results",
    "knowledge",
    "national",
    "personnel",
    "third_party",
    "workflow",
]
