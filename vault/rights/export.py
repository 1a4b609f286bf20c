"""A data subject's export: the answer to an access request (KVKK Art. 11), as one ZIP.

The officer asks for it (``request_export``: a ``queued`` row, in the request's transaction);
a worker builds it (``build``): it claims the row with a conditional update and a lease,
streams the archive (``_contents``) through STREAM encryption into the blob store, and records
it ``ready`` in one transaction with its audit entry. The archive's data key is wrapped by the
subject's key, bound to the export, so erasing the subject shreds the export with everything
else (``erasure`` marks it ``erased`` and deletes its object). It can be downloaded
(``open_download``) until ``expires_at``; the sweep deletes it after ``delete_after``.

Memory stays flat however large the export: audio goes through a segment at a time, and only
a small record per member is kept for the ZIP's directory and the manifest.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import CursorResult, and_, func, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from models.exports import ExportStatus
from models.rights import Kind
from models.tables import AuditEntry, Export, Recording, RightsRequest, Subject
from vault.audit import service as audit
from vault.crypto.stream import EncryptingReader, decrypt_range, generate_data_key
from vault.crypto.wrap import unwrap_key, wrap_key
from vault.db import transaction
from vault.errors import Conflict, Gone, KeyDestroyed, NotFound, NotReady
from vault.keys import service as keys
from vault.keys.keyring import MasterKeyring
from vault.rights import _contents, erasure, summary
from vault.rights import requests as register
from vault.runtime import Vault
from vault.storage.base import BlobStore, StorageError, StorageUnavailable
from vault.subjects import service as subjects

log = logging.getLogger(__name__)

ACTOR = "system:export"
BUILT = "subject.export.built"
TRANSIENT = (StorageUnavailable, OperationalError)
"""Errors worth retrying: the store or the database was briefly out of reach."""

IN_FLIGHT = (ExportStatus.QUEUED.value, ExportStatus.BUILDING.value)


class Outcome(StrEnum):
    BUILT = "built"
    SKIPPED = "skipped"
    FAILED = "failed"


class Superseded(Exception):
    """The build's claim was lost: its lease ran out and another worker took the export over,
    or the subject was erased meanwhile."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


def object_prefix(export_id: str) -> str:
    return f"exports/{export_id}/"


def object_key(export_id: str, attempt: int) -> str:
    """Each attempt writes its own object, so that two never overwrite each other."""
    return f"{object_prefix(export_id)}attempt-{attempt}.zip"


def binding(export_id: str) -> bytes:
    """Associated data binding every segment of the archive, and its wrapped key, to it."""
    return f"export:{export_id}".encode()


def _wrapping_key(kek: bytes) -> bytes:
    return keys.derive(kek, purpose=b"export key wrap")


# Asking for an export and reading its state.


def request_export(
    session: Session, *, subject: Subject, request_ref: str, actor: str, now: datetime
) -> Export:
    """A ``queued`` export answering the access request ``request_ref`` about ``subject``.

    The request must be an open access request about this subject (it moves to
    ``in_progress``); an erased subject has nothing left to export (``KeyDestroyed``). Asking
    again while an export for the same request is still queued or building returns that one.
    """
    if subject.erased_at is not None:
        raise KeyDestroyed("this customer's data was erased; there is nothing to export")
    request = register.for_action(
        session, reference=request_ref, kinds={Kind.ACCESS}, subject=subject
    )
    pending = session.scalars(
        select(Export)
        .where(Export.request_id == request.id, Export.status.in_(IN_FLIGHT))
        .order_by(Export.created_at)
    ).first()
    if pending is not None:
        return pending
    row = Export(
        subject_id=subject.id,
        request_id=request.id,
        requested_by=actor,
        status=ExportStatus.QUEUED.value,
        attempts=0,
        created_at=now,
    )
    session.add(row)
    session.flush()
    log.info("export requested", extra={"export_id": row.id, "subject_id": subject.id})
    return row


def get(session: Session, *, export_id: str) -> Export:
    row = session.get(Export, export_id)
    if row is None:
        raise NotFound("no such export")
    return row


