"""Search: documents in time order on SQLite, entity tags in their own column on PostgreSQL.

- SQLite: a document's id (its FTS5 rowid) becomes its *ordinal*, ``started_at`` in
  microseconds times 1024 plus a counter (``vault.search.sqlite.ordinal``), so that the term
  index hands out matches newest first. Existing documents are renumbered in place: their
  FTS5 rows and texts move with them.
- PostgreSQL: ``search_documents.entities``, the entity-tag lexemes of ``terms`` alone (with
  their speakers' weights), under a GIN index. A filter on what a call contained is then
  checked against a few lexemes stored in the row rather than the whole transcript's
  tsvector, which lives out of line. Filled here from ``terms``.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SAME_MICROSECOND = 1024


def _ordinal(started_at: datetime | str) -> int:
    if isinstance(started_at, str):
        started_at = datetime.fromisoformat(started_at)
    if started_at.tzinfo is None:
        started_at = started_at.replace(tzinfo=UTC)
    return (started_at - _EPOCH) // timedelta(microseconds=1) * _SAME_MICROSECOND


def _renumber_sqlite() -> None:
    bind = op.get_bind()
    bind.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    rows = bind.execute(
        sa.text("SELECT id, started_at FROM search_documents ORDER BY started_at, id")
    ).all()
    taken: dict[int, int] = {}
    for old, started_at in rows:
        first = _ordinal(started_at)
        new = taken[first] = taken.get(first, first - 1) + 1
        for statement in (
            "UPDATE search_fts SET rowid = :new WHERE rowid = :old",
            "UPDATE search_document_texts SET document_id = :new WHERE document_id = :old",
            "UPDATE search_documents SET id = :new WHERE id = :old",
        ):
            bind.execute(sa.text(statement), {"new": new, "old": old})


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _renumber_sqlite()
    op.add_column(
        "search_documents",
        sa.Column(
            "entities", postgresql.TSVECTOR().with_variant(sa.Text(), "sqlite"), nullable=True
        ),
    )
    if not sqlite:  # SQLite leaves it NULL, as it does ``terms``: FTS5 holds the tags
        op.execute(
            "UPDATE search_documents SET entities = ts_delete(terms, ARRAY("
            "SELECT lexeme FROM unnest(terms) WHERE lexeme NOT LIKE 'entity\\_%'))"
        )
    op.create_index(
        "ix_search_documents_entities",
        "search_documents",
        ["entities"],
        unique=False,
        postgresql_using="gin",
        sqlite_where=sa.text("entities IS NOT NULL"),
    )


def downgrade() -> None:
    # SQLite's ordinals stay: they are valid ids, and 0005's search orders by date itself.
    op.drop_index("ix_search_documents_entities", "search_documents", postgresql_using="gin")
    with op.batch_alter_table("search_documents") as batch_op:
        batch_op.drop_column("entities")
