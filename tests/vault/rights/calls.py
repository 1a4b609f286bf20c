"""Calls as the workers leave them, written straight through the vault's services: a subject
(sealed details, blind indexes, its own key), the original audio, the transcripts and the
redacted rendition sealed in the blob store, and the redacted transcript in the search index."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

from sqlalchemy import MetaData, Table, inspect, select
from sqlalchemy.orm import Session

from models.base import new_id
from models.schemas import RedactedTranscript, Segment, Speaker, Status, Transcript
from models.tables import Recording, Subject
from vault.config import Settings
from vault.db import transaction
from vault.keys import service as keys
from vault.recordings import blobs
from vault.runtime import Vault, open_vault
from vault.search import service as search
from vault.subjects import service as subjects
from vault.subjects.service import SubjectDetails

SUBJECT = SubjectDetails(
    customer_id="CUST-884120",
    name="Ahmet Yılmaz",
    phone="0532 418 27 90",
    email="ahmet.yilmaz@example.com.tr",
)
OTHER = SubjectDetails(
    customer_id="CUST-100200",
    name="Zeynep Demir",
    phone="0533 111 22 33",
    email="zeynep.demir@example.com.tr",
)
CALL_DAY = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)


def opened(settings: Settings) -> Iterator[Vault]:
    """A vault on embedded defaults (local blobs), for a test module's ``vault`` fixture."""
    opened = open_vault(settings)
    yield opened
    opened.close()


def audio_bytes() -> bytes:
    """Stand-in audio: random, so that a leak of it cannot happen by chance."""
    return b"RIFF" + os.urandom(2048)


def add_call(
    vault: Vault,
    *,
    subject: SubjectDetails | None = SUBJECT,
    queue: str | None = "billing",
    started_at: datetime = CALL_DAY,
    audio: bytes | None = None,
    status: Status = Status.READY,
) -> str:
    """One call of ``subject`` with every variant stored; returns the recording id."""
    recording_id = new_id()
    audio = audio if audio is not None else audio_bytes()
    with transaction(vault.factory) as session:
        if subject is not None:
            row, kek = subjects.find_or_create(session, keyring=vault.keyring, details=subject)
            subject_id, key_id = row.id, row.key_id
        else:
            key, kek = keys.create_key(session, keyring=vault.keyring, purpose="recording")
            subject_id, key_id = None, key.id
        recording = Recording(
            id=recording_id,
            call_id=f"call-{recording_id}",
            agent_id="ayse",
            uploaded_by="ayse",
            started_at=started_at,
            direction="inbound",
            queue=queue,
            language="tr",
            channels="mono",
            subject_id=subject_id,
            key_id=key_id,
            status=status.value,
            media_format="wav",
            codec="pcm_s16le",
            sample_rate=16000,
            channel_count=1,
            duration_seconds=1.0,
            size_bytes=len(audio),
            sha256="0" * 64,
        )
        session.add(recording)
        session.flush()
        said = f"Adım {SUBJECT.name}, numaram {SUBJECT.phone}" if subject else "merhaba"
        raw = Transcript(
            language="tr",
            duration=1.0,
            text=said,
            segments=[Segment(start=0, end=1, speaker=Speaker.MIXED, text=said, words=[])],
        )
        tagged = "Adım [PERSON], numaram [PHONE_NUMBER] fatura itirazı"
        redacted = RedactedTranscript(
            language="tr",
            duration=1.0,
            text=tagged,
            segments=[Segment(start=0, end=1, speaker=Speaker.MIXED, text=tagged, words=[])],
            entities=[],
        )
        bodies = {
            "original": (audio, "audio/wav"),
            "redacted": (audio[:1024], "audio/wav"),
            "transcript-raw": (raw.model_dump_json().encode(), "application/json"),
            "transcript-redacted": (redacted.model_dump_json().encode(), "application/json"),
        }
        for variant, (body, content_type) in bodies.items():
            sealed = blobs.write(
                vault.store,
                recording_id=recording_id,
                variant=variant,
                chunks=[body],
                segment_size=vault.settings.segment_size,
            )
            blobs.record(session, sealed=sealed, key_id=key_id, kek=kek, content_type=content_type)
        if status is Status.READY:
            search.index_recording(session, recording=recording, transcript=redacted)
    return recording_id


def subject_of(vault: Vault, details: SubjectDetails = SUBJECT) -> Subject:
    with vault.factory() as session:
        found = subjects.find_by_customer_id(
            session, keyring=vault.keyring, customer_id=details.customer_id
        )
        assert found is not None
        return found


def status_of(vault: Vault, recording_id: str) -> str:
    with vault.factory() as session:
        recording = session.get(Recording, recording_id)
        assert recording is not None
        return recording.status


def object_keys(vault: Vault, recording_id: str | None = None) -> list[str]:
    prefix = f"recordings/{recording_id}/" if recording_id else ""
    return sorted(vault.store.keys(prefix))


def dump_database(session: Session) -> bytes:
    """Every text and binary value of every table, as one byte string to search."""
    parts: list[bytes] = []
    bind = session.get_bind()
    for table_name in sorted(inspect(bind).get_table_names()):
        table = Table(table_name, MetaData(), autoload_with=bind)
        for row in session.execute(select(table)):
            for value in row:
                if isinstance(value, str):
                    parts.append(value.encode())
                elif isinstance(value, (bytes, memoryview)):
                    parts.append(bytes(value))
    return b"\x00".join(parts)


def dump_store(vault: Vault) -> bytes:
    """Every object in the blob store, whole."""
    return b"\x00".join(b"".join(vault.store.get(key)) for key in object_keys(vault))
