"""Upload: stream, check, encrypt and store a call, then record it. One unit of work.

Unlike the other services this one owns its transaction: it spans the blob store and the database,
and only it knows how to undo the object it wrote when anything after the write fails. The order
is DESIGN.md's: the object is complete in the store before the row is committed, and the caller
enqueues work only after ``ingest`` returns.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models.base import new_id
from models.schemas import Channels, Status, UploadMetadata
from models.tables import Recording
from vault.audio import SNIFF_BYTES, AudioInfo, NotAudio, probe, sniff
from vault.auth.policy import Grant, Scope
from vault.auth.roles import Principal
from vault.config import Settings
from vault.db import transaction
from vault.errors import Conflict, Forbidden, InvalidInput, TooLarge
from vault.keys import service as keys
from vault.keys.keyring import MasterKeyring
from vault.recordings import blobs
from vault.storage.base import BlobStore
from vault.subjects import service as subjects
from vault.subjects.service import SubjectDetails

log = logging.getLogger(__name__)

ORIGINAL = "original"


@dataclass(frozen=True)
class IngestResult:
    recording: Recording
    created: bool


def resolve_agent(metadata: UploadMetadata, *, uploader: Principal, grant: Grant) -> str:
    """The agent a call belongs to: an agent uploads only their own calls."""
    if grant.scope is Scope.OWN:
        if metadata.agent_id not in (None, uploader.user):
            raise Forbidden("an agent may upload only their own calls (agent_id must be yours)")
        return uploader.user
    if metadata.agent_id is None:
        raise InvalidInput("metadata.agent_id is required for uploads by a service")
    return metadata.agent_id


def check_metadata(metadata: UploadMetadata, *, now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    if metadata.started_at > now + timedelta(days=1):
        raise InvalidInput("metadata.started_at lies in the future")


def _guard(chunks: Iterable[bytes], *, limit: int) -> Iterator[bytes]:
    """Pass the body through, refusing non-audio at its first bytes and anything over ``limit``."""
    head = b""
    total = 0
    sniffed = False
    for chunk in chunks:
        if not chunk:
            continue
        total += len(chunk)
        if total > limit:
            raise TooLarge(f"the file exceeds the upload limit of {limit} bytes")
        if sniffed:
            yield chunk
            continue
        head += chunk
        if len(head) >= SNIFF_BYTES:
            _sniff_or_refuse(head)
            sniffed = True
            yield head
            head = b""
    if not sniffed:
        if not head:
            raise InvalidInput("the file is empty")
        _sniff_or_refuse(head)
        yield head


def _sniff_or_refuse(head: bytes) -> None:
    if sniff(head) is None:
        raise NotAudio("the file is not a recognised audio format (WAV, MP3, Ogg, FLAC, M4A…)")


def _check_layout(metadata: UploadMetadata, info: AudioInfo) -> None:
    if metadata.channels is not Channels.MONO and info.channels != 2:
        raise InvalidInput(
            f"metadata.channels is {metadata.channels.value} but the file has "
            f"{info.channels} channel(s); a stereo recording is needed"
        )


def ingest(
    *,
    factory: sessionmaker[Session],
    store: BlobStore,
    keyring: MasterKeyring,
    settings: Settings,
    uploader: Principal,
    grant: Grant,
    chunks: Iterable[bytes],
    metadata: Callable[[], UploadMetadata],
) -> IngestResult:
    """Store one uploaded call. ``metadata`` is called once the body has been read.

    Raises NotAudio, InvalidInput (bad metadata or audio), TooLarge, Forbidden, Conflict (the
    call id is taken by different audio) or StorageUnavailable; in every case neither an object
    nor a row is left behind.
    """
    recording_id = new_id()
    sealed = blobs.write(
        store,
        recording_id=recording_id,
        variant=ORIGINAL,
        chunks=_guard(chunks, limit=settings.max_upload_bytes),
        segment_size=settings.segment_size,
    )
    try:
        result = _record(
            factory=factory,
            store=store,
            keyring=keyring,
            uploader=uploader,
            grant=grant,
            sealed=sealed,
            metadata=metadata(),
        )
    except BaseException:
        store.delete(sealed.object_key)
        raise
    if not result.created:
        store.delete(sealed.object_key)
    log.info(
        "recording stored",
        extra={
            "recording_id": result.recording.id,
            "new_recording": result.created,
            "size_bytes": sealed.plaintext_size,
        },
    )
    return result


def _record(
    *,
    factory: sessionmaker[Session],
    store: BlobStore,
    keyring: MasterKeyring,
    uploader: Principal,
    grant: Grant,
    sealed: blobs.SealedObject,
    metadata: UploadMetadata,
) -> IngestResult:
    agent_id = resolve_agent(metadata, uploader=uploader, grant=grant)
    check_metadata(metadata)
    opened = blobs.OpenObject.of(sealed, content_type="application/octet-stream")
    with blobs.reader(store, opened) as audio:
        info = probe(audio, size=sealed.plaintext_size)
    _check_layout(metadata, info)
    for _attempt in range(3):
        with transaction(factory) as session:
            existing = _existing(session, metadata.call_id, sealed.sha256)
            if existing is not None:
                return IngestResult(existing, created=False)
            try:
                with session.begin_nested():
                    recording = _insert(
                        session,
                        keyring=keyring,
                        uploader=uploader,
                        agent_id=agent_id,
                        sealed=sealed,
                        metadata=metadata,
                        info=info,
                    )
            except IntegrityError:
                continue  # another upload of the same call won the race: look again
            return IngestResult(recording, created=True)
    raise Conflict("the call is being uploaded concurrently; try again")


def _existing(session: Session, call_id: str, sha256: str) -> Recording | None:
    recording = session.scalars(select(Recording).where(Recording.call_id == call_id)).first()
    if recording is not None and recording.sha256 != sha256:
        raise Conflict("this call_id is already stored with different audio")
    return recording


def _insert(
    session: Session,
    *,
    keyring: MasterKeyring,
    uploader: Principal,
    agent_id: str,
    sealed: blobs.SealedObject,
    metadata: UploadMetadata,
    info: AudioInfo,
) -> Recording:
    subject_id: str | None = None
    if metadata.subject is not None:
        subject, kek = subjects.find_or_create(
            session,
            keyring=keyring,
            details=SubjectDetails(**metadata.subject.model_dump()),
        )
        subject_id, key_id = subject.id, subject.key_id
    else:
        key_row, kek = keys.create_key(session, keyring=keyring, purpose="recording")
        key_id = key_row.id
    recording = Recording(
        id=sealed.recording_id,
        call_id=metadata.call_id,
        agent_id=agent_id,
        uploaded_by=uploader.user,
        started_at=metadata.started_at,
        direction=metadata.direction.value,
        queue=metadata.queue,
        language=metadata.language,
        channels=metadata.channels.value,
        subject_id=subject_id,
        key_id=key_id,
        status=Status.STORED.value,
        media_format=info.format,
        codec=info.codec,
        sample_rate=info.sample_rate,
        channel_count=info.channels,
        duration_seconds=info.duration_seconds,
        size_bytes=sealed.plaintext_size,
        sha256=sealed.sha256,
    )
    session.add(recording)
    session.flush()
    blobs.record(
        session, sealed=sealed, key_id=key_id, kek=kek, content_type=_content_type(info.format)
    )
    session.flush()
    return recording


_CONTENT_TYPES = {
    "wav": "audio/wav",
    "mp3": "audio/mpeg",
    "ogg": "audio/ogg",
    "flac": "audio/flac",
    "m4a": "audio/mp4",
    "webm": "audio/webm",
    "mka": "audio/x-matroska",
    "amr": "audio/amr",
    "aiff": "audio/aiff",
    "caf": "audio/x-caf",
}


def _content_type(fmt: str) -> str:
    return _CONTENT_TYPES.get(fmt, "application/octet-stream")
