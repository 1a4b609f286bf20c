"""Erasure: a subject (a rights request, or retention once nothing of theirs is left) or single
recordings (retention), through one path.

What erasing does, in one transaction with its audit entry (the caller's):
- every recording of the subject becomes ``erased``: its blob rows (and with them the wrapped
  data keys) are deleted, it leaves the search index, its sealed earlier versions go, and its
  row keeps only ids and times, the tombstone of the call;
- for a subject, its key is destroyed (crypto-shredding: copies of the objects in backups and
  replicas can no longer be opened), its sealed details and contact indexes are cleared (the
  customer-id index stays, so that erasing again finds the tombstone), and its exports go;
- a legal hold over the subject or any of its recordings refuses all of it (``LegalHoldActive``);
- an ``Erasure`` row records what went: ids, time, trigger, request reference, counts.

The objects themselves are deleted from the store after the commit (``finish``), from the
``pending_deletions`` rows the transaction wrote; a store that is down delays that, and the
retention sweep tries again. Deleting by each recording's prefix also removes objects a worker
wrote but had not yet recorded when the erasure committed; the worker's own commit then fails
its claim (the recording is no longer in a working state) and it deletes what it wrote.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from models.schemas import Status
from models.tables import (
    Blob,
    Correction,
    Erasure,
    Export,
    PendingDeletion,
    Recording,
    Subject,
)
from vault.db import lock_for_write
from vault.errors import LegalHoldActive
from vault.keys import service as keys
from vault.recordings import blobs
from vault.rights import holds
from vault.search import service as search
from vault.search.backends import backend_for
from vault.storage.base import BlobStore, StorageError

log = logging.getLogger(__name__)


class Trigger(StrEnum):
    REQUEST = "request"
    RETENTION = "retention"


EXPORT_ERASED = "erased"


@dataclass(frozen=True)
class Erased:
    """The tombstone of an erasure; ``repeated`` when the subject had already been erased."""

    tombstone: Erasure
    repeated: bool = False


def _lock_subject(session: Session, subject_id: str) -> Subject:
    """The subject row, locked, so that two erasures of one subject, an erasure and an upload
    for the same customer, or an erasure and a hold, run one after the other."""
    lock_for_write(session)
    subject = session.scalars(
        select(Subject).where(Subject.id == subject_id).with_for_update()
    ).one()
    session.refresh(subject)
    return subject


def erase_subject(
    session: Session,
    *,
    subject: Subject,
    trigger: Trigger,
    actor: str,
    now: datetime,
    request_ref: str | None = None,
    policy_id: str | None = None,
) -> Erased:
    """Erase everything held on ``subject``; erasing twice returns the first tombstone (and
    erases anything that reached the subject since, which a tombstone cannot outlive)."""
    subject = _lock_subject(session, subject.id)
    recording_ids = sorted(
        session.scalars(select(Recording.id).where(Recording.subject_id == subject.id))
    )
    if subject.erased_at is not None:
        earlier = session.scalars(
            select(Erasure)
            .where(Erasure.subject_id == subject.id, Erasure.scope == "subject")
            .order_by(Erasure.erased_at.desc())
        ).first()
        if earlier is not None:
            erase_recordings(
                session,
                recording_ids=recording_ids,
                trigger=trigger,
                actor=actor,
                now=now,
                request_ref=request_ref,
                policy_id=policy_id,
            )
            return Erased(earlier, repeated=True)
    hold = holds.blocking(session, subject_id=subject.id, recording_ids=recording_ids)
    if hold is not None:
        raise LegalHoldActive(hold.id, hold.reference)
    _claim_for_erasure(session, recording_ids, now=now, trigger=trigger)
    # Every recording of the subject, also those retention erased before: shredding again
    # finds nothing, or what an interrupted deletion left.
    deleted = sum(_shred_recording(session, recording_id) for recording_id in recording_ids)
    deleted += _shred_exports(session, subject.id)
    session.execute(
        update(Correction)
        .where(Correction.subject_id == subject.id)
        .values(previous=None)
        .execution_options(synchronize_session=False)
    )
    keys.destroy_key(session, key_id=subject.key_id)
    subject.sealed_details = None
    subject.phone_index = None
    subject.email_index = None
    subject.subscription_ended_at = None
    subject.erased_at = now
    tombstone = Erasure(
        scope="subject",
        subject_id=subject.id,
        recording_ids=json.dumps(recording_ids),
        trigger=trigger.value,
        request_ref=request_ref,
        policy_id=policy_id,
        actor=actor,
        objects_deleted=deleted,
        erased_at=now,
    )
    session.add(tombstone)
    session.flush()
    log.info(
        "subject erased",
        extra={"subject_id": subject.id, "recordings": len(recording_ids), "objects": deleted},
    )
    return Erased(tombstone)


def erase_subject_if_empty(
    session: Session, *, subject_id: str, trigger: Trigger, actor: str, now: datetime
) -> Erased | None:
    """Erase the subject only if nothing of theirs is live any more (checked under the lock:
    a call that arrived since the caller looked keeps the subject). None when it is not."""
    subject = _lock_subject(session, subject_id)
    if subject.erased_at is not None:
        return None
    live = session.scalars(
        select(Recording.id)
        .where(Recording.subject_id == subject.id, Recording.status != Status.ERASED.value)
        .limit(1)
    ).first()
    if live is not None:
        return None
    return erase_subject(session, subject=subject, trigger=trigger, actor=actor, now=now)


def erase_recordings(
    session: Session,
    *,
    recording_ids: Iterable[str],
    trigger: Trigger,
    actor: str,
    now: datetime,
    request_ref: str | None = None,
    policy_id: str | None = None,
) -> Erasure | None:
    """Erase single recordings (the subject's key stays, for their other calls).

    Refuses (``LegalHoldActive``) if a hold covers any of them; returns None when none was
    left to erase. Their subjects' rows are locked first, then theirs (the order every path
    here locks in), so a hold placed meanwhile is either seen here or refused as too late.
    """
    ids = sorted(set(recording_ids))
    if not ids:
        return None
    lock_for_write(session)
    subject_ids = sorted(
        {
            subject_id
            for subject_id in session.scalars(
                select(Recording.subject_id).where(Recording.id.in_(ids))
            )
            if subject_id is not None
        }
    )
    if subject_ids:
        session.execute(
            select(Subject.id)
            .where(Subject.id.in_(subject_ids))
            .order_by(Subject.id)
            .with_for_update()
        ).all()
    session.execute(
        select(Recording.id).where(Recording.id.in_(ids)).order_by(Recording.id).with_for_update()
    ).all()
    hold = holds.blocking(session, subject_id=None, recording_ids=ids)
    for subject_id in subject_ids:
        hold = hold or holds.blocking(session, subject_id=subject_id)
    if hold is not None:
        raise LegalHoldActive(hold.id, hold.reference)
    live = _claim_for_erasure(session, ids, now=now, trigger=trigger)
    if not live:
        return None
    deleted = sum(_shred_recording(session, recording_id) for recording_id in live)
    tombstone = Erasure(
        scope="recording",
        subject_id=None,
        recording_ids=json.dumps(live),
        trigger=trigger.value,
        request_ref=request_ref,
        policy_id=policy_id,
        actor=actor,
        objects_deleted=deleted,
        erased_at=now,
    )
    session.add(tombstone)
    session.flush()
    log.info("recordings erased", extra={"recordings": len(live), "objects": deleted})
    return tombstone


def _claim_for_erasure(
    session: Session, recording_ids: list[str], *, now: datetime, trigger: Trigger
) -> list[str]:
    """Mark the live ones of the recordings erased, first of all, so that a worker's claim on
    one is lost; returns those it changed.

    The update takes the rows' locks (PostgreSQL) before the blobs are read: a worker that
    committed first has its blobs seen and deleted here; one that commits later finds its
    claim gone and rolls back.
    """
    if not recording_ids:
        return []
    reason = (
        "erased at the data subject's request"
        if trigger is Trigger.REQUEST
        else "erased: its retention period ended"
    )
    changed = session.execute(
        update(Recording)
        .where(Recording.id.in_(recording_ids), Recording.status != Status.ERASED.value)
        .values(
            status=Status.ERASED.value,
            status_reason=reason,
            progress=None,
            lease_owner=None,
            lease_until=None,
            enqueued_at=None,
            sha256="",
            updated_at=now,
        )
        .returning(Recording.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(changed.scalars())


def _shred_recording(session: Session, recording_id: str) -> int:
    """Drop every reference to the recording's objects; returns how many are to be deleted."""
    object_keys = list(
        session.scalars(select(Blob.object_key).where(Blob.recording_id == recording_id))
    )
    _queue(session, object_keys)
    session.execute(
        delete(Blob)
        .where(Blob.recording_id == recording_id)
        .execution_options(synchronize_session=False)
    )
    search.remove(session, recording_id=recording_id)
    session.execute(
        update(Correction)
        .where(Correction.recording_id == recording_id)
        .values(previous=None)
        .execution_options(synchronize_session=False)
    )
    return len(object_keys)


