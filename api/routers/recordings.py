"""Recordings: upload, list, counts, metadata."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.requests import ClientDisconnect

from api.access import Gate, reason_code
from api.deps import (
    DbSession,
    DispatcherDep,
    ListAccess,
    RecordingRead,
    StatsAccess,
    UploadGate,
    VaultDep,
)
from api.errors import status_of
from api.upload import run_upload, sync_chunks
from models.schemas import Problem, RecordingOut, RecordingPage, RecordingStats, Status
from models.tables import Recording
from vault.audit.service import Outcome
from vault.errors import TooLarge
from vault.recordings import service
from vault.runtime import Vault
from vault.transcription import job

router = APIRouter(tags=["recordings"])

# Room for the metadata part and multipart framing on top of the file itself.
ENVELOPE_ALLOWANCE = 256 * 1024


@router.post(
    "/recordings",
    status_code=201,
    response_model=RecordingOut,
    responses={
        200: {"model": RecordingOut, "description": "this call was already stored"},
        403: {"model": Problem},
        409: {"model": Problem},
        413: {"model": Problem},
        415: {"model": Problem},
        422: {"model": Problem},
        503: {"model": Problem},
    },
    summary="Upload a call (multipart: 'metadata' JSON, then 'file')",
)
async def upload(
    request: Request, gate: UploadGate, vault: VaultDep, dispatcher: DispatcherDep
) -> JSONResponse:
    assert gate.principal is not None
    assert gate.grant is not None
    declared = request.headers.get("content-length", "")
    try:
        if declared.isdigit() and int(declared) > vault.settings.max_upload_bytes + (
            ENVELOPE_ALLOWANCE
        ):
            raise TooLarge(
                f"the upload exceeds the limit of {vault.settings.max_upload_bytes} bytes"
            )
        result = await anyio.to_thread.run_sync(
            partial(
                run_upload,
                vault,
                uploader=gate.principal,
                grant=gate.grant,
                body=sync_chunks(request.stream().__aiter__()),
                content_type=request.headers.get("content-type", ""),
            )
        )
    except ClientDisconnect:
        await anyio.to_thread.run_sync(partial(gate.write, "error", "client_disconnected"))
        raise
    except Exception as error:
        denied = status_of(error) == 403  # an agent uploading another agent's call
        outcome: Outcome = "denied" if denied else "error"
        reason = "not_owner" if denied else reason_code(error)
        await anyio.to_thread.run_sync(partial(gate.write, outcome, reason))
        raise
    gate.resource_id = result.recording.id
    await anyio.to_thread.run_sync(partial(gate.write, "allowed", None))
    if result.created:
        # Only after the commit; if the broker is down the reconciler enqueues it later.
        await anyio.to_thread.run_sync(
            partial(
                job.submit,
                vault,
                enqueue=dispatcher.transcribe,
                recording_ids=[result.recording.id],
            )
        )
    body = await anyio.to_thread.run_sync(partial(_present, vault, gate, result.recording))
    return JSONResponse(
        body.model_dump(mode="json"),
        status_code=201 if result.created else 200,
        headers={"Location": f"/api/v1/recordings/{result.recording.id}"},
    )


def _present(vault: Vault, gate: Gate, recording: Recording) -> RecordingOut:
    assert gate.grant is not None
    with vault.factory() as session:
        fresh = service.get(session, recording_id=recording.id)
        return service.present(
            session,
            keyring=vault.keyring,
            recording=fresh,
            sees_subject=gate.grant.rule.sees_subject,
        )


@router.get("/recordings", response_model=RecordingPage, summary="List recordings, newest first")
def list_recordings(
    access: ListAccess,
    vault: VaultDep,
    session: DbSession,
    status: Status | None = None,
    agent_id: Annotated[str | None, Query(max_length=128)] = None,
    started_from: datetime | None = None,
    started_to: datetime | None = None,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 50,
) -> RecordingPage:
    scope = access.own_agent or agent_id
    return service.page(
        session,
        keyring=vault.keyring,
        sees_subject=access.grant.rule.sees_subject,
        agent_id=scope,
        status=status,
        started_from=started_from,
        started_to=started_to,
        cursor=cursor,
        limit=limit,
    )


@router.get(
    "/recordings/stats", response_model=RecordingStats, summary="Counts of recordings by status"
)
def recording_stats(access: StatsAccess, session: DbSession) -> RecordingStats:
    return service.stats(session, agent_id=access.own_agent)


@router.get("/recordings/{recording_id}", response_model=RecordingOut, summary="One recording")
def get_recording(opened: RecordingRead, vault: VaultDep, session: DbSession) -> RecordingOut:
    return service.present(
        session,
        keyring=vault.keyring,
        recording=opened.recording,
        sees_subject=opened.access.grant.rule.sees_subject,
    )
