"""Encrypted variants of a recording (original and redacted audio, transcripts) in the blob store.

Each variant is one object under ``recordings/<id>/<variant>``, sealed with its own data key;
the data key is wrapped by the recording's key-encryption key (the subject's key) and kept in the
``blobs`` row, so erasing a subject's key makes every variant unreadable wherever copies lie.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.tables import Blob, Recording
from vault.crypto.stream import (
    DecryptingReader,
    EncryptingReader,
    decrypt_range,
    generate_data_key,
)
from vault.crypto.wrap import unwrap_key, wrap_key
from vault.errors import NotReady
from vault.keys import service as keys
from vault.keys.keyring import MasterKeyring
from vault.storage.base import BlobStore


def object_key(recording_id: str, variant: str) -> str:
    return f"recordings/{recording_id}/{variant}"


def binding(recording_id: str, variant: str) -> bytes:
    """Associated data that ties every segment of an object to its recording and variant."""
    return f"recording:{recording_id}/{variant}".encode()


def _wrapping_key(kek: bytes) -> bytes:
    return keys.derive(kek, purpose=b"data key wrap")


@dataclass(frozen=True)
class SealedObject:
    """An object written to the store but not yet recorded in the database."""

    recording_id: str
    variant: str
    object_key: str
    plaintext_size: int
    sha256: str
    segment_size: int
    dek: bytes = field(repr=False)


def write(
    store: BlobStore,
    *,
    recording_id: str,
    variant: str,
    chunks: Iterable[bytes],
    segment_size: int,
    key: str | None = None,
) -> SealedObject:
    """Encrypt ``chunks`` while streaming them into the store; nothing is held whole in memory.

    ``key`` overrides the object's key: work that may run twice (a retried task) writes each
    attempt under its own key, so that two attempts never overwrite each other's object.
    """
    dek = generate_data_key()
    key = key or object_key(recording_id, variant)
    reader = EncryptingReader(
        chunks, key=dek, binding=binding(recording_id, variant), segment_size=segment_size
    )
    store.put(key, io.BufferedReader(reader, buffer_size=segment_size))
    return SealedObject(
        recording_id=recording_id,
        variant=variant,
        object_key=key,
        plaintext_size=reader.plaintext_size,
        sha256=reader.sha256,
        segment_size=segment_size,
        dek=dek,
    )


def record(
    session: Session, *, sealed: SealedObject, key_id: str, kek: bytes, content_type: str
) -> Blob:
    """The database row for a written object, with its data key wrapped under ``kek``."""
    wrapped = wrap_key(
        _wrapping_key(kek), sealed.dek, binding=binding(sealed.recording_id, sealed.variant)
    )
    row = Blob(
        recording_id=sealed.recording_id,
        variant=sealed.variant,
        object_key=sealed.object_key,
        key_id=key_id,
        wrapped_dek=wrapped,
        segment_size=sealed.segment_size,
        plaintext_size=sealed.plaintext_size,
        content_type=content_type,
    )
    session.add(row)
    return row


@dataclass(frozen=True)
class OpenObject:
    """A stored variant with its data key unwrapped, ready to stream or seek."""

    recording_id: str
    variant: str
    object_key: str
    plaintext_size: int
    segment_size: int
    content_type: str
    etag: str
    dek: bytes = field(repr=False)

    @classmethod
    def of(cls, sealed: SealedObject, *, content_type: str) -> OpenObject:
        return cls(
            recording_id=sealed.recording_id,
            variant=sealed.variant,
            object_key=sealed.object_key,
            plaintext_size=sealed.plaintext_size,
            segment_size=sealed.segment_size,
            content_type=content_type,
            etag=sealed.sha256[:32],
            dek=sealed.dek,
        )


def replace(
    session: Session, *, sealed: SealedObject, key_id: str, kek: bytes, content_type: str
) -> str | None:
    """Record ``sealed`` as the recording's one object of its variant; returns the object key
    of the row it replaced (to be deleted from the store after commit), if any."""
    old = session.scalars(
        select(Blob).where(Blob.recording_id == sealed.recording_id, Blob.variant == sealed.variant)
    ).first()
    previous = None
    if old is not None:
        previous = old.object_key
        session.delete(old)
        session.flush()
    record(session, sealed=sealed, key_id=key_id, kek=kek, content_type=content_type)
    session.flush()
    return previous if previous != sealed.object_key else None


def open_variant(
    session: Session, *, keyring: MasterKeyring, recording: Recording, variant: str
) -> OpenObject:
    row = session.scalars(
        select(Blob).where(Blob.recording_id == recording.id, Blob.variant == variant)
    ).first()
    if row is None:
        raise NotReady(f"this recording has no {variant} variant yet (status: {recording.status})")
    kek = keys.open_key(session, keyring=keyring, key_id=row.key_id)
    dek = unwrap_key(_wrapping_key(kek), row.wrapped_dek, binding=binding(recording.id, variant))
    return OpenObject(
        recording_id=recording.id,
        variant=variant,
        object_key=row.object_key,
        plaintext_size=row.plaintext_size,
        segment_size=row.segment_size,
        content_type=row.content_type,
        etag=row.id.replace("-", ""),
        dek=dek,
    )


def read_range(store: BlobStore, opened: OpenObject, *, start: int, end: int) -> Iterator[bytes]:
    """Plaintext bytes ``[start, end)``, decrypting only the segments the range touches."""

    def read(offset: int, length: int) -> Iterator[bytes]:
        return store.get(opened.object_key, start=offset, end=offset + length)

    return decrypt_range(
        read,
        key=opened.dek,
        binding=binding(opened.recording_id, opened.variant),
        segment_size=opened.segment_size,
        plaintext_size=opened.plaintext_size,
        start=start,
        end=end,
    )


def reader(store: BlobStore, opened: OpenObject) -> io.BufferedReader:
    """A seekable file object over the plaintext (for decoders that seek)."""

    def read(offset: int, length: int) -> Iterator[bytes]:
        return store.get(opened.object_key, start=offset, end=offset + length)

    raw = DecryptingReader(
        read,
        key=opened.dek,
        binding=binding(opened.recording_id, opened.variant),
        segment_size=opened.segment_size,
        plaintext_size=opened.plaintext_size,
    )
    return io.BufferedReader(raw, buffer_size=opened.segment_size)
