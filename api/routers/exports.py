"""Exports of a data subject's data (KVKK access requests): ask for one, follow it, download it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import chain

from fastapi import APIRouter, Response
from fastapi.responses import StreamingResponse

from api.access import reason_code
from api.deps import (
    DbSession,
    DispatcherDep,
    ExportDownloadGate,
    ExportRead,
    SubjectExportGate,
    VaultDep,
)
from api.routers.subjects import RequestRef, checked_ref
from models.exports import ExportOut
from models.schemas import Problem
from models.tables import Subject
from vault.db import transaction
from vault.errors import VaultError
from vault.rights import export

log = logging.getLogger(__name__)

router = APIRouter(tags=["exports"])


@router.post(
    "/subjects/{subject_id}/exports",
    status_code=202,
    response_model=ExportOut,
    responses={
        400: {"model": Problem, "description": "X-Access-Purpose is missing"},
        404: {"model": Problem, "description": "no such subject or request"},
        409: {"model": Problem, "description": "the request is not an open access request"},
        410: {"model": Problem, "description": "the subject's data was erased"},
        422: {"model": Problem},
    },
    summary="Export everything held on a data subject (request_ref in the query or JSON body)",
)
def request_export(
    opened: SubjectExportGate, ref: RequestRef, vault: VaultDep, dispatcher: DispatcherDep
) -> ExportOut:
    gate = opened.gate
    reference = checked_ref(gate, ref)
    gate.detail = f"request_ref={reference}"
    assert gate.principal is not None
    try:
        with transaction(vault.factory) as session:
            subject = session.get(Subject, opened.subject.id)
            assert subject is not None
            row = export.request_export(
                session,
                subject=subject,
                request_ref=reference,
                actor=gate.principal.user,
                now=datetime.now(UTC),
            )
            gate.detail = f"request_ref={reference} export_id={row.id}"
            gate.record_in(session, "allowed")
            out = ExportOut.of(row, status=row.status, request_ref=reference)
    except VaultError as error:
        gate.deny(reason_code(error), error)
    try:
        dispatcher.export(out.id)
    except Exception:
        # The export is safe in the database; the reconciler enqueues it again later.
        log.warning("could not enqueue the export", extra={"export_id": out.id}, exc_info=True)
    return out


@router.get(
    "/exports/{export_id}",
    response_model=ExportOut,
    responses={404: {"model": Problem}},
    summary="An export's state",
)
def read_export(opened: ExportRead, session: DbSession) -> ExportOut:
    row = opened.export
    return ExportOut.of(
        row,
        status=export.status_of(row, now=datetime.now(UTC)),
        request_ref=export.reference_of(session, row),
    )


@router.get(
    "/exports/{export_id}/download",
    response_class=Response,
    responses={
        200: {"content": {"application/zip": {}}},
        400: {"model": Problem, "description": "X-Access-Purpose is missing"},
        409: {"model": Problem, "description": "not ready yet, or it failed"},
        410: {"model": Problem, "description": "expired, deleted or erased"},
    },
    summary="Download a ready export (a ZIP; needs X-Access-Purpose)",
)
def download_export(opened: ExportDownloadGate, vault: VaultDep, session: DbSession) -> Response:
    gate = opened.gate
    try:
        found = export.open_download(
            session, keyring=vault.keyring, export=opened.export, now=datetime.now(UTC)
        )
    except VaultError as error:
        gate.deny(reason_code(error), error)
    body = _started(export.chunks(vault.store, found))
    gate.write("allowed")
    return StreamingResponse(
        body,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{found.filename}"',
            "Content-Length": str(found.size),
            "Cache-Control": "private, no-store",
        },
    )


def _started(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Decrypt the first segment before the response starts, so a damaged object fails as a
    500 rather than as a download cut short."""
    first = next(chunks, b"")
    return chain([first], chunks)
