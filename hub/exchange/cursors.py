"""A channel's cursor: where its last committed fetch ended (page, timestamp, file, delivery)."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.store.base import utcnow
from hub.store.models.exchange import ChannelCursor


def read_cursor(engine: Engine, channel: str, name: str = "default") -> str | None:
    with Session(engine) as session:
        return session.scalar(
            select(ChannelCursor.value).where(
                ChannelCursor.channel == channel, ChannelCursor.name == name
            )
        )


def write_cursor(engine: Engine, channel: str, value: str, name: str = "default") -> None:
    """Commit the cursor; called only after what it covers is committed to the store."""
    with Session(engine) as session, session.begin():
        cursor = session.get(ChannelCursor, (channel, name))
        if cursor is None:
            session.add(ChannelCursor(channel=channel, name=name, value=value, updated_at=utcnow()))
        else:
            cursor.value = value
            cursor.updated_at = utcnow()
