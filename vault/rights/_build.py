"""Building an export (the worker's side): claim, stream the archive into the store, commit.

The export is claimed with a conditional update and a lease (renewed while the archive is
written), so that two workers never build it together and a dead worker's export is taken
over. Each attempt writes its own object; the row becomes ``ready`` with the wrapped data key
and the audit entry in one transaction, only if the claim still holds and the subject was not
erased meanwhile. Anything else deletes what the attempt wrote.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import CursorResult, and_, func, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from models.exports import ExportStatus
from models.tables import AuditEntry, Export, Recording, RightsRequest, Subject
from vault.audit import service as audit
from vault.crypto.stream import EncryptingReader, generate_data_key
from vault.crypto.wrap import wrap_key
from vault.db import transaction
from vault.errors import KeyDestroyed, NotFound
from vault.keys import service as keys
from vault.rights import _contents, erasure, summary
from vault.runtime import Vault
from vault.storage.base import StorageError, StorageUnavailable
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


def wrapping_key(kek: bytes) -> bytes:
    return keys.derive(kek, purpose=b"export key wrap")


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
        export = session.get(Export, claim.export_id)
        if export is None:
            raise NotFound("no such export")
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
        reference = session.scalar(
            select(RightsRequest.reference).where(RightsRequest.id == export.request_id)
        )
        return _Plan(source, kek, subject.key_id, reference or "")


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
            wrapping_key(plan.kek), sealed.dek, binding=binding(plan.source.export_id)
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
