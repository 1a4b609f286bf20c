"""Alembic environment: runs against the connection ``vault.migrate`` hands it."""

from __future__ import annotations

from alembic import context

from models import tables  # noqa: F401  (registers the tables on Base.metadata)
from models.base import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `vault db upgrade`, which supplies the connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
