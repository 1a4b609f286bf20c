"""Search index over redacted transcripts: documents, their texts, their terms per backend.

SQLite indexes the terms in the FTS5 table ``search_fts`` (one column per speaker; the terms
arrive normalised and stemmed, so its tokenizer only splits on spaces and keeps ``_``), and a
trigger removes a document's FTS row with the document. PostgreSQL keeps them in the stored
tsvector ``search_documents.terms`` under a GIN index.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import models.base

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recording_id", sa.String(length=36), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("agent_id", sa.String(length=128), nullable=False),
        sa.Column("started_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("duration_seconds", sa.Double(), nullable=False),
        sa.Column("speakers", sa.String(length=64), nullable=False),
        sa.Column("entity_types", sa.Text(), nullable=False),
        sa.Column("terms", postgresql.TSVECTOR().with_variant(sa.Text(), "sqlite"), nullable=True),
        sa.Column("indexed_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recording_id"],
            ["recordings.id"],
            name=op.f("fk_search_documents_recording_id_recordings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_documents")),
        sa.UniqueConstraint("recording_id", name=op.f("uq_search_documents_recording_id")),
    )
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_search_documents_agent_id_started_at", ["agent_id", "started_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_search_documents_started_at"), ["started_at"], unique=False
        )
        batch_op.create_index(
            "ix_search_documents_terms",
            ["terms"],
            unique=False,
            postgresql_using="gin",
            sqlite_where=sa.text("terms IS NOT NULL"),
        )
    op.create_table(
        "search_document_texts",
        sa.Column("document_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("segments", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["search_documents.id"],
            name=op.f("fk_search_document_texts_document_id_search_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_search_document_texts")),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            "agent, customer, mixed, tokenize = \"unicode61 remove_diacritics 0 tokenchars '_'\")"
        )
        op.execute(
            "CREATE TRIGGER search_documents_fts_delete AFTER DELETE ON search_documents "
            "BEGIN DELETE FROM search_fts WHERE rowid = old.id; END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS search_documents_fts_delete")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table("search_document_texts")
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_search_documents_terms", postgresql_using="gin")
        batch_op.drop_index(batch_op.f("ix_search_documents_started_at"))
        batch_op.drop_index("ix_search_documents_agent_id_started_at")
    op.drop_table("search_documents")