def reference_of(session: Session, export: Export) -> str:
    """The reference of the request the export answers."""
    reference = session.scalar(
        select(RightsRequest.reference).where(RightsRequest.id == export.request_id)
    )
    assert reference is not None
    return reference


def status_of(export: Export, *, now: datetime) -> str:
    """The export's state as its reader sees it: a ready export past its window is expired."""
    if (
        export.status == ExportStatus.READY.value
        and export.expires_at is not None
        and export.expires_at <= now
    ):
        return ExportStatus.EXPIRED.value
    return export.status


# Downloading.


@dataclass(frozen=True)
class Download:
    """A ready export with its data key unwrapped: what ``chunks`` streams."""

    export_id: str
    object_key: str
    size: int
    sha256: str
    segment_size: int
    dek: bytes = field(repr=False)

    @property
    def filename(self) -> str:
        return f"export-{self.export_id}.zip"


def open_download(
    session: Session, *, keyring: MasterKeyring, export: Export, now: datetime
) -> Download:
    """The export, ready to stream; refused while it is being built (``NotReady``), when it
    failed (``Conflict``), and once expired, deleted or erased (``Gone``)."""
    status = status_of(export, now=now)
    if status in IN_FLIGHT:
        raise NotReady(f"the export is not ready yet (status: {status}); try again later")
    if status == ExportStatus.FAILED.value:
        raise Conflict(f"the export failed: {export.status_reason}; request a new one")
    if status == ExportStatus.EXPIRED.value:
        raise Gone("the export's download period has ended; request a new one")
    if status == ExportStatus.ERASED.value:
        raise Gone("the data subject was erased; the export was deleted with their data")
    if (
        status != ExportStatus.READY.value
        or export.object_key is None
        or export.wrapped_dek is None
        or export.key_id is None
        or export.size_bytes is None
        or export.segment_size is None
        or export.sha256 is None
    ):
        raise Gone("the export is no longer available; request a new one")
    kek = keys.open_key(session, keyring=keyring, key_id=export.key_id)
    dek = unwrap_key(_wrapping_key(kek), export.wrapped_dek, binding=binding(export.id))
    return Download(
        export_id=export.id,
        object_key=export.object_key,
        size=export.size_bytes,
        sha256=export.sha256,
        segment_size=export.segment_size,
        dek=dek,
    )


def chunks(store: BlobStore, download: Download) -> Iterator[bytes]:
    """The archive's plaintext, a segment at a time; every segment authenticated."""

    def read(offset: int, length: int) -> Iterator[bytes]:
        return store.get(download.object_key, start=offset, end=offset + length)

    return decrypt_range(
        read,
        key=download.dek,
        binding=binding(download.export_id),
        segment_size=download.segment_size,
        plaintext_size=download.size,
        start=0,
        end=download.size,
    )


# Building (the worker).


@dataclass(frozen=True)
class Claim:
    export_id: str
    attempt: int


def _rowcount(result: Any) -> int:
    return cast(CursorResult[Any], result).rowcount


