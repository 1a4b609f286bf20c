"""SQLAlchemy tables: keys, subjects, recordings, blobs, the audit log, search and rights."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, new_id, utcnow


class Key(Base):
    """A key-encryption key (one per data subject, or per recording with no known subject).

    Stored only wrapped by a master key; destroying it (``wrapped = NULL``) makes every object
    whose data key it wraps unreadable: crypto-shredding.
    """

    __tablename__ = "keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    purpose: Mapped[str] = mapped_column(String(16))
    wrapped: Mapped[bytes | None] = mapped_column(LargeBinary)
    master_key_id: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    rotated_at: Mapped[datetime | None]
    destroyed_at: Mapped[datetime | None]


class Subject(Base):
    """The customer a call is about: personal values sealed, only keyed blind indexes clear."""

    __tablename__ = "subjects"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    customer_id_index: Mapped[str | None] = mapped_column(String(64), unique=True)
    phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    email_index: Mapped[str | None] = mapped_column(String(64), index=True)
    key_id: Mapped[str] = mapped_column(ForeignKey("keys.id"))
    sealed_details: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    erased_at: Mapped[datetime | None]
    # When the customer's subscription ended (from the CRM): what "by end of subscription"
    # retention counts from. Not personal in itself; cleared with the rest on erasure.
    subscription_ended_at: Mapped[datetime | None]


class Recording(Base):
    __tablename__ = "recordings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    call_id: Mapped[str] = mapped_column(String(128), unique=True)
    agent_id: Mapped[str] = mapped_column(String(128), index=True)
    uploaded_by: Mapped[str] = mapped_column(String(128))
    started_at: Mapped[datetime] = mapped_column(index=True)
    direction: Mapped[str] = mapped_column(String(16))
    queue: Mapped[str | None] = mapped_column(String(128))
    language: Mapped[str | None] = mapped_column(String(8))
    channels: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str | None] = mapped_column(ForeignKey("subjects.id"), index=True)
    key_id: Mapped[str] = mapped_column(ForeignKey("keys.id"))
    status: Mapped[str] = mapped_column(String(16), index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    progress: Mapped[float | None]
    # Work on the recording: the database, not the queue, is the source of truth.
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    enqueued_at: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None] = mapped_column(index=True)
    media_format: Mapped[str] = mapped_column(String(32))
    codec: Mapped[str] = mapped_column(String(32))
    sample_rate: Mapped[int]
    channel_count: Mapped[int]
    duration_seconds: Mapped[float | None]
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Blob(Base):
    """One encrypted object in the blob store and the wrapped data key that opens it."""

    __tablename__ = "blobs"
    __table_args__ = (UniqueConstraint("recording_id", "variant"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    recording_id: Mapped[str] = mapped_column(ForeignKey("recordings.id"), index=True)
    variant: Mapped[str] = mapped_column(String(32))
    object_key: Mapped[str] = mapped_column(String(255), unique=True)
    key_id: Mapped[str] = mapped_column(ForeignKey("keys.id"))
    wrapped_dek: Mapped[bytes] = mapped_column(LargeBinary)
    segment_size: Mapped[int]
    plaintext_size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """One access, allowed or denied: append-only (triggers refuse changes), hash-chained."""

    __tablename__ = "audit_entries"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(128), index=True)
    role: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64), index=True)
    resource_type: Mapped[str] = mapped_column(String(32))
    resource_id: Mapped[str | None] = mapped_column(String(64), index=True)
    variant: Mapped[str | None] = mapped_column(String(32))
    purpose: Mapped[str | None] = mapped_column(String(160))
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(64))
    client_addr: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(String(1000))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


Index("ix_audit_entries_at", AuditEntry.at)


class AuditCheckpoint(Base):
    """A signed statement that the chain reached ``seq`` with ``hash``: a truncation anchor."""

    __tablename__ = "audit_checkpoints"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    signing_key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[bytes] = mapped_column(LargeBinary)


class AuditHead(Base):
    """A single row holding the chain's tip; appenders lock it so that the chain stays linear."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class SearchDocument(Base):
    """A ready recording's *redacted* transcript as the search index holds it, never the raw one.

    What a search filters and sorts on; the text is in ``SearchDocumentText``, apart, so that
    ranking many matches reads small rows. The terms are indexed by backend: on SQLite in the
    FTS5 table ``search_fts`` (rowid = ``id``), which a model cannot declare, so migration 0003
    creates it, with a trigger that deletes its row along with this one; on PostgreSQL in
    ``terms``, a stored tsvector under a GIN index. SQLite leaves ``terms`` NULL, and its index
    on it empty.
    """

    __tablename__ = "search_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[str] = mapped_column(
        ForeignKey("recordings.id", ondelete="CASCADE"), unique=True
    )
    language: Mapped[str | None] = mapped_column(String(8))
    agent_id: Mapped[str] = mapped_column(String(128))
    started_at: Mapped[datetime] = mapped_column(index=True)
    duration_seconds: Mapped[float]
    speakers: Mapped[str] = mapped_column(String(64))
    entity_types: Mapped[str] = mapped_column(Text)
    terms: Mapped[str | None] = mapped_column(
        TSVECTOR().with_variant(Text(), "sqlite"), deferred=True
    )
    entities: Mapped[str | None] = mapped_column(
        TSVECTOR().with_variant(Text(), "sqlite"), deferred=True
    )
    """PostgreSQL: the entity-tag lexemes of ``terms`` alone, small enough to stay in the row,
    for entity filters (migration 0006). NULL on SQLite."""
    pairs: Mapped[str | None] = mapped_column(
        TSVECTOR().with_variant(Text(), "sqlite"), deferred=True
    )
    """PostgreSQL: the terms at adjacent positions of ``terms`` as lexemes ``a b``, and the
    entity tags with their speakers' weights as ``B:entity_...``, without positions, so that
    the GIN index answers phrases and a speaker's tags exactly (migration 0007). NULL on
    SQLite."""
    indexed_at: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_search_documents_agent_id_started_at", SearchDocument.agent_id, SearchDocument.started_at)
