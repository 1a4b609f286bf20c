"""Append to, checkpoint, verify and read the audit log. Functions never commit.

Appending serialises on the single ``audit_head`` row, which holds the chain's tip:

- PostgreSQL: ``SELECT ... FOR UPDATE`` on that row; a second appender waits there until the
  first one's transaction ends, then reads the new tip (READ COMMITTED re-reads a locked row;
  under REPEATABLE READ or SERIALIZABLE it fails with a serialization error instead, and the
  caller retries its transaction).
- SQLite has no row locks. The first statement of an append is a write on ``audit_head``
  (``INSERT ... ON CONFLICT DO NOTHING``), which takes the database's single write lock before
  the tip is read; a second writer waits on ``busy_timeout`` until the first commits, so it
  too reads the new tip. The lock is held until the caller's transaction ends.

Either way the tip is updated with a compare-and-set and ``seq`` is the entries' primary key,
so two appenders can never both extend the same tip: the chain cannot fork. Hold the lock
briefly: record the entry at the end of the unit of work and commit promptly.

Entries hold ids and short codes, never personal data, and nothing here logs their contents.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any, Literal, cast, get_args

from sqlalchemy import CursorResult, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models.tables import AuditCheckpoint, AuditEntry, AuditHead
from vault.audit._walk import HEAD_ID, Broken, ChainWalk
from vault.audit.chain import GENESIS_HASH, FieldValue, checkpoint_message, entry_hash
from vault.audit.signing import AuditSigner, AuditVerifier

logger = logging.getLogger(__name__)

Outcome = Literal["allowed", "denied", "error"]
OUTCOMES: frozenset[str] = frozenset(get_args(Outcome))
ANONYMOUS = "anonymous"
MAX_PAGE = 1000

_REQUIRED = ("actor", "action", "resource_type", "outcome")


@dataclass(frozen=True, kw_only=True)
class AuditEvent:
    """Who did what to which resource, and how it ended. Ids and codes only, no personal data.

    ``resource_id`` is an internal id (a recording's uuid), never a customer's own value;
    ``reason`` is a short code such as ``role``, ``not_owner``, ``purpose_missing``.
    """

    actor: str
    role: str | None = None
    action: str
    resource_type: str
    resource_id: str | None = None
    variant: str | None = None
    purpose: str | None = None
    outcome: Outcome
    reason: str | None = None
    client_addr: str | None = None
    request_id: str | None = None
    detail: str | None = None
    """What the access was about, in words the vault wrote: a redacted search query, a rights
    request's reference. Never a value a caller typed in unredacted."""

    def __post_init__(self) -> None:
        columns = AuditEntry.__table__.c
        for field in fields(self):
            value = getattr(self, field.name)
            if value is None:
                if field.name in _REQUIRED:
                    raise ValueError(f"audit event field {field.name!r} is required")
                continue
            if not isinstance(value, str):
                raise ValueError(f"audit event field {field.name!r} must be a string")
            if field.name in _REQUIRED and not value:
                raise ValueError(f"audit event field {field.name!r} is empty")
            length = getattr(columns[field.name].type, "length", None)
            if length is not None and len(value) > length:
                raise ValueError(
                    f"audit event field {field.name!r} is longer than {length} characters"
                )
            if any(unicodedata.category(char) == "Cc" for char in value):
                raise ValueError(f"audit event field {field.name!r} holds control characters")
        if self.outcome not in OUTCOMES:
            raise ValueError(f"audit outcome must be one of {sorted(OUTCOMES)}")


@dataclass(frozen=True)
class VerifyReport:
    """The result of walking the chain.

    ``entries`` and ``checkpoints`` count what was found intact before the first problem
    (everything, when ``ok``); ``first_bad_seq`` is the earliest entry that can no longer be
    trusted and ``problem`` says why, in a sentence.
    """

    ok: bool
    entries: int
    checkpoints: int
    first_bad_seq: int | None = None
    problem: str | None = None


def record(
    session: Session,
    *,
    event: AuditEvent,
    signer: AuditSigner,
    checkpoint_every: int,
    now: datetime | None = None,
) -> AuditEntry:
    """Append ``event`` to the chain; every ``checkpoint_every``-th entry is also checkpointed."""
    if checkpoint_every < 1:
        raise ValueError("checkpoint_every must be a positive integer")
    at = _utc(now)
    head_seq, head_hash = _lock_head(session)
    seq = head_seq + 1
    values: dict[str, FieldValue] = {"seq": seq, "at": at}
    values.update({field.name: getattr(event, field.name) for field in fields(event)})
    digest = entry_hash(head_hash, values)
    _advance_head(session, from_seq=head_seq, to_seq=seq, to_hash=digest)
    entry = AuditEntry(**values, prev_hash=head_hash, hash=digest)
    session.add(entry)
    session.flush()
    if seq % checkpoint_every == 0:
        _write_checkpoint(session, seq=seq, digest=digest, at=at, signer=signer)
    return entry


def checkpoint(
    session: Session, *, signer: AuditSigner, now: datetime | None = None
) -> AuditCheckpoint | None:
    """Sign the current tip, so that later truncation of the tail shows.

    Returns the new checkpoint, or ``None`` when the log is empty or its tip already has one.
    """
    at = _utc(now)
    head_seq, head_hash = _lock_head(session)
    if head_seq == 0 or session.get(AuditCheckpoint, head_seq) is not None:
        return None
    return _write_checkpoint(session, seq=head_seq, digest=head_hash, at=at, signer=signer)


def verify(
    session: Session,
    *,
    verifier: AuditVerifier | AuditSigner | Iterable[AuditVerifier | AuditSigner],
    batch_size: int = 1000,
) -> VerifyReport:
    """Walk the whole chain in ``batch_size`` steps and report the first entry that is wrong.

    Checks that entries run 1, 2, 3... without gaps, that each links to its predecessor's hash
    and hashes to what it stores, that every checkpoint is signed by a trusted key (several
    may be given, to cover past keys) and matches its entry, and that the head row is the last
    entry. Appends that commit meanwhile are followed, not reported as damage.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be a positive integer")
    walk = ChainWalk(session, _trusted(verifier), batch_size)
    try:
        walk.run()
    except Broken as broken:
        logger.warning(
            "audit chain broken at entry %d (%d entries intact)", broken.seq, walk.entries
        )
        return VerifyReport(
            ok=False,
            entries=walk.entries,
            checkpoints=walk.checkpoints,
            first_bad_seq=broken.seq,
            problem=broken.problem,
        )
    logger.info("audit chain intact: %d entries, %d checkpoints", walk.entries, walk.checkpoints)
    return VerifyReport(ok=True, entries=walk.entries, checkpoints=walk.checkpoints)


def list_entries(
    session: Session,
    *,
    after_seq: int = 0,
    limit: int = 100,
    actor: str | None = None,
    action: str | None = None,
    resource_id: str | None = None,
    outcome: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[AuditEntry]:
    """Entries after ``after_seq`` in order, at most ``limit`` (capped at 1000).

    The next page starts after the last ``seq`` returned. ``since`` is inclusive, ``until``
    exclusive.
    """
    if limit < 1:
        raise ValueError("limit must be a positive integer")
    query = select(AuditEntry).where(AuditEntry.seq > after_seq)
    if actor is not None:
        query = query.where(AuditEntry.actor == actor)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if resource_id is not None:
        query = query.where(AuditEntry.resource_id == resource_id)
    if outcome is not None:
        query = query.where(AuditEntry.outcome == outcome)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    query = query.order_by(AuditEntry.seq).limit(min(limit, MAX_PAGE))
    return list(session.scalars(query))


# Appending.


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return now.astimezone(UTC)


def _lock_head(session: Session) -> tuple[int, str]:
    """The chain's tip, locked against other appenders until this transaction ends."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        _create_head(session, dialect)  # a write first: takes SQLite's write lock
    locked = select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == HEAD_ID).with_for_update()
    row = session.execute(locked).one_or_none()
    if row is None:
        _create_head(session, dialect)
        row = session.execute(locked).one()
    return row.seq, row.hash


