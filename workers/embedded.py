"""The worker and scheduler that run inside ``vault serve`` on embedded defaults.

The same Celery tasks as production, consumed by a Celery worker on a thread of the API process
from the broker in the data directory, and a scheduler thread that runs the reconciler and the
retention sweep, each on its own interval.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime

from celery import Celery
from celery.worker import WorkController

from vault.rights import export, retention
from vault.runtime import Vault
from vault.transcription import job
from workers.app import make_celery
from workers.context import install
from workers.dispatch import CeleryDispatcher

log = logging.getLogger(__name__)


class EmbeddedWorker:
    def __init__(self, vault: Vault, app: Celery | None = None) -> None:
        self.vault = vault
        self.app = app or make_celery(vault.settings)
        self.dispatcher = CeleryDispatcher(self.app, vault.settings)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._worker: WorkController | None = None

    def start(self) -> None:
        install(self.vault)
        self.app.loader.import_default_modules()
        worker = WorkController(
            app=self.app,
            hostname=f"embedded@{self.vault.settings.queue_name}",
            pool="solo",
            concurrency=1,
            queues=[self.vault.settings.queue_name],
            without_heartbeat=True,
            without_mingle=True,
            without_gossip=True,
        )
        self._worker = worker
        consumer = threading.Thread(target=worker.start, name="embedded-worker", daemon=True)
        scheduler = threading.Thread(target=self._schedule, name="embedded-scheduler", daemon=True)
        self._threads = [consumer, scheduler]
        for thread in self._threads:
            thread.start()
        log.info("embedded worker started")

    def _schedule(self) -> None:
        """Each job on its own interval: the reconciler, and the retention sweep."""
        settings = self.vault.settings
        jobs = [
            (settings.reconcile_every_seconds, self._reconcile),
            (settings.retention_sweep_every_seconds, self._sweep),
        ]
        start = time.monotonic()
        next_at = [start + every for every, _ in jobs]
        while not self._stop.wait(max(0.0, min(next_at) - time.monotonic())):
            for index, (every, run) in enumerate(jobs):
                if next_at[index] <= time.monotonic():
                    run()
                    next_at[index] = time.monotonic() + every

    def _reconcile(self) -> None:
        try:
            job.reconcile(self.vault, enqueue=self.dispatcher.transcribe)
            export.requeue(self.vault, now=datetime.now(UTC), enqueue=self.dispatcher.export)
        except Exception:
            log.exception("reconciler run failed")

    def _sweep(self) -> None:
        try:
            retention.sweep(self.vault, now=datetime.now(UTC))
        except Exception:
            log.exception("retention sweep failed")

    def stop(self) -> None:
        self._stop.set()
        if self._worker is not None:
            self._worker.stop(in_sighandler=False)
        for thread in self._threads:
            thread.join(timeout=30)
        log.info("embedded worker stopped")
