"""Transcripts: the raw one (personal data, with a purpose) and the redacted one."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import DbSession, TranscriptRead, TranscriptVariant, VaultDep
from models.schemas import Problem, RedactedTranscript, Status, Transcript
from vault.errors import NotReady
from vault.transcription import store

router = APIRouter(tags=["transcripts"])


@router.get(
    "/recordings/{recording_id}/transcript",
    response_model=Transcript | RedactedTranscript,
    responses={
        400: {"model": Problem, "description": "a purpose is needed for the raw transcript"},
        409: {"model": Problem, "description": "this variant is not ready"},
    },
    summary="A recording's transcript (raw needs X-Access-Purpose)",
)
def read_transcript(
    opened: TranscriptRead, vault: VaultDep, session: DbSession
) -> Transcript | RedactedTranscript:
    recording = opened.recording
    if opened.variant == TranscriptVariant.REDACTED:
        if recording.status != Status.READY.value:
            raise NotReady(f"the redacted transcript is not ready (status: {recording.status})")
        return store.read_redacted(
            session, store=vault.store, keyring=vault.keyring, recording=recording
        )
    return store.read(session, store=vault.store, keyring=vault.keyring, recording=recording)
