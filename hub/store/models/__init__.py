"""Every table of the canonical store; importing this package registers all record types."""

from hub.store.models import entities, exchange

__all__ = ["entities", "exchange"]
