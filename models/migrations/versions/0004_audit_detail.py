"""Audit entries gain ``detail``: what an access was about, in words the vault wrote.

Hashed only when set (``vault.audit.chain.OPTIONAL_FIELDS``), so every entry written before
this column existed still verifies. A plain ``ADD COLUMN``: the append-only triggers refuse
updates and deletes of rows, not a new nullable column.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_entries", sa.Column("detail", sa.String(length=1000), nullable=True))


def downgrade() -> None:
    op.drop_column("audit_entries", "detail")
