"""Tasks: explicit stable names, ids as arguments, one call into ``vault`` each."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, NoReturn

from celery import Task, shared_task

from vault.audit import service as audit
from vault.db import transaction
from vault.recordings.lifecycle import Busy
from vault.rights import export, retention
from vault.transcription import job
from vault.transcription.model import load_model
from workers.context import current_vault
from workers.dispatch import CeleryDispatcher

log = logging.getLogger(__name__)


@shared_task(
    name="vault.transcribe",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
)
def transcribe(self: Task[Any, Any], recording_id: str) -> str:
    vault = current_vault()
    settings = vault.settings
    owner = f"{self.request.hostname or 'worker'}:{os.getpid()}"
    try:
        outcome = job.run(
            vault,
            recording_id=recording_id,
            owner=owner,
            model=lambda: load_model(settings),
        )
    except Busy as busy:
        # Another worker holds it: look again once its lease would have run out.
        wait = max(1.0, (busy.until - datetime.now(UTC)).total_seconds() + 1)
        self.app.send_task(
            "vault.transcribe", args=[recording_id], countdown=wait, queue=settings.queue_name
        )
        return "busy"
    except job.TRANSIENT as error:
        _retry_or_give_up(
            self,
            error,
            give_up=lambda attempts: job.give_up(
                vault, recording_id=recording_id, attempts=attempts
            ),
            ids={"recording_id": recording_id},
        )
    return outcome.value


def _retry_or_give_up(
    task: Task[Any, Any],
    error: Exception,
    *,
    give_up: Callable[[int], None],
    ids: dict[str, str],
) -> NoReturn:
    """A transient error: retry with capped exponential backoff, or, after the last retry,
    give up (the work fails with a plain reason) and re-raise."""
    settings = current_vault().settings
    retries = task.request.retries
    if retries >= settings.task_max_retries:
        give_up(retries + 1)
        raise error
    delay = min(
        settings.task_retry_backoff_seconds * 2**retries,
        settings.task_retry_backoff_max_seconds,
    )
    log.warning(
        "transient error, retrying",
        extra={**ids, "retry_in": delay, "error": type(error).__name__},
    )
    raise task.retry(countdown=delay, exc=error) from None


@shared_task(
    name="vault.export",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
)
def build_export(self: Task[Any, Any], export_id: str) -> str:
    vault = current_vault()
    try:
        outcome = export.build(vault, export_id)
    except export.TRANSIENT as error:
        _retry_or_give_up(
            self,
            error,
            give_up=lambda attempts: export.give_up(vault, export_id=export_id, attempts=attempts),
            ids={"export_id": export_id},
        )
    return outcome.value


@shared_task(name="vault.reconcile", bind=True, acks_late=True)
def reconcile(self: Task[Any, Any]) -> int:
    vault = current_vault()
    dispatcher = CeleryDispatcher(self.app, vault.settings)
    count = job.reconcile(vault, enqueue=dispatcher.transcribe)
    return count + export.requeue(vault, now=datetime.now(UTC), enqueue=dispatcher.export)


@shared_task(name="vault.audit_checkpoint", acks_late=True)
def audit_checkpoint() -> None:
    vault = current_vault()
    with transaction(vault.factory) as session:
        audit.checkpoint(session, signer=vault.signer)


@shared_task(name="vault.retention_sweep", acks_late=True)
def retention_sweep() -> int:
    """Erase what retention says is due; safe to run twice. Returns how many calls went."""
    vault = current_vault()
    return retention.sweep(vault, now=datetime.now(UTC)).erased
