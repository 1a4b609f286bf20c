"""Reading a stored transcript back: decrypt the sealed JSON of a variant."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models.schemas import RedactedTranscript, Transcript
from models.tables import Recording
from vault.keys.keyring import MasterKeyring
from vault.recordings import blobs
from vault.storage.base import BlobStore

RAW = "transcript-raw"
REDACTED = "transcript-redacted"
MAX_TRANSCRIPT_BYTES = 64 * 1024 * 1024


def read_bytes(
    session: Session,
    *,
    store: BlobStore,
    keyring: MasterKeyring,
    recording: Recording,
    variant: str,
) -> bytes:
    opened = blobs.open_variant(session, keyring=keyring, recording=recording, variant=variant)
    size = min(opened.plaintext_size, MAX_TRANSCRIPT_BYTES)
    return b"".join(blobs.read_range(store, opened, start=0, end=size))


def read(
    session: Session,
    *,
    store: BlobStore,
    keyring: MasterKeyring,
    recording: Recording,
    variant: str = RAW,
) -> Transcript:
    body = read_bytes(session, store=store, keyring=keyring, recording=recording, variant=variant)
    return Transcript.model_validate_json(body)


def read_redacted(
    session: Session, *, store: BlobStore, keyring: MasterKeyring, recording: Recording
) -> RedactedTranscript:
    body = read_bytes(session, store=store, keyring=keyring, recording=recording, variant=REDACTED)
    return RedactedTranscript.model_validate_json(body)
