"""The Alembic migrations build exactly the schema the models declare, on every engine."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from hub.store.base import Base
from hub.store.migrate import current_revision, upgrade


def test_upgrade_builds_the_models_schema(engine: Engine) -> None:
    Base.metadata.drop_all(engine)
    upgrade(engine)
    assert current_revision(engine) is not None
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
    assert {"entities", "envelopes", "quarantine", "outbox", "audit_log", "users"} <= set(
        inspect(engine).get_table_names()
    )


def test_upgrade_twice_changes_nothing(engine: Engine) -> None:
    Base.metadata.drop_all(engine)
    upgrade(engine)
    first = current_revision(engine)
    upgrade(engine)
    assert current_revision(engine) == first
