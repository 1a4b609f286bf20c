"""What goes into a subject's export, written member by member into a streamed ZIP.

The archive::

    subject.json                      the subject's details
    recordings/<id>/original.<ext>    each call's stored original, byte for byte (stored)
    recordings/<id>/metadata.json     call id, agent, times, media, status
    recordings/<id>/transcript.{raw,redacted}.{json,txt}   when the call has them
    recordings/<id>/transcript.earlier-<n>.{json,txt}      a transcript before a correction
    corrections.json                  every correction: when, what, why, what it replaced
    access-history.json               every audit entry about the subject, its calls, its exports
    summary.tr.txt, summary.en.txt    what is held, why, for whom, how long; the counts
    manifest.json                     every other member's path, size and SHA-256

Audio streams from the decrypting reader a segment at a time; the access history is read in
pages; nothing but a transcript (bounded) is held whole.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.schemas import Segment, Status, Transcript
from models.tables import AuditEntry, Blob, Recording, RightsRequest
from vault.errors import NotReady
from vault.keys.keyring import MasterKeyring
from vault.recordings import blobs
from vault.rights import correction, summary
from vault.rights._zip import ZipStream
from vault.storage.base import BlobStore
from vault.subjects.service import SubjectDetails
from vault.transcription import store as transcripts

HISTORY_PAGE = 500
ORIGINAL = "original"
_EXTENSION = re.compile(r"[a-z0-9]{1,8}")
_TRANSCRIPTS = (("raw", transcripts.RAW), ("redacted", transcripts.REDACTED))
EARLIER = correction.ARCHIVED.format(n="")
EARLIER_PATTERN = EARLIER + "%"


@dataclass
class Source:
    """Everything the archive is made from; ids and handles, read as the archive is written."""

    factory: sessionmaker[Session]
    store: BlobStore
    keyring: MasterKeyring
    export_id: str
    created_at: datetime
    subject_id: str
    details: SubjectDetails = field(repr=False)
    subscription_ended_at: datetime | None
    recording_ids: list[str]
    """The subject's calls, oldest first; erased ones are skipped as the archive is written."""
    history_ids: list[str]
    """Resources whose audit entries make up the access history: subject, calls, exports."""
    history_until: int
    """The last audit entry to include: the log's tip when the build began."""
    texts: dict[str, summary.Texts]
    keep_alive: Callable[[], None]
    """Called between pieces of work: renews the build's claim, raises if it was lost."""


@dataclass
class Written:
    """What the archive turned out to hold, known once it has been written to its end."""

    files: int = 0
    recordings: int = 0
    first_call: datetime | None = None
    last_call: datetime | None = None
    accesses: int = 0
    denied: int = 0


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str).encode() + b"\n"


def archive(source: Source, written: Written) -> Iterator[bytes]:
    """The ZIP's bytes, in order; ``written`` is filled in as it goes."""
    zip_ = ZipStream(modified=source.created_at)
    details = source.details
    yield from zip_.add(
        "subject.json",
        [
            _json(
                {
                    "subject_id": source.subject_id,
                    "customer_id": details.customer_id,
                    "name": details.name,
                    "phone": details.phone,
                    "email": details.email,
                    "subscription_ended_at": source.subscription_ended_at,
                }
            )
        ],
        compress=True,
    )
    for recording_id in source.recording_ids:
        source.keep_alive()
        yield from _recording(source, zip_, recording_id, written)
    yield from zip_.add("corrections.json", [_corrections(source)], compress=True)
    yield from zip_.add("access-history.json", _history(source, written), compress=True)
    facts = summary.Facts(
        export_id=source.export_id,
        created_at=source.created_at,
        recordings=written.recordings,
        first_call=written.first_call,
        last_call=written.last_call,
        accesses=written.accesses,
        denied=written.denied,
    )
    for lang in summary.LANGUAGES:
        text = summary.render(source.texts[lang], facts)
        yield from zip_.add(f"summary.{lang}.txt", [text.encode()], compress=True)
    manifest = {
        "export_id": source.export_id,
        "subject_id": source.subject_id,
        "created_at": source.created_at.isoformat(),
        "files": [{"path": m.path, "size": m.size, "sha256": m.sha256} for m in zip_.members],
    }
    yield from zip_.add("manifest.json", [_json(manifest)], compress=True)
    yield from zip_.close()
    written.files = len(zip_.members)


@dataclass
class _Call:
    started_at: datetime
    metadata: dict[str, Any]
    original: blobs.OpenObject | None
    extension: str
    transcripts: dict[str, bytes]


