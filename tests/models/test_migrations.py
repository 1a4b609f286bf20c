"""The migrations build exactly the schema the models declare, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from models.base import Base
from vault import migrate


def _declarable(name: str | None, type_: str, _parent: object) -> bool:
    """SQLite's full-text index is a virtual table, with shadow tables, that no model can
    declare: migration 0003 creates it, and tests/vault/search exercises it."""
    fts = type_ == "table" and (name == "search_fts" or (name or "").startswith("search_fts_"))
    return not fts


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": _declarable}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_downgrade_to_base_and_back(engine: Engine) -> None:
    migrate.downgrade(engine, "base")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 0
    migrate.upgrade(engine)
    with engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    head = ScriptDirectory.from_config(migrate.alembic_config(engine)).get_current_head()
    assert version == head == "0007"
