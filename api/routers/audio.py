"""Playback with HTTP Range requests: a seek decrypts only the segments it touches."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from itertools import chain

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from api.deps import AudioRead, AudioVariant, DbSession, VaultDep
from api.ranges import ByteRange, Unsatisfiable, parse
from models.schemas import Problem, Status
from vault.errors import NotReady
from vault.recordings import blobs
from vault.recordings.blobs import OpenObject
from vault.storage.base import BlobStore

router = APIRouter(tags=["playback"])


@router.api_route(
    "/recordings/{recording_id}/audio",
    methods=["GET", "HEAD"],
    response_class=Response,
    responses={
        200: {"content": {"audio/*": {}}},
        206: {"description": "the requested byte range(s)"},
        400: {"model": Problem, "description": "a purpose is needed for the original"},
        409: {"model": Problem, "description": "this variant is not ready"},
        416: {"description": "no requested range lies within the file"},
    },
    summary="Play a recording (original needs X-Access-Purpose)",
)
def play(request: Request, audio: AudioRead, vault: VaultDep, session: DbSession) -> Response:
    recording = audio.recording
    if audio.variant == AudioVariant.REDACTED and recording.status != Status.READY.value:
        raise NotReady(f"the redacted audio is not ready (status: {recording.status})")
    opened = blobs.open_variant(
        session, keyring=vault.keyring, recording=recording, variant=audio.variant
    )
    size = opened.plaintext_size
    etag = f'"{opened.etag}"'
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": etag,
        "Cache-Control": "private, no-store",
        "Content-Disposition": "inline",
    }
    if_range = request.headers.get("if-range")
    range_header = request.headers.get("range") if if_range in (None, etag) else None
    try:
        ranges = parse(range_header, size)
    except Unsatisfiable:
        return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    head = request.method == "HEAD"

    if ranges is None or len(ranges) == 1:
        span = ranges[0] if ranges else ByteRange(0, size)
        headers["Content-Length"] = str(span.length)
        status = 200
        if ranges:
            status = 206
            headers["Content-Range"] = span.content_range(size)
        if head:
            return Response(status_code=status, headers=headers, media_type=opened.content_type)
        body = _started(blobs.read_range(vault.store, opened, start=span.start, end=span.end))
        return StreamingResponse(
            body, status_code=status, headers=headers, media_type=opened.content_type
        )

    boundary = secrets.token_hex(16)
    framed = _Multipart(vault.store, opened, ranges, boundary)
    headers["Content-Length"] = str(sum(len(p) for p in framed.preambles) + framed.payload)
    media = f"multipart/byteranges; boundary={boundary}"
    if head:
        return Response(status_code=206, headers=headers, media_type=media)
    return StreamingResponse(framed.body(), status_code=206, headers=headers, media_type=media)


def _started(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Decrypt the first piece before the response starts, so a damaged object fails as a 500
    rather than as a response cut short."""
    first = next(chunks, b"")
    return chain([first], chunks)


class _Multipart:
    def __init__(
        self, store: BlobStore, opened: OpenObject, ranges: list[ByteRange], boundary: str
    ) -> None:
        self.store = store
        self.opened = opened
        self.ranges = ranges
        self.preambles = [
            (
                f"\r\n--{boundary}\r\nContent-Type: {opened.content_type}\r\n"
                f"Content-Range: {r.content_range(opened.plaintext_size)}\r\n\r\n"
            ).encode()
            for r in ranges
        ]
        self.preambles.append(f"\r\n--{boundary}--\r\n".encode())
        self.payload = sum(r.length for r in ranges)

    def body(self) -> Iterator[bytes]:
        for preamble, span in zip(self.preambles, self.ranges, strict=False):
            yield preamble
            yield from blobs.read_range(self.store, self.opened, start=span.start, end=span.end)
        yield self.preambles[-1]