def _shred_exports(session: Session, subject_id: str) -> int:
    rows = list(session.scalars(select(Export).where(Export.subject_id == subject_id)))
    object_keys = [row.object_key for row in rows if row.object_key]
    _queue(session, object_keys)
    for row in rows:
        row.status = EXPORT_ERASED
        row.status_reason = "the data subject was erased"
        row.object_key = None
        row.wrapped_dek = None
        row.expires_at = None
    return len(object_keys)


def _queue(session: Session, object_keys: Iterable[str]) -> None:
    for key in object_keys:
        if session.get(PendingDeletion, key) is None:
            session.add(PendingDeletion(object_key=key))
    session.flush()


def queue_deletion(session: Session, *, object_keys: Iterable[str]) -> None:
    """Ask for objects the database no longer refers to to be deleted after the commit."""
    _queue(session, object_keys)


def finish(
    store: BlobStore, factory: sessionmaker[Session], *, recording_ids: Iterable[str] = ()
) -> int:
    """After the commit: delete the pending objects, and anything left under the recordings'
    prefixes. Returns how many objects were deleted; a store that fails leaves the rest for
    the next sweep."""
    _merge_search_index(factory)
    count = purge_pending(store, factory)
    try:
        for recording_id in recording_ids:
            for key in list(store.keys(blobs.object_key(recording_id, ""))):
                store.delete(key)
                count += 1
    except StorageError:
        log.warning("the object store failed while deleting erased objects; the sweep retries")
    return count


