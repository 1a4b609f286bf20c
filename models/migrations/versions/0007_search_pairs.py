"""Search: adjacent term pairs and speakers' entity tags in their own column on PostgreSQL.

``search_documents.pairs`` holds, without positions, every two lexemes at adjacent positions
of ``terms`` (``want a``) and every entity tag of ``entities`` with each weight it carries
(``B:entity_card_number``), under a GIN index. GIN cannot check positions or weights, so a
phrase, or a tag said by one speaker, used to be rechecked against every candidate's
tsvector (out of line, for ``terms``); in ``pairs`` both are exact lexeme lookups, and only
the documents holding a phrase's pairs are checked for its positions. Filled here from
``terms`` and ``entities``, as ``vault.search.postgres.pairs`` builds it for new documents.
SQLite leaves it NULL: FTS5 keeps positions in its index.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_FILL = """
UPDATE search_documents d SET pairs = (
    SELECT coalesce(array_to_tsvector(array_agg(DISTINCT lexeme)), ''::tsvector) FROM (
        SELECT a.lexeme || ' ' || b.lexeme AS lexeme
        FROM (SELECT lexeme, unnest(positions) AS at FROM unnest(d.terms)) a
        JOIN (SELECT lexeme, unnest(positions) AS at FROM unnest(d.terms)) b
          ON b.at = a.at + 1
        UNION
        SELECT w.weight || ':' || e.lexeme
        FROM unnest(d.entities) e, unnest(e.weights) AS w(weight)
    ) found
)
"""


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column(
        "search_documents",
        sa.Column("pairs", postgresql.TSVECTOR().with_variant(sa.Text(), "sqlite"), nullable=True),
    )
    if not sqlite:
        op.execute(_FILL)
    op.create_index(
        "ix_search_documents_pairs",
        "search_documents",
        ["pairs"],
        unique=False,
        postgresql_using="gin",
        sqlite_where=sa.text("pairs IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_search_documents_pairs", "search_documents", postgresql_using="gin")
    with op.batch_alter_table("search_documents") as batch_op:
        batch_op.drop_column("pairs")
