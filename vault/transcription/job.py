"""One transcription job: claim, decrypt and decode, transcribe, seal the transcript, complete.

Like ``ingest`` it owns its transactions, because it spans the blob store, the database and a
long computation: the claim commits at once, a heartbeat renews the lease while the model runs,
and the transcript's row and the status change commit together only if the claim still holds.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from types import TracebackType
from typing import TYPE_CHECKING

from sqlalchemy.exc import OperationalError

from models.schemas import Channels, Status, Transcript
from vault.audio import BadAudio
from vault.audio.decode import DecodedAudio, decode
from vault.crypto.stream import IntegrityError
from vault.db import transaction
from vault.errors import KeyDestroyed, NotReady
from vault.keys import service as keys
from vault.recordings import blobs, lifecycle
from vault.recordings.lifecycle import Claim
from vault.recordings.service import get
from vault.redaction import job as redaction
from vault.redaction.engine import Redactor
from vault.runtime import Vault
from vault.storage.base import StorageUnavailable
from vault.transcription import store
from vault.transcription.engine import transcribe

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

log = logging.getLogger(__name__)

RAW_TRANSCRIPT = store.RAW
TRANSIENT = (StorageUnavailable, OperationalError)
"""Errors worth retrying: the store or the database was briefly out of reach."""


class Outcome(StrEnum):
    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"


class JobFailed(Exception):
    """A job failed for a reason that is not transient; the message holds no personal data."""


class Superseded(Exception):
    """The lease ran out and another worker took the recording over."""


def _now() -> datetime:
    return datetime.now(UTC)


class Heartbeat:
    """Renews the lease in the background and records the latest progress."""

    def __init__(self, vault: Vault, claim: Claim) -> None:
        self._vault = vault
        self._claim = claim
        self._progress: float | None = 0.0
        self._stop = threading.Event()
        self._lost = False
        self._thread = threading.Thread(target=self._run, name="lease-heartbeat", daemon=True)
        settings = vault.settings
        self._interval = max(
            0.2, min(settings.task_lease_seconds / 4, settings.progress_every_seconds)
        )

    def progress(self, fraction: float) -> None:
        self._progress = fraction

    @property
    def lost(self) -> bool:
        return self._lost

    def _beat(self) -> None:
        try:
            with transaction(self._vault.factory) as session:
                held = lifecycle.renew(
                    session,
                    claim=self._claim,
                    lease_seconds=self._vault.settings.task_lease_seconds,
                    now=_now(),
                    progress=self._progress,
                )
        except TRANSIENT:
            log.warning("lease renewal failed", extra={"recording_id": self._claim.recording_id})
            return
        if not held:
            self._lost = True

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._beat()
            if self._lost:
                return

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()


def _claim(vault: Vault, recording_id: str, owner: str) -> Claim | None:
    settings = vault.settings
    with transaction(vault.factory) as session:
        return lifecycle.claim(
            session,
            recording_id=recording_id,
            owner=owner,
            lease_seconds=settings.task_lease_seconds,
            max_attempts=settings.task_max_retries + 1,
            now=_now(),
        )


def _decode(vault: Vault, recording_id: str) -> DecodedAudio:
    with vault.factory() as session:
        recording = get(session, recording_id=recording_id)
        opened = blobs.open_variant(
            session, keyring=vault.keyring, recording=recording, variant="original"
        )
    with blobs.reader(vault.store, opened) as source:
        return decode(source)


def _earlier(vault: Vault, recording_id: str) -> Transcript | None:
    """The raw transcript an earlier attempt stored (it died while redacting), if any."""
    with vault.factory() as session:
        recording = get(session, recording_id=recording_id)
        try:
            return store.read(
                session,
                store=vault.store,
                keyring=vault.keyring,
                recording=recording,
                variant=RAW_TRANSCRIPT,
            )
        except NotReady:
            return None


def _transcribe(
    vault: Vault, claim: Claim, model: Callable[[], WhisperModel], heartbeat: Heartbeat
) -> tuple[Transcript, DecodedAudio]:
    settings = vault.settings
    with vault.factory() as session:
        recording = get(session, recording_id=claim.recording_id)
        channels, hint = Channels(recording.channels), recording.language
    audio = _decode(vault, claim.recording_id)
    transcript = transcribe(
        audio,
        model=model(),
        channels=channels,
        languages=settings.languages,
        language_hint=hint,
        beam_size=settings.whisper_beam_size,
        vad=settings.whisper_vad,
        on_progress=heartbeat.progress,
    )
    if heartbeat.lost:
        raise Superseded
    return transcript, audio


def _store(vault: Vault, claim: Claim, transcript: Transcript) -> None:
    sealed = blobs.write(
        vault.store,
        recording_id=claim.recording_id,
        variant=RAW_TRANSCRIPT,
        key=f"{blobs.object_key(claim.recording_id, RAW_TRANSCRIPT)}.{claim.attempt}",
        chunks=[transcript.model_dump_json().encode()],
        segment_size=vault.settings.segment_size,
    )
    try:
        with transaction(vault.factory) as session:
            recording = get(session, recording_id=claim.recording_id)
            kek = keys.open_key(session, keyring=vault.keyring, key_id=recording.key_id)
            replaced = blobs.replace(
                session,
                sealed=sealed,
                key_id=recording.key_id,
                kek=kek,
                content_type="application/json",
            )
            if not lifecycle.advance(session, claim=claim, status=Status.REDACTING, now=_now()):
                raise Superseded
    except BaseException:
        vault.store.delete(sealed.object_key)
        raise
    if replaced is not None:
        vault.store.delete(replaced)
    # Objects of attempts that died after writing but before committing.
    prefix = blobs.object_key(claim.recording_id, RAW_TRANSCRIPT) + "."
    for key in list(vault.store.keys(prefix)):
        if key != sealed.object_key:
            vault.store.delete(key)


def _advance(vault: Vault, claim: Claim) -> None:
    with transaction(vault.factory) as session:
        if not lifecycle.advance(session, claim=claim, status=Status.REDACTING, now=_now()):
            raise Superseded


def _redact(
    vault: Vault,
    claim: Claim,
    transcript: Transcript,
    audio: DecodedAudio | None,
    redactor: Redactor,
) -> None:
    """Fail closed: a recording whose redaction failed is never shown to the quality team."""
    try:
        redaction.run(
            vault,
            claim=claim,
            transcript=transcript,
            audio=(lambda: audio)
            if audio is not None
            else (lambda: _decode(vault, claim.recording_id)),
            redactor=redactor,
        )
    except redaction.ClaimLost:
        raise Superseded from None
    except TRANSIENT:
        raise
    except Exception as error:
        log.error("redaction failed", extra={"recording_id": claim.recording_id}, exc_info=error)
        raise RedactionFailed from None


class RedactionFailed(Exception):
    """The redaction step failed: the recording must not become visible."""


def _fail(vault: Vault, recording_id: str, reason: str) -> None:
    with transaction(vault.factory) as session:
        lifecycle.fail(session, recording_id=recording_id, reason=reason, now=_now())


def run(
    vault: Vault,
    *,
    recording_id: str,
    owner: str,
    model: Callable[[], WhisperModel],
    redactor: Redactor | None = None,
) -> Outcome:
    """Transcribe one recording if it needs it. Idempotent: a second run finds nothing to do.

    Raises ``lifecycle.Busy`` while another worker holds it and the ``TRANSIENT`` errors, for
    the caller to retry later; any other error fails the recording and is re-raised.
    """
    claim = _claim(vault, recording_id, owner)
    if claim is None:
        log.info("nothing to transcribe", extra={"recording_id": recording_id})
        return Outcome.SKIPPED
    log.info(
        "transcription started", extra={"recording_id": recording_id, "attempt": claim.attempt}
    )
    try:
        with Heartbeat(vault, claim) as heartbeat:
            transcript = _earlier(vault, recording_id)
            audio: DecodedAudio | None = None
            if transcript is None:
                transcript, audio = _transcribe(vault, claim, model, heartbeat)
                _store(vault, claim, transcript)
            else:
                _advance(vault, claim)
            heartbeat.progress(1.0)
            _redact(vault, claim, transcript, audio, redactor or Redactor())
    except Superseded:
        log.warning(
            "claim lost: another worker took the call over, or it was erased",
            extra={"recording_id": recording_id},
        )
        return Outcome.SKIPPED
    except TRANSIENT:
        with transaction(vault.factory) as session:
            lifecycle.release(session, claim=claim, now=_now())
        raise
    except RedactionFailed:
        _fail(vault, recording_id, "redaction failed; the call is kept from the quality team")
        return Outcome.FAILED
    except BadAudio as error:
        _fail(vault, recording_id, f"the audio could not be decoded: {error}")
        return Outcome.FAILED
    except (IntegrityError, KeyDestroyed) as error:
        _fail(vault, recording_id, f"the stored recording cannot be read: {error}")
        return Outcome.FAILED
    except Exception as error:
        # The queue's own log prints a failing task's exception; an unexpected one might quote
        # transcript text, so it leaves this function as its type and the recording id only.
        log.error(
            "transcription failed unexpectedly",
            extra={"recording_id": recording_id},
            exc_info=error,
        )
        _fail(vault, recording_id, "transcription failed unexpectedly; the error was logged")
        raise JobFailed(f"{type(error).__name__} while working on {recording_id}") from None
    log.info(
        "transcription done",
        extra={"recording_id": recording_id, "segments": len(transcript.segments)},
    )
    return Outcome.DONE


def give_up(vault: Vault, *, recording_id: str, attempts: int) -> None:
    """After the last retry of a transient error: a failed recording with a plain reason."""
    _fail(
        vault,
        recording_id,
        f"gave up after {attempts} attempts: the storage or database was unreachable",
    )


def submit(vault: Vault, *, enqueue: Callable[[str], None], recording_ids: list[str]) -> int:
    """Enqueue transcription of each recording and note when; returns how many were sent.

    Stops at the first failure to send (the broker is down): those left are found again by
    ``reconcile`` later, since the database, not the queue, says what is still to do.
    """
    sent: list[str] = []
    for recording_id in recording_ids:
        try:
            enqueue(recording_id)
        except Exception:
            log.warning("could not enqueue", extra={"recording_id": recording_id}, exc_info=True)
            break
        sent.append(recording_id)
    with transaction(vault.factory) as session:
        lifecycle.mark_enqueued(session, recording_ids=sent, now=_now())
    return len(sent)


def reconcile(vault: Vault, *, enqueue: Callable[[str], None]) -> int:
    """Re-enqueue recordings that wait too long or whose worker died; returns how many."""
    with vault.factory() as session:
        due = lifecycle.due(
            session, now=_now(), stuck_after_seconds=vault.settings.stuck_after_seconds
        )
    count = submit(vault, enqueue=enqueue, recording_ids=due)
    if count:
        log.info("re-enqueued recordings", extra={"count": count})
    return count