def _merge_search_index(factory: sessionmaker[Session]) -> None:
    """SQLite's full-text index keeps a deleted document's terms until its segments merge:
    merge them now, so that an erased call's words leave the database file too. (PostgreSQL
    drops them with the row; VACUUM reclaims the space.)"""
    with factory.begin() as session:
        if session.get_bind().dialect.name == "sqlite":
            backend_for(session).optimise(session)


def purge_pending(store: BlobStore, factory: sessionmaker[Session], *, batch: int = 500) -> int:
    """Delete the objects waiting in ``pending_deletions``; stops at the first store failure."""
    count = 0
    while True:
        with factory() as session:
            waiting = list(
                session.scalars(
                    select(PendingDeletion.object_key)
                    .order_by(PendingDeletion.created_at)
                    .limit(batch)
                )
            )
        if not waiting:
            return count
        done: list[str] = []
        try:
            for key in waiting:
                store.delete(key)
                done.append(key)
        except StorageError:
            log.warning("the object store failed while deleting erased objects; the sweep retries")
            _forget(factory, done, failed=waiting[len(done)])
            return count + len(done)
        _forget(factory, done)
        count += len(done)


def _forget(factory: sessionmaker[Session], done: list[str], failed: str | None = None) -> None:
    with factory.begin() as session:
        if done:
            session.execute(
                delete(PendingDeletion)
                .where(PendingDeletion.object_key.in_(done))
                .execution_options(synchronize_session=False)
            )
        if failed is not None:
            session.execute(
                update(PendingDeletion)
                .where(PendingDeletion.object_key == failed)
                .values(attempts=PendingDeletion.attempts + 1)
                .execution_options(synchronize_session=False)
            )


def recently_erased(session: Session, *, since: datetime) -> list[str]:
    """Recordings erased since ``since``: the sweep deletes their prefixes again, for objects
    a worker that died mid-write left behind."""
    return list(
        session.scalars(
            select(Recording.id).where(
                Recording.status == Status.ERASED.value, Recording.updated_at >= since
            )
        )
    )


PREFIX_RECHECK = timedelta(days=2)
"""How long after an erasure the sweep keeps re-deleting the recording's prefix."""