Index(
    "ix_search_documents_terms",
    SearchDocument.terms,
    postgresql_using="gin",
    sqlite_where=SearchDocument.terms.is_not(None),
)
Index(
    "ix_search_documents_entities",
    SearchDocument.entities,
    postgresql_using="gin",
    sqlite_where=SearchDocument.entities.is_not(None),
)
Index(
    "ix_search_documents_pairs",
    SearchDocument.pairs,
    postgresql_using="gin",
    sqlite_where=SearchDocument.pairs.is_not(None),
)


class SearchDocumentText(Base):
    """The redacted segments of an indexed transcript (JSON ``[start, end, speaker, text]``),
    which snippets are cut from."""

    __tablename__ = "search_document_texts"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("search_documents.id", ondelete="CASCADE"), primary_key=True
    )
    segments: Mapped[str] = mapped_column(Text)


# Rights requests, erasure, retention and legal hold (KVKK). Nothing below holds a personal
# value in clear: free text is redacted before it is stored, and earlier personal values are
# kept sealed under the subject's key, so that erasing the subject shreds them too.


class RightsRequest(Base):
    """A data subject's request (access, correction, erasure, objection), due in 30 days."""

    __tablename__ = "rights_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str | None] = mapped_column(ForeignKey("subjects.id"), index=True)
    received_at: Mapped[datetime]
    due_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    handler: Mapped[str | None] = mapped_column(String(128))
    notes: Mapped[str | None] = mapped_column(Text)  # redacted before it is stored
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None]


class Export(Base):
    """An access request's ZIP: built by a worker, sealed in the blob store under the subject's
    key (erasing the subject shreds it), downloadable until ``expires_at``."""

    __tablename__ = "exports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    subject_id: Mapped[str] = mapped_column(ForeignKey("subjects.id"), index=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("rights_requests.id"), index=True)
    requested_by: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ready_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    delete_after: Mapped[datetime | None] = mapped_column(index=True)
    object_key: Mapped[str | None] = mapped_column(String(255))
    key_id: Mapped[str | None] = mapped_column(ForeignKey("keys.id"))
    wrapped_dek: Mapped[bytes | None] = mapped_column(LargeBinary)
    segment_size: Mapped[int | None]
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    file_count: Mapped[int | None]


class Correction(Base):
    """One correction of a subject's details, a recording's metadata or a transcript.

    ``previous`` holds the earlier values sealed under the subject's key (or, for a transcript,
    ``previous_variant`` names the blob variant that keeps the earlier version), so the audit
    trail can show what changed while erasure still shreds it.
    """

    __tablename__ = "corrections"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    request_id: Mapped[str] = mapped_column(ForeignKey("rights_requests.id"), index=True)
    target: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str | None] = mapped_column(ForeignKey("subjects.id"), index=True)
    recording_id: Mapped[str | None] = mapped_column(ForeignKey("recordings.id"), index=True)
    fields: Mapped[str] = mapped_column(Text)  # JSON list of the names of what changed
    reason: Mapped[str] = mapped_column(Text)  # redacted before it is stored
    previous: Mapped[bytes | None] = mapped_column(LargeBinary)
    previous_variant: Mapped[str | None] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class LegalHold(Base):
    """Keeps a subject's or one recording's data from erasure and retention until released."""

    __tablename__ = "legal_holds"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    subject_id: Mapped[str | None] = mapped_column(ForeignKey("subjects.id"), index=True)
    recording_id: Mapped[str | None] = mapped_column(ForeignKey("recordings.id"), index=True)
    reference: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text)  # redacted before it is stored
    placed_by: Mapped[str] = mapped_column(String(128))
    placed_at: Mapped[datetime] = mapped_column(default=utcnow)
    released_by: Mapped[str | None] = mapped_column(String(128))
    released_at: Mapped[datetime | None] = mapped_column(index=True)


class RetentionPolicy(Base):
    """How long a queue's calls are kept: days after the call, or after the subscription ended.

    ``queue`` ``*`` is the default for queues without a policy of their own.
    """

    __tablename__ = "retention_policies"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    queue: Mapped[str] = mapped_column(String(128), unique=True)
    basis: Mapped[str] = mapped_column(String(24))
    days: Mapped[int]
    updated_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Erasure(Base):
    """A tombstone: what was destroyed, when, why. Ids, counts and references only.

    Kept for the destruction report and for at least three years (KVKK): never personal data.
    """

    __tablename__ = "erasures"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    scope: Mapped[str] = mapped_column(String(16))  # subject | recording
    subject_id: Mapped[str | None] = mapped_column(String(36), index=True)
    recording_ids: Mapped[str] = mapped_column(Text)  # JSON list of ids
    trigger: Mapped[str] = mapped_column(String(16))  # request | retention
    request_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    policy_id: Mapped[str | None] = mapped_column(String(36))
    actor: Mapped[str] = mapped_column(String(128))
    objects_deleted: Mapped[int]
    erased_at: Mapped[datetime] = mapped_column(index=True)


class PendingDeletion(Base):
    """An object the database no longer refers to, to be deleted from the store.

    Written in the same transaction that drops the reference, deleted once the store confirms:
    an object store that is down when an erasure commits delays the deletion, never loses it.
    """

    __tablename__ = "pending_deletions"

    object_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
