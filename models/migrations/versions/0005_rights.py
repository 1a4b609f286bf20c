"""Rights requests, exports, corrections, legal holds, retention policies and erasures (KVKK).

Also ``subjects.subscription_ended_at``, which retention "by end of subscription" counts from.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erasures",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=True),
        sa.Column("recording_ids", sa.Text(), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("request_ref", sa.String(length=64), nullable=True),
        sa.Column("policy_id", sa.String(length=36), nullable=True),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("objects_deleted", sa.Integer(), nullable=False),
        sa.Column("erased_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasures")),
    )
    with op.batch_alter_table("erasures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_erasures_erased_at"), ["erased_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_erasures_request_ref"), ["request_ref"], unique=False)
        batch_op.create_index(batch_op.f("ix_erasures_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "pending_deletions",
        sa.Column("object_key", sa.String(length=255), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("object_key", name=op.f("pk_pending_deletions")),
    )
    op.create_table(
        "retention_policies",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("queue", sa.String(length=128), nullable=False),
        sa.Column("basis", sa.String(length=24), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_policies")),
        sa.UniqueConstraint("queue", name=op.f("uq_retention_policies_queue")),
    )
    op.create_table(
        "rights_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=True),
        sa.Column("received_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("handler", sa.String(length=128), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_rights_requests_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_requests")),
        sa.UniqueConstraint("reference", name=op.f("uq_rights_requests_reference")),
    )
    with op.batch_alter_table("rights_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rights_requests_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_rights_requests_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_rights_requests_subject_id"), ["subject_id"], unique=False
        )

    op.create_table(
        "corrections",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=True),
        sa.Column("recording_id", sa.String(length=36), nullable=True),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("previous", sa.LargeBinary(), nullable=True),
        sa.Column("previous_variant", sa.String(length=32), nullable=True),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recording_id"], ["recordings.id"], name=op.f("fk_corrections_recording_id_recordings")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["rights_requests.id"],
            name=op.f("fk_corrections_request_id_rights_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_corrections_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrections")),
    )
    with op.batch_alter_table("corrections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_corrections_recording_id"), ["recording_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_corrections_request_id"), ["request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_corrections_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "exports",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("requested_by", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("lease_until", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ready_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("delete_after", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("object_key", sa.String(length=255), nullable=True),
        sa.Column("key_id", sa.String(length=36), nullable=True),
        sa.Column("wrapped_dek", sa.LargeBinary(), nullable=True),
        sa.Column("segment_size", sa.Integer(), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("file_count", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["key_id"], ["keys.id"], name=op.f("fk_exports_key_id_keys")),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["rights_requests.id"],
            name=op.f("fk_exports_request_id_rights_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_exports_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exports")),
    )
    with op.batch_alter_table("exports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exports_delete_after"), ["delete_after"], unique=False)
        batch_op.create_index(batch_op.f("ix_exports_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_exports_request_id"), ["request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_exports_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_exports_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "legal_holds",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=True),
        sa.Column("recording_id", sa.String(length=36), nullable=True),
        sa.Column("reference", sa.String(length=128), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by", sa.String(length=128), nullable=False),
        sa.Column("placed_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("released_by", sa.String(length=128), nullable=True),
        sa.Column("released_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["recording_id"], ["recordings.id"], name=op.f("fk_legal_holds_recording_id_recordings")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_legal_holds_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    with op.batch_alter_table("legal_holds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_legal_holds_recording_id"), ["recording_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_legal_holds_released_at"), ["released_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_legal_holds_subject_id"), ["subject_id"], unique=False)

    op.add_column(
        "subjects",
        sa.Column("subscription_ended_at", models.base.UTCDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("subjects", "subscription_ended_at")

    with op.batch_alter_table("legal_holds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_legal_holds_subject_id"))
        batch_op.drop_index(batch_op.f("ix_legal_holds_released_at"))
        batch_op.drop_index(batch_op.f("ix_legal_holds_recording_id"))

    op.drop_table("legal_holds")
    with op.batch_alter_table("exports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exports_subject_id"))
        batch_op.drop_index(batch_op.f("ix_exports_status"))
        batch_op.drop_index(batch_op.f("ix_exports_request_id"))
        batch_op.drop_index(batch_op.f("ix_exports_expires_at"))
        batch_op.drop_index(batch_op.f("ix_exports_delete_after"))

    op.drop_table("exports")
    with op.batch_alter_table("corrections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_corrections_subject_id"))
        batch_op.drop_index(batch_op.f("ix_corrections_request_id"))
        batch_op.drop_index(batch_op.f("ix_corrections_recording_id"))

    op.drop_table("corrections")
    with op.batch_alter_table("rights_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rights_requests_subject_id"))
        batch_op.drop_index(batch_op.f("ix_rights_requests_status"))
        batch_op.drop_index(batch_op.f("ix_rights_requests_due_at"))

    op.drop_table("rights_requests")
    op.drop_table("retention_policies")
    op.drop_table("pending_deletions")
    with op.batch_alter_table("erasures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erasures_subject_id"))
        batch_op.drop_index(batch_op.f("ix_erasures_request_ref"))
        batch_op.drop_index(batch_op.f("ix_erasures_erased_at"))

    op.drop_table("erasures")