def _open_call(source: Source, recording_id: str) -> _Call | None:
    """The call's metadata and its objects opened (keys unwrapped); None if it is gone."""
    with source.factory() as session:
        recording = session.get(Recording, recording_id)
        if (
            recording is None
            or recording.subject_id != source.subject_id
            or recording.status == Status.ERASED.value
        ):
            return None
        opened: dict[str, blobs.OpenObject] = {}
        earlier = session.scalars(
            select(Blob.variant)
            .where(Blob.recording_id == recording.id, Blob.variant.like(EARLIER_PATTERN))
            .order_by(Blob.variant)
        ).all()
        for variant in (ORIGINAL, transcripts.RAW, transcripts.REDACTED, *earlier):
            try:
                opened[variant] = blobs.open_variant(
                    session, keyring=source.keyring, recording=recording, variant=variant
                )
            except NotReady:
                continue
        extension = recording.media_format.lower()
        if not _EXTENSION.fullmatch(extension):
            extension = "bin"
        metadata: dict[str, Any] = {
            "recording_id": recording.id,
            "call_id": recording.call_id,
            "agent_id": recording.agent_id,
            "started_at": recording.started_at.isoformat(),
            "direction": recording.direction,
            "queue": recording.queue,
            "language": recording.language,
            "channels": recording.channels,
            "media": {
                "format": recording.media_format,
                "codec": recording.codec,
                "sample_rate": recording.sample_rate,
                "channel_count": recording.channel_count,
                "duration_seconds": recording.duration_seconds,
                "size_bytes": opened[ORIGINAL].plaintext_size if ORIGINAL in opened else None,
            },
            "status": recording.status,
            "original": f"original.{extension}" if ORIGINAL in opened else None,
        }
        started_at = recording.started_at
    texts = {}
    names = [*_TRANSCRIPTS, *((_earlier_name(v), v) for v in opened if v.startswith(EARLIER))]
    for name, variant in names:
        if variant in opened:
            item = opened[variant]
            size = min(item.plaintext_size, transcripts.MAX_TRANSCRIPT_BYTES)
            texts[name] = b"".join(blobs.read_range(source.store, item, start=0, end=size))
    metadata["transcripts"] = sorted(texts)
    return _Call(started_at, metadata, opened.get(ORIGINAL), extension, texts)


def _earlier_name(variant: str) -> str:
    """``transcript-earlier.2`` → ``earlier-2``: a transcript as it was before a correction."""
    return "earlier-" + variant.removeprefix(EARLIER)


def _corrections(source: Source) -> bytes:
    """Every correction of the subject's data: when, what, why, and what it replaced."""
    items = []
    with source.factory() as session:
        for row in correction.for_subject(session, subject_id=source.subject_id):
            request = session.get(RightsRequest, row.request_id)
            earlier_file = None
            if row.previous_variant is not None and row.recording_id is not None:
                name = _earlier_name(row.previous_variant)
                earlier_file = f"recordings/{row.recording_id}/transcript.{name}.json"
            items.append(
                {
                    "at": row.at.isoformat(),
                    "target": row.target,
                    "recording_id": row.recording_id,
                    "fields": json.loads(row.fields),
                    "reason": row.reason,
                    "request_ref": request.reference if request is not None else None,
                    "earlier": correction.earlier_values(
                        session, keyring=source.keyring, correction=row
                    ),
                    "earlier_transcript": earlier_file,
                }
            )
    return _json(items)


def _recording(
    source: Source, zip_: ZipStream, recording_id: str, written: Written
) -> Iterator[bytes]:
    call = _open_call(source, recording_id)
    if call is None:
        return
    started_at = call.started_at
    written.recordings += 1
    written.first_call = min(written.first_call or started_at, started_at)
    written.last_call = max(written.last_call or started_at, started_at)
    folder = f"recordings/{recording_id}"
    yield from zip_.add(f"{folder}/metadata.json", [_json(call.metadata)], compress=True)
    if call.original is not None:
        original = call.original
        yield from zip_.add(
            f"{folder}/original.{call.extension}",
            _kept_alive(
                source,
                blobs.read_range(source.store, original, start=0, end=original.plaintext_size),
            ),
            compress=False,
            size=original.plaintext_size,
        )
    for name, body in call.transcripts.items():
        yield from zip_.add(f"{folder}/transcript.{name}.json", [body], compress=True)
        text = readable(Transcript.model_validate_json(body).segments)
        yield from zip_.add(f"{folder}/transcript.{name}.txt", [text.encode()], compress=True)


def _kept_alive(source: Source, chunks: Iterator[bytes]) -> Iterator[bytes]:
    for chunk in chunks:
        source.keep_alive()
        yield chunk


def readable(segments: list[Segment]) -> str:
    """A transcript as lines ``[mm:ss] speaker: text``."""
    lines = []
    for segment in segments:
        seconds = max(0, int(segment.start))
        stamp = f"[{seconds // 60:02d}:{seconds % 60:02d}]"
        lines.append(f"{stamp} {segment.speaker.value}: {segment.text.strip()}")
    return "\n".join(lines) + ("\n" if lines else "")


def _history(source: Source, written: Written) -> Iterator[bytes]:
    """The audit entries about the subject, its calls and its exports, as a JSON array."""
    yield b"[\n"
    after = 0
    first = True
    while True:
        source.keep_alive()
        with source.factory() as session:
            rows = list(
                session.scalars(
                    select(AuditEntry)
                    .where(
                        AuditEntry.resource_id.in_(source.history_ids),
                        AuditEntry.seq > after,
                        AuditEntry.seq <= source.history_until,
                    )
                    .order_by(AuditEntry.seq)
                    .limit(HISTORY_PAGE)
                )
            )
        if not rows:
            break
        for row in rows:
            if row.outcome == "allowed":
                written.accesses += 1
            elif row.outcome == "denied":
                written.denied += 1
            entry = {
                "at": row.at.isoformat(),
                "actor": row.actor,
                "role": row.role,
                "action": row.action,
                "resource_type": row.resource_type,
                "resource_id": row.resource_id,
                "variant": row.variant,
                "purpose": row.purpose,
                "outcome": row.outcome,
                "reason": row.reason,
            }
            yield (b"  " if first else b",\n  ") + json.dumps(entry, ensure_ascii=False).encode()
            first = False
        after = rows[-1].seq
    yield b"\n]\n"
