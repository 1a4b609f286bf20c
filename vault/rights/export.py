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

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from models.exports import ExportStatus
from models.rights import Kind
from models.tables import Export, RightsRequest, Subject
from vault.crypto.stream import decrypt_range
from vault.crypto.wrap import unwrap_key
from vault.db import transaction
from vault.errors import Conflict, Gone, KeyDestroyed, NotFound, NotReady
from vault.keys import service as keys
from vault.keys.keyring import MasterKeyring
from vault.rights import erasure
from vault.rights import requests as register
from vault.rights._build import (
    ACTOR,
    BUILT,
    IN_FLIGHT,
    TRANSIENT,
    Claim,
    Outcome,
    Superseded,
    binding,
    build,
    claim,
    give_up,
    object_key,
    object_prefix,
    wrapping_key,
)
from vault.runtime import Vault
from vault.storage.base import BlobStore

__all__ = [
    "ACTOR",
    "BUILT",
    "TRANSIENT",
    "Claim",
    "Download",
    "Outcome",
    "Superseded",
    "Swept",
    "build",
    "chunks",
    "claim",
    "get",
    "give_up",
    "object_key",
    "object_prefix",
    "open_download",
    "reference_of",
    "request_export",
    "requeue",
    "status_of",
    "sweep",
]

log = logging.getLogger(__name__)

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
    dek = unwrap_key(wrapping_key(kek), export.wrapped_dek, binding=binding(export.id))
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
