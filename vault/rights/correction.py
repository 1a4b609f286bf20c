"""Correction (KVKK Art. 11): a subject's details, a recording's metadata or its transcript,
each with a reason and the request it answers, keeping the earlier version.

- Subject details: the earlier details stay sealed under the subject's key in the correction.
- Recording metadata: the earlier values, sealed under the recording's key the same way.
- Transcript: the earlier raw transcript is kept as the variant ``transcript-earlier.<n>``; the
  corrected one replaces ``transcript-raw``, and the recording goes back to ``stored`` so that
  the worker redacts it again (it finds the raw transcript and does not transcribe anew). Until
  then it is out of the search index and hidden from the quality team: a corrected sentence may
  hold personal data the earlier redaction never saw. Corrected segments lose their word times,
  so anything found in them is silenced for the whole segment.

Erasure shreds all of it: the sealed values are cleared and the kept variants are blobs of the
recording. Reasons are redacted before they are stored.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.schemas import Direction, Segment, Status, Transcript
from models.tables import Blob, Correction, Recording, RightsRequest, Subject
from vault.db import lock_for_write
from vault.errors import Conflict, InvalidInput, KeyDestroyed, VaultError
from vault.keys import service as keys
from vault.keys.keyring import MasterKeyring
from vault.recordings import blobs
from vault.rights._text import redacted
from vault.search import service as search
from vault.storage.base import BlobStore
from vault.subjects import service as subjects
from vault.transcription import store as transcripts

ARCHIVED = "transcript-earlier.{n}"
METADATA_FIELDS = ("agent_id", "started_at", "direction", "queue", "language")


@dataclass(frozen=True)
class TranscriptEdit:
    """New text for one segment of the raw transcript, by its position."""

    index: int
    text: str


def _reason(reason: str) -> str:
    text = redacted(reason, what="reason")
    if not text:
        raise InvalidInput("a correction needs a reason")
    return text


def correct_subject(
    session: Session,
    *,
    keyring: MasterKeyring,
    subject: Subject,
    request: RightsRequest,
    reason: str,
    actor: str,
    now: datetime,
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
) -> Correction:
    if name is None and phone is None and email is None:
        raise InvalidInput("say what to correct: name, phone or email")
    previous, changed = subjects.correct(
        session, keyring=keyring, subject=subject, name=name, phone=phone, email=email
    )
    row = Correction(
        request_id=request.id,
        target="subject",
        subject_id=subject.id,
        fields=json.dumps(changed),
        reason=_reason(reason),
        previous=previous,
        actor=actor,
        at=now,
    )
    session.add(row)
    session.flush()
    return row


# Earlier metadata values, sealed under the recording's key.


def _metadata_key(kek: bytes) -> bytes:
    return keys.derive(kek, purpose=b"corrected metadata")


def _seal(kek: bytes, recording_id: str, values: dict[str, Any]) -> bytes:
    nonce = os.urandom(12)
    body = json.dumps(values, default=str).encode()
    return nonce + AESGCM(_metadata_key(kek)).encrypt(nonce, body, recording_id.encode())


def _open(kek: bytes, recording_id: str, sealed: bytes) -> dict[str, Any]:
    try:
        body = AESGCM(_metadata_key(kek)).decrypt(sealed[:12], sealed[12:], recording_id.encode())
    except InvalidTag:
        raise VaultError(
            f"correction of {recording_id}: sealed values failed authentication"
        ) from None
    values: dict[str, Any] = json.loads(body)
    return values


def _live(recording: Recording) -> None:
    if recording.status == Status.ERASED.value:
        raise KeyDestroyed("this recording was erased")


def _locked(session: Session, recording: Recording) -> Recording:
    """The recording re-read under its subject's and its own lock (the order erasure locks
    in), so that an erasure runs wholly before this correction (which then refuses) or after."""
    lock_for_write(session)
    if recording.subject_id is not None:
        session.execute(
            select(Subject.id).where(Subject.id == recording.subject_id).with_for_update()
        ).all()
    row = session.scalars(
        select(Recording)
        .where(Recording.id == recording.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    _live(row)
    return row


def correct_metadata(
    session: Session,
    *,
    keyring: MasterKeyring,
    recording: Recording,
    request: RightsRequest,
    reason: str,
    actor: str,
    now: datetime,
    changes: dict[str, Any],
) -> Correction:
    """Change the recording's call metadata (agent, start time, direction, queue, language)."""
    recording = _locked(session, recording)
    unknown = sorted(set(changes) - set(METADATA_FIELDS))
    if unknown:
        raise InvalidInput(f"these fields cannot be corrected: {', '.join(unknown)}")
    changed = {k: v for k, v in changes.items() if v is not None and getattr(recording, k) != v}
    if not changed:
        raise InvalidInput("nothing to correct: the values given are the current ones")
    if "direction" in changed:
        changed["direction"] = Direction(changed["direction"]).value
    kek = keys.open_key(session, keyring=keyring, key_id=recording.key_id)
    earlier = {k: getattr(recording, k) for k in changed}
    row = Correction(
        request_id=request.id,
        target="recording",
        subject_id=recording.subject_id,
        recording_id=recording.id,
        fields=json.dumps(sorted(changed)),
        reason=_reason(reason),
        previous=_seal(kek, recording.id, earlier),
        actor=actor,
        at=now,
    )
    for name, value in changed.items():
        setattr(recording, name, value)
    recording.updated_at = now
    session.add(row)
    session.flush()
    return row


