"""Sending work: the ``Dispatcher`` the API uses, over Celery."""

from __future__ import annotations

from celery import Celery

from vault.config import Settings


class CeleryDispatcher:
    def __init__(self, app: Celery, settings: Settings) -> None:
        self._app = app
        self._queue = settings.queue_name

    def transcribe(self, recording_id: str) -> None:
        self._app.send_task("vault.transcribe", args=[recording_id], queue=self._queue)

    def export(self, export_id: str) -> None:
        self._app.send_task("vault.export", args=[export_id], queue=self._queue)
