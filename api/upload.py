"""The upload's blocking half: read the multipart body in order and hand it to ``ingest``.

It runs in a worker thread and pulls body chunks from the event loop as it needs them, so the
file streams from the socket through the encryptor into the store without being spooled.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import anyio.from_thread
from pydantic import ValidationError

from api.multipart import MultipartReader, Part
from models.schemas import UploadMetadata
from vault.auth.policy import Grant
from vault.auth.roles import Principal
from vault.errors import InvalidInput
from vault.recordings import ingest
from vault.runtime import Vault

METADATA_LIMIT = 64 * 1024


def sync_chunks(stream: AsyncIterator[bytes]) -> Iterator[bytes]:
    """The request body as a blocking iterator, for use in a worker thread."""

    async def pull() -> bytes | None:
        try:
            return await stream.__anext__()
        except StopAsyncIteration:
            return None

    while (chunk := anyio.from_thread.run(pull)) is not None:
        if chunk:
            yield chunk


def parse_metadata(raw: bytes) -> UploadMetadata:
    try:
        return UploadMetadata.model_validate_json(raw)
    except ValidationError as error:
        # Locations and messages only: pydantic's own text would quote the values.
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'metadata'}: {e['msg']}"
            for e in error.errors(include_input=False, include_url=False)
        )
        raise InvalidInput(f"invalid metadata: {problems}") from None


def _unexpected(part: Part) -> InvalidInput:
    return InvalidInput(f"unexpected form field {part.name[:40]!r}: send 'metadata' and 'file'")


def run_upload(
    vault: Vault,
    *,
    uploader: Principal,
    grant: Grant,
    body: Iterator[bytes],
    content_type: str,
) -> ingest.IngestResult:
    parts = MultipartReader(body, content_type).parts()
    metadata_raw: bytes | None = None
    file_part: Part | None = None
    for part in parts:
        if part.name == "metadata" and metadata_raw is None:
            metadata_raw = part.read(METADATA_LIMIT)
        elif part.name == "file":
            file_part = part
            break
        else:
            raise _unexpected(part)
    if file_part is None:
        raise InvalidInput("the upload has no 'file' part")

    early: UploadMetadata | None = None
    if metadata_raw is not None:
        # Metadata sent first (the usual order) is checked before a byte of audio is stored.
        early = parse_metadata(metadata_raw)
        ingest.resolve_agent(early, uploader=uploader, grant=grant)
        ingest.check_metadata(early)

    def metadata() -> UploadMetadata:
        nonlocal metadata_raw
        for part in parts:
            if part.name == "metadata" and metadata_raw is None:
                metadata_raw = part.read(METADATA_LIMIT)
            elif part.name == "file":
                raise InvalidInput("send one file per upload")
            else:
                raise _unexpected(part)
        if early is not None:
            return early
        if metadata_raw is None:
            raise InvalidInput("the upload has no 'metadata' part")
        return parse_metadata(metadata_raw)

    return ingest.ingest(
        factory=vault.factory,
        store=vault.store,
        keyring=vault.keyring,
        settings=vault.settings,
        uploader=uploader,
        grant=grant,
        chunks=file_part.chunks(),
        metadata=metadata,
    )