def claim(
    session: Session, *, export_id: str, lease_seconds: int, max_attempts: int, now: datetime
) -> Claim | None:
    """Take the export to build, or None when there is nothing to do (built, failed, erased,
    or another worker's lease is alive). An export whose builds were interrupted
    ``max_attempts`` times is failed instead of tried again."""
    claimable = or_(
        Export.status == ExportStatus.QUEUED.value,
        and_(
            Export.status == ExportStatus.BUILDING.value,
            or_(Export.lease_until.is_(None), Export.lease_until < now),
        ),
    )
    result = session.execute(
        update(Export)
        .where(Export.id == export_id, claimable, Export.attempts < max_attempts)
        .values(
            status=ExportStatus.BUILDING.value,
            status_reason=None,
            lease_until=now + timedelta(seconds=lease_seconds),
            attempts=Export.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    row = session.get(Export, export_id, populate_existing=True)
    if row is None:
        return None
    if _rowcount(result) == 1:
        return Claim(export_id=export_id, attempt=row.attempts)
    stale = row.status == ExportStatus.QUEUED.value or (
        row.status == ExportStatus.BUILDING.value
        and (row.lease_until is None or row.lease_until < now)
    )
    if stale:
        row.status = ExportStatus.FAILED.value
        row.status_reason = (
            f"building the export was interrupted {row.attempts} times; "
            "it will not be tried again automatically: request a new export"
        )
        row.lease_until = None
    return None


def _held(claim: Claim) -> Any:
    return and_(
        Export.id == claim.export_id,
        Export.status == ExportStatus.BUILDING.value,
        Export.attempts == claim.attempt,
    )


class _Lease:
    """Renews the claim every so often while the archive is written; raises if it was lost."""

    def __init__(self, vault: Vault, claim: Claim, now: datetime | None) -> None:
        self._vault = vault
        self._claim = claim
        self._offset = (now - _utcnow()) if now is not None else timedelta(0)
        settings = vault.settings
        self._every = max(
            0.2, min(settings.task_lease_seconds / 4, settings.progress_every_seconds)
        )
        self._last = time.monotonic()

    def __call__(self) -> None:
        if time.monotonic() - self._last < self._every:
            return
        self._last = time.monotonic()
        now = _utcnow() + self._offset
        with transaction(self._vault.factory) as session:
            result = session.execute(
                update(Export)
                .where(_held(self._claim))
                .values(
                    lease_until=now + timedelta(seconds=self._vault.settings.task_lease_seconds)
                )
                .execution_options(synchronize_session=False)
            )
        if _rowcount(result) != 1:
            raise Superseded


@dataclass(frozen=True)
class _Plan:
    source: _contents.Source
    kek: bytes = field(repr=False)
    key_id: str
    request_ref: str


def _plan(vault: Vault, claim: Claim, keep_alive: Callable[[], None]) -> _Plan:
    with vault.factory() as session:
        export = get(session, export_id=claim.export_id)
        subject = session.get(Subject, export.subject_id)
        if subject is None or subject.erased_at is not None:
            raise KeyDestroyed("the data subject was erased")
        details = subjects.read_details(session, keyring=vault.keyring, subject=subject)
        kek = keys.open_key(session, keyring=vault.keyring, key_id=subject.key_id)
        recordings = list(
            session.scalars(
                select(Recording.id)
                .where(Recording.subject_id == subject.id)
                .order_by(Recording.started_at, Recording.id)
            )
        )
        exports = list(session.scalars(select(Export.id).where(Export.subject_id == subject.id)))
        until = session.scalar(select(func.max(AuditEntry.seq))) or 0
        source = _contents.Source(
            factory=vault.factory,
            store=vault.store,
            keyring=vault.keyring,
            export_id=export.id,
            created_at=export.created_at,
            subject_id=subject.id,
            details=details,
            subscription_ended_at=subject.subscription_ended_at,
            recording_ids=recordings,
            history_ids=[subject.id, *recordings, *exports],
            history_until=until,
            texts=summary.load_texts(vault.settings.export_texts_file),
            keep_alive=keep_alive,
        )
        return _Plan(source, kek, subject.key_id, reference_of(session, export))


@dataclass(frozen=True)
class _Sealed:
    object_key: str
    size: int
    sha256: str
    files: int
    dek: bytes = field(repr=False)


def _write(vault: Vault, plan: _Plan, key: str) -> _Sealed:
    dek = generate_data_key()
    segment_size = vault.settings.segment_size
    written = _contents.Written()
    reader = EncryptingReader(
        _contents.archive(plan.source, written),
        key=dek,
        binding=binding(plan.source.export_id),
        segment_size=segment_size,
    )
    with reader:
        vault.store.put(key, io.BufferedReader(reader, buffer_size=segment_size))
        return _Sealed(key, reader.plaintext_size, reader.sha256, written.files, dek)


def _commit(vault: Vault, claim: Claim, plan: _Plan, sealed: _Sealed, now: datetime) -> None:
    """Record the export ``ready`` with its audit entry, if the claim and the subject hold."""
    settings = vault.settings
    with transaction(vault.factory) as session:
        # The subject first, as erasure locks it: an erasure running now waits, or has won.
        subject = session.scalars(
            select(Subject).where(Subject.id == plan.source.subject_id).with_for_update()
        ).one()
        session.refresh(subject)
        if subject.erased_at is not None:
            raise KeyDestroyed("the data subject was erased")
        wrapped = wrap_key(
            _wrapping_key(plan.kek), sealed.dek, binding=binding(plan.source.export_id)
        )
        result = session.execute(
            update(Export)
            .where(_held(claim))
            .values(
                status=ExportStatus.READY.value,
                status_reason=None,
                lease_until=None,
                ready_at=now,
                expires_at=now + timedelta(hours=settings.export_download_hours),
                delete_after=now + timedelta(hours=settings.export_keep_hours),
                object_key=sealed.object_key,
                key_id=plan.key_id,
                wrapped_dek=wrapped,
                segment_size=settings.segment_size,
                size_bytes=sealed.size,
                sha256=sealed.sha256,
                file_count=sealed.files,
            )
            .execution_options(synchronize_session=False)
        )
        if _rowcount(result) != 1:
            raise Superseded
        audit.record(
            session,
            event=audit.AuditEvent(
                actor=ACTOR,
                action=BUILT,
                resource_type="export",
                resource_id=claim.export_id,
                outcome="allowed",
                detail=f"request_ref={plan.request_ref}",
            ),
            signer=vault.signer,
            checkpoint_every=settings.audit_checkpoint_every,
            now=now,
        )


def _discard(vault: Vault, key: str) -> None:
    """Delete what this attempt wrote; a store that fails leaves it to the deletion queue."""
    try:
        vault.store.delete(key)
        return
    except StorageError:
        log.warning("could not delete an unfinished export's object; it is queued for deletion")
    try:
        with transaction(vault.factory) as session:
            erasure.queue_deletion(session, object_keys=[key])
    except OperationalError:
        log.error("could not queue an unfinished export's object for deletion")


def _end(vault: Vault, claim: Claim, *, status: ExportStatus, reason: str | None) -> None:
    """Fail the build, or give the export back to the queue; only while the claim holds."""
    with transaction(vault.factory) as session:
        session.execute(
            update(Export)
            .where(_held(claim))
            .values(status=status.value, status_reason=reason, lease_until=None)
            .execution_options(synchronize_session=False)
        )


def _earlier_attempts(vault: Vault, export_id: str, keep: str) -> None:
    """Objects of earlier attempts that died before recording theirs: unreadable (their data
    key was never stored), and deleted now."""
    for key in list(vault.store.keys(object_prefix(export_id))):
        if key != keep:
            vault.store.delete(key)


def build(vault: Vault, export_id: str, *, now: datetime | None = None) -> Outcome:
    """Build the export if it needs building. Idempotent: run twice, it builds once.

    Raises the ``TRANSIENT`` errors after giving the export back to the queue, for the caller
    to retry; any other error fails the export with a plain reason and deletes what was
    written. ``now`` fixes the clock (tests).
    """
    settings = vault.settings
    with transaction(vault.factory) as session:
        taken = claim(
            session,
            export_id=export_id,
            lease_seconds=settings.task_lease_seconds,
            max_attempts=settings.task_max_retries + 1,
            now=now or _utcnow(),
        )
    if taken is None:
        log.info("no export to build", extra={"export_id": export_id})
        return Outcome.SKIPPED
    log.info("export build started", extra={"export_id": export_id, "attempt": taken.attempt})
    key = object_key(export_id, taken.attempt)
    try:
        _earlier_attempts(vault, export_id, keep=key)
        plan = _plan(vault, taken, _Lease(vault, taken, now))
        sealed = _write(vault, plan, key)
        _commit(vault, taken, plan, sealed, now or _utcnow())
    except Superseded:
        _discard(vault, key)
        log.warning("export claim lost", extra={"export_id": export_id})
        return Outcome.SKIPPED
    except TRANSIENT:
        _discard(vault, key)
        _end(vault, taken, status=ExportStatus.QUEUED, reason=None)
        raise
    except KeyDestroyed:
        _discard(vault, key)
        _end(
            vault,
            taken,
            status=ExportStatus.FAILED,
            reason="the data subject was erased while the export was being built",
        )
        return Outcome.FAILED
    except Exception as error:
        # Its message might quote stored data: the log gets it, the export row a plain reason.
        log.error("export build failed", extra={"export_id": export_id}, exc_info=error)
        _discard(vault, key)
        _end(
            vault,
            taken,
            status=ExportStatus.FAILED,
            reason=f"building the export failed ({type(error).__name__}); the error was logged",
        )
        return Outcome.FAILED
    log.info(
        "export built",
        extra={"export_id": export_id, "files": sealed.files, "bytes": sealed.size},
    )
    return Outcome.BUILT


def give_up(vault: Vault, *, export_id: str, attempts: int) -> None:
    """After the last retry of a transient error: a failed export with a plain reason."""
    with transaction(vault.factory) as session:
        session.execute(
            update(Export)
            .where(Export.id == export_id, Export.status.in_(IN_FLIGHT))
            .values(
                status=ExportStatus.FAILED.value,
                status_reason=(
                    f"gave up after {attempts} attempts: the storage or database was unreachable"
                ),
                lease_until=None,
            )
            .execution_options(synchronize_session=False)
        )


# Housekeeping.


@dataclass(frozen=True)
class Swept:
    expired: int
    """Exports deleted from the store past their ``delete_after``."""
    requeued: int
    """Exports enqueued again because they waited too long or their worker died."""


def requeue(vault: Vault, *, now: datetime, enqueue: Callable[[str], None]) -> int:
    """Enqueue again the exports no worker is building: queued for longer than
    ``stuck_after_seconds`` (the queue was down when they were asked for), or building under
    a lease that ran out (the worker died). For a queued export ``lease_until`` says when it
    may be enqueued again, so that one waiting in a busy queue is not sent over and over."""
    stuck = timedelta(seconds=vault.settings.stuck_after_seconds)
    with transaction(vault.factory) as session:
        due = list(
            session.scalars(
                select(Export)
                .where(
                    or_(
                        and_(
                            Export.status == ExportStatus.QUEUED.value,
                            or_(
                                and_(
                                    Export.lease_until.is_(None), Export.created_at <= now - stuck
                                ),
                                Export.lease_until <= now,
                            ),
                        ),
                        and_(
                            Export.status == ExportStatus.BUILDING.value,
                            Export.lease_until < now,
                        ),
                    )
                )
                .order_by(Export.created_at)
                .limit(500)
            )
        )
        for row in due:
            row.status = ExportStatus.QUEUED.value
            row.lease_until = now + stuck
        ids = [row.id for row in due]
    sent = 0
    for export_id in ids:
        try:
            enqueue(export_id)
        except Exception:
            log.warning("could not enqueue an export", extra={"export_id": export_id})
            break
        sent += 1
    if sent:
        log.info("re-enqueued exports", extra={"count": sent})
    return sent


def sweep(vault: Vault, *, now: datetime, enqueue: Callable[[str], None] | None = None) -> Swept:
    """Delete the exports past their ``delete_after`` (status ``expired``, object fields
    cleared, objects deleted after the commit), and with ``enqueue`` send stuck ones again."""
    expired = 0
    while True:
        with transaction(vault.factory) as session:
            rows = list(
                session.scalars(
                    select(Export)
                    .where(
                        Export.status == ExportStatus.READY.value,
                        Export.delete_after <= now,
                    )
                    .order_by(Export.delete_after)
                    .limit(200)
                )
            )
            erasure.queue_deletion(
                session, object_keys=[row.object_key for row in rows if row.object_key]
            )
            for row in rows:
                row.status = ExportStatus.EXPIRED.value
                row.status_reason = "deleted at the end of its keeping period"
                row.object_key = None
                row.wrapped_dek = None
                row.key_id = None
        expired += len(rows)
        if len(rows) < 200:
            break
    if expired:
        erasure.purge_pending(vault.store, vault.factory)
        log.info("expired exports deleted", extra={"count": expired})
    requeued = requeue(vault, now=now, enqueue=enqueue) if enqueue is not None else 0
    return Swept(expired=expired, requeued=requeued)
