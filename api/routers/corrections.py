"""Corrections (KVKK Art. 11): a subject's details, a call's metadata or transcript, with a reason
and the request they answer; the earlier version is kept for the audit trail."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter

from api.access import reason_code
from api.deps import (
    CorrectionsRead,
    DbSession,
    DispatcherDep,
    RecordingCorrectGate,
    SubjectCorrectGate,
    VaultDep,
)
from models.rights import CorrectionOut, Kind, RecordingCorrectionIn, SubjectCorrectionIn
from models.schemas import Problem
from models.tables import Correction, Recording, RightsRequest, Subject
from vault.db import transaction
from vault.errors import InvalidInput, VaultError
from vault.rights import correction
from vault.rights import requests as register
from vault.runtime import Vault
from vault.transcription import job

router = APIRouter(tags=["corrections"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "no such subject, recording or request"},
    409: {"model": Problem, "description": "the request does not fit, or the call is busy"},
    410: {"model": Problem, "description": "the data was erased"},
    422: {"model": Problem},
}


def _out(session: DbSession, vault: Vault, row: Correction) -> CorrectionOut:
    request = session.get(RightsRequest, row.request_id)
    earlier = correction.earlier_values(session, keyring=vault.keyring, correction=row)
    return CorrectionOut(
        id=row.id,
        at=row.at,
        actor=row.actor,
        target=row.target,
        request_ref=request.reference if request is not None else "",
        recording_id=row.recording_id,
        fields=json.loads(row.fields),
        reason=row.reason,
        earlier=earlier,
        earlier_variant=row.previous_variant,
    )


@router.post(
    "/subjects/{subject_id}/corrections",
    status_code=201,
    response_model=CorrectionOut,
    responses=_ERRORS,
    summary="Correct a subject's name, phone number or e-mail",
)
def correct_subject(
    opened: SubjectCorrectGate, vault: VaultDep, body: SubjectCorrectionIn
) -> CorrectionOut:
    gate = opened.gate
    assert gate.principal is not None
    gate.detail = f"request_ref={body.request_ref}"
    try:
        with transaction(vault.factory) as session:
            subject = session.get(Subject, opened.subject.id)
            assert subject is not None
            request = register.for_action(
                session, reference=body.request_ref, kinds={Kind.CORRECTION}, subject=subject
            )
            row = correction.correct_subject(
                session,
                keyring=vault.keyring,
                subject=subject,
                request=request,
                reason=body.reason,
                actor=gate.principal.user,
                now=datetime.now(UTC),
                name=body.name,
                phone=body.phone,
                email=body.email,
            )
            gate.record_in(session, "allowed")
            out = _out(session, vault, row)
    except VaultError as error:
        gate.deny(reason_code(error), error)
    return out


@router.post(
    "/recordings/{recording_id}/corrections",
    status_code=201,
    response_model=list[CorrectionOut],
    responses=_ERRORS,
    summary="Correct a call's metadata or its transcript (the call is then redacted again)",
)
def correct_recording(
    opened: RecordingCorrectGate,
    vault: VaultDep,
    dispatcher: DispatcherDep,
    body: RecordingCorrectionIn,
) -> list[CorrectionOut]:
    gate = opened.gate
    assert gate.principal is not None
    gate.detail = f"request_ref={body.request_ref}"
    now = datetime.now(UTC)
    stale: list[str] = []
    try:
        with transaction(vault.factory) as session:
            recording = session.get(Recording, opened.recording.id)
            assert recording is not None
            if recording.subject_id is None:
                raise InvalidInput("this call has no data subject; there is no one to correct for")
            subject = session.get(Subject, recording.subject_id)
            assert subject is not None
            request = register.for_action(
                session, reference=body.request_ref, kinds={Kind.CORRECTION}, subject=subject
            )
            rows: list[Correction] = []
            if body.metadata is not None:
                rows.append(
                    correction.correct_metadata(
                        session,
                        keyring=vault.keyring,
                        recording=recording,
                        request=request,
                        reason=body.reason,
                        actor=gate.principal.user,
                        now=now,
                        changes=body.metadata.model_dump(exclude_none=True),
                    )
                )
            if body.transcript:
                row, stale = correction.correct_transcript(
                    session,
                    store=vault.store,
                    keyring=vault.keyring,
                    recording=recording,
                    request=request,
                    reason=body.reason,
                    actor=gate.principal.user,
                    now=now,
                    edits=[correction.TranscriptEdit(e.index, e.text) for e in body.transcript],
                    segment_size=vault.settings.segment_size,
                )
                rows.append(row)
            gate.record_in(session, "allowed")
            out = [_out(session, vault, row) for row in rows]
    except VaultError as error:
        gate.deny(reason_code(error), error)
    for key in stale:
        vault.store.delete(key)
    if body.transcript:
        job.submit(vault, enqueue=dispatcher.transcribe, recording_ids=[opened.recording.id])
    return out


@router.get(
    "/subjects/{subject_id}/corrections",
    response_model=list[CorrectionOut],
    responses={404: {"model": Problem}},
    summary="A subject's corrections, with what each replaced",
)
def list_corrections(
    opened: CorrectionsRead, vault: VaultDep, session: DbSession
) -> list[CorrectionOut]:
    rows = correction.for_subject(session, subject_id=opened.subject.id)
    return [_out(session, vault, row) for row in rows]
