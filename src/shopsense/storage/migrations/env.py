"""Alembic environment: runs against the connection handed in by shopsense.storage.engine."""

from alembic import context

from shopsense.storage.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - alembic CLI use without shopsense
    raise RuntimeError("run migrations through shopsense.storage.engine.migrate()")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