def earlier_values(
    session: Session, *, keyring: MasterKeyring, correction: Correction
) -> dict[str, Any] | None:
    """What a correction of details or metadata replaced, opened; None for a transcript
    (its earlier version is a variant) or once erasure shredded it."""
    if correction.previous is None:
        return None
    if correction.target == "subject" and correction.subject_id is not None:
        subject = session.get(Subject, correction.subject_id)
        if subject is None or subject.erased_at is not None:
            return None
        details = subjects.open_sealed(
            session, keyring=keyring, subject=subject, sealed=correction.previous
        )
        changed = set(json.loads(correction.fields))
        return {k: getattr(details, k) for k in ("name", "phone", "email") if k in changed}
    if correction.target == "recording":
        return earlier_metadata(session, keyring=keyring, correction=correction)
    return None


def earlier_metadata(
    session: Session, *, keyring: MasterKeyring, correction: Correction
) -> dict[str, Any] | None:
    """What a metadata correction replaced, or None once erasure shredded it."""
    if correction.previous is None or correction.recording_id is None:
        return None
    recording = session.get(Recording, correction.recording_id)
    if recording is None or recording.status == Status.ERASED.value:
        return None
    kek = keys.open_key(session, keyring=keyring, key_id=recording.key_id)
    return _open(kek, recording.id, correction.previous)


def correct_transcript(
    session: Session,
    *,
    store: BlobStore,
    keyring: MasterKeyring,
    recording: Recording,
    request: RightsRequest,
    reason: str,
    actor: str,
    now: datetime,
    edits: list[TranscriptEdit],
    segment_size: int,
) -> tuple[Correction, list[str]]:
    """Replace segments' text in the raw transcript and send the call to be redacted again.

    Returns the correction and the object keys to delete after the commit (the replaced raw
    transcript's object: its content lives on, re-sealed, as the archived variant). The caller
    enqueues the recording once committed.
    """
    recording = _locked(session, recording)
    if recording.status not in (Status.READY.value, Status.FAILED.value):
        raise Conflict(
            f"the transcript can be corrected once the call is processed (status: "
            f"{recording.status})"
        )
    if not edits:
        raise InvalidInput("say which segments to correct")
    current = transcripts.read(session, store=store, keyring=keyring, recording=recording)
    segments = list(current.segments)
    for edit in edits:
        if not 0 <= edit.index < len(segments):
            raise InvalidInput(f"segment {edit.index} does not exist in this transcript")
        if not edit.text.strip():
            raise InvalidInput(f"segment {edit.index} cannot be corrected to nothing")
        old = segments[edit.index]
        segments[edit.index] = Segment(
            start=old.start, end=old.end, speaker=old.speaker, text=edit.text.strip(), words=[]
        )
    corrected = Transcript(
        language=current.language,
        duration=current.duration,
        text=" ".join(s.text for s in segments),
        segments=segments,
    )
    kek = keys.open_key(session, keyring=keyring, key_id=recording.key_id)
    archived = ARCHIVED.format(n=_archives(session, recording.id) + 1)
    written: list[blobs.SealedObject] = []
    try:
        written.append(
            blobs.write(
                store,
                recording_id=recording.id,
                variant=archived,
                chunks=[current.model_dump_json().encode()],
                segment_size=segment_size,
            )
        )
        written.append(
            blobs.write(
                store,
                recording_id=recording.id,
                variant=transcripts.RAW,
                key=f"{blobs.object_key(recording.id, transcripts.RAW)}.c{now:%Y%m%d%H%M%S%f}",
                chunks=[corrected.model_dump_json().encode()],
                segment_size=segment_size,
            )
        )
        blobs.record(
            session,
            sealed=written[0],
            key_id=recording.key_id,
            kek=kek,
            content_type="application/json",
        )
        replaced = blobs.replace(
            session,
            sealed=written[1],
            key_id=recording.key_id,
            kek=kek,
            content_type="application/json",
        )
        row = Correction(
            request_id=request.id,
            target="transcript",
            subject_id=recording.subject_id,
            recording_id=recording.id,
            fields=json.dumps([f"segments[{e.index}]" for e in sorted(edits, key=_by_index)]),
            reason=_reason(reason),
            previous_variant=archived,
            actor=actor,
            at=now,
        )
        session.add(row)
        search.remove(session, recording_id=recording.id)
        recording.status = Status.STORED.value
        recording.status_reason = "being redacted again after a correction"
        recording.progress = None
        recording.attempts = 0
        recording.updated_at = now
        session.flush()
    except BaseException:
        for sealed in written:
            store.delete(sealed.object_key)
        raise
    return row, [replaced] if replaced is not None else []


def _by_index(edit: TranscriptEdit) -> int:
    return edit.index


def _archives(session: Session, recording_id: str) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Blob)
            .where(Blob.recording_id == recording_id, Blob.variant.like("transcript-earlier.%"))
        )
        or 0
    )


def earlier_transcript(
    session: Session,
    *,
    store: BlobStore,
    keyring: MasterKeyring,
    recording: Recording,
    correction: Correction,
) -> Transcript:
    """The raw transcript as it was before ``correction``."""
    if correction.previous_variant is None:
        raise InvalidInput("this correction did not change a transcript")
    _live(recording)
    return transcripts.read(
        session,
        store=store,
        keyring=keyring,
        recording=recording,
        variant=correction.previous_variant,
    )


def for_subject(session: Session, *, subject_id: str) -> list[Correction]:
    return list(
        session.scalars(
            select(Correction)
            .where(Correction.subject_id == subject_id)
            .order_by(Correction.at, Correction.id)
        )
    )