def _create_head(session: Session, dialect: str) -> None:
    values = {"id": HEAD_ID, "seq": 0, "hash": GENESIS_HASH}
    if dialect == "sqlite":
        session.execute(sqlite_insert(AuditHead).values(values).on_conflict_do_nothing())
    elif dialect == "postgresql":
        session.execute(postgresql_insert(AuditHead).values(values).on_conflict_do_nothing())
    else:
        raise NotImplementedError(f"the audit log does not support {dialect}")


def _advance_head(session: Session, *, from_seq: int, to_seq: int, to_hash: str) -> None:
    statement = (
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID, AuditHead.seq == from_seq)
        .values(seq=to_seq, hash=to_hash)
        .execution_options(synchronize_session=False)
    )
    result = cast(CursorResult[Any], session.execute(statement))
    if result.rowcount != 1:  # the lock makes this unreachable; refuse to fork if it is not
        raise RuntimeError("the audit chain head moved while it was locked")


def _write_checkpoint(
    session: Session, *, seq: int, digest: str, at: datetime, signer: AuditSigner
) -> AuditCheckpoint:
    signature = signer.sign(checkpoint_message(seq=seq, hash=digest, at=at))
    row = AuditCheckpoint(
        seq=seq, hash=digest, at=at, signing_key_id=signer.key_id, signature=signature
    )
    session.add(row)
    session.flush()
    return row


def _trusted(
    verifier: AuditVerifier | AuditSigner | Iterable[AuditVerifier | AuditSigner],
) -> dict[str, AuditVerifier | AuditSigner]:
    keys = [verifier] if isinstance(verifier, AuditVerifier | AuditSigner) else list(verifier)
    if not keys:
        raise ValueError("verify needs at least one trusted key")
    return {key.key_id: key for key in keys}
