"""Redacting a transcribed recording: the redacted transcript, the redacted audio, PCI mode.

Runs inside the transcription job while it holds the recording's lease. Everything is written
under attempt-scoped object keys first; the rows that point at them, and the move to
``ready``, commit together only if the claim still holds. If anything fails the recording is
failed, never shown unredacted (fail closed).

PCI mode: card numbers, expiry dates and CVVs are also silenced in the stored original audio
and removed from the raw transcript, because PCI DSS forbids keeping card verification data
after authorisation, even encrypted. The audit log records that this happened.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from models.schemas import Status, Transcript
from models.tables import Recording, Subject
from vault.audio.decode import DecodedAudio
from vault.audit import service as audit
from vault.db import transaction
from vault.keys import service as keys
from vault.recordings import blobs, lifecycle
from vault.recordings.lifecycle import Claim
from vault.redaction import audio as rendition
from vault.redaction import transcript as redacting
from vault.redaction.engine import Redactor
from vault.redaction.types import PAYMENT_CARD, Known
from vault.runtime import Vault
from vault.search import service as search
from vault.subjects import service as subjects

log = logging.getLogger(__name__)

REDACTED_AUDIO = "redacted"
REDACTED_TRANSCRIPT = "transcript-redacted"
RAW_TRANSCRIPT = "transcript-raw"
ORIGINAL = "original"


class ClaimLost(Exception):
    """Another worker took the recording over while this one redacted it."""


@dataclass(frozen=True)
class Outcome:
    entities: int
    card_data_removed: bool


def _known(vault: Vault, recording: Recording) -> Known:
    if recording.subject_id is None:
        return Known()
    with vault.factory() as session:
        subject = session.get(Subject, recording.subject_id)
        if subject is None:
            return Known()
        details = subjects.read_details(session, keyring=vault.keyring, subject=subject)
    return Known(
        name=details.name,
        phone=details.phone,
        email=details.email,
        customer_id=details.customer_id,
    )


def _key(claim: Claim, variant: str) -> str:
    """A fresh object key per run: the recording's current rows may point at objects of an
    earlier run with the same attempt number (a correction sends a call to be redacted again
    with its count reset), which must stay intact until this run commits."""
    return f"{blobs.object_key(claim.recording_id, variant)}.{claim.attempt}-{secrets.token_hex(4)}"


def run(
    vault: Vault,
    *,
    claim: Claim,
    transcript: Transcript,
    audio: Callable[[], DecodedAudio],
    redactor: Redactor,
) -> Outcome:
    """Redact, write every variant, and move the recording to ``ready``."""
    settings = vault.settings
    with vault.factory() as session:
        recording = session.get(Recording, claim.recording_id)
        assert recording is not None
        session.expunge(recording)
    redacted, timed = redacting.redact(
        transcript,
        redactor=redactor,
        known=_known(vault, recording),
        pad=settings.redaction_pad_seconds,
    )
    written: list[blobs.SealedObject] = []
    try:
        decoded = audio()
        spans = [(t.start_time, t.end_time) for t in timed]
        masked = rendition.mask(decoded, spans, tone=settings.redaction_tone)
        # Appended one by one, so that a failure in the second still removes the first.
        written.append(
            blobs.write(
                vault.store,
                recording_id=claim.recording_id,
                variant=REDACTED_AUDIO,
                key=_key(claim, REDACTED_AUDIO),
                chunks=rendition.wav_chunks(masked),
                segment_size=settings.segment_size,
            )
        )
        written.append(
            blobs.write(
                vault.store,
                recording_id=claim.recording_id,
                variant=REDACTED_TRANSCRIPT,
                key=_key(claim, REDACTED_TRANSCRIPT),
                chunks=[redacted.model_dump_json().encode()],
                segment_size=settings.segment_size,
            )
        )
        types = {
            REDACTED_AUDIO: "audio/wav",
            REDACTED_TRANSCRIPT: "application/json",
            ORIGINAL: "audio/wav",
            RAW_TRANSCRIPT: "application/json",
        }
        card = redacting.card_spans(timed)
        scrub = settings.pci_mode and bool(card)
        if scrub:
            original = rendition.mask(decoded, card)
            written.append(
                blobs.write(
                    vault.store,
                    recording_id=claim.recording_id,
                    variant=ORIGINAL,
                    key=_key(claim, "original-pci"),
                    chunks=rendition.wav_chunks(original),
                    segment_size=settings.segment_size,
                )
            )
            raw = redacting.scrub_raw(transcript, timed, PAYMENT_CARD)
            written.append(
                blobs.write(
                    vault.store,
                    recording_id=claim.recording_id,
                    variant=RAW_TRANSCRIPT,
                    key=_key(claim, "transcript-raw-pci"),
                    chunks=[raw.model_dump_json().encode()],
                    segment_size=settings.segment_size,
                )
            )
        replaced: list[str] = []
        with transaction(vault.factory) as session:
            row = session.get(Recording, claim.recording_id)
            assert row is not None
            kek = keys.open_key(session, keyring=vault.keyring, key_id=row.key_id)
            for sealed in written:
                previous = blobs.replace(
                    session,
                    sealed=sealed,
                    key_id=row.key_id,
                    kek=kek,
                    content_type=types[sealed.variant],
                )
                if previous is not None:
                    replaced.append(previous)
            if scrub:
                row.media_format, row.codec = "wav", "pcm_s16le"
                row.sample_rate = decoded.sample_rate
                row.channel_count = len(decoded.channels)
                row.size_bytes = next(s.plaintext_size for s in written if s.variant == ORIGINAL)
                audit.record(
                    session,
                    event=audit.AuditEvent(
                        actor="system:redaction",
                        action="recording.pci_scrub",
                        resource_type="recording",
                        resource_id=claim.recording_id,
                        variant=ORIGINAL,
                        outcome="allowed",
                        reason="card_data_removed",
                    ),
                    signer=vault.signer,
                    checkpoint_every=settings.audit_checkpoint_every,
                )
            if not lifecycle.complete(
                session, claim=claim, status=Status.READY, now=datetime.now(UTC)
            ):
                raise ClaimLost
            # Only the redacted transcript is ever indexed, in the same commit as "ready".
            search.index_recording(session, recording=row, transcript=redacted)
    except BaseException:
        # Nothing half-done stays behind: every object this attempt wrote goes.
        for sealed in written:
            vault.store.delete(sealed.object_key)
        raise
    for key in replaced:
        vault.store.delete(key)
    log.info(
        "redaction done",
        extra={
            "recording_id": claim.recording_id,
            "entities": len(timed),
            "card_data_removed": scrub,
        },
    )
    return Outcome(entities=len(timed), card_data_removed=scrub)
