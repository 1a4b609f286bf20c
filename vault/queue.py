"""How the core asks for background work, without knowing the queue that carries it."""

from __future__ import annotations

from typing import Protocol


class Dispatcher(Protocol):
    def transcribe(self, recording_id: str) -> None:
        """Ask for a recording to be transcribed. May raise if the queue is unreachable: the
        recording is still safe, and the reconciler enqueues it again later."""

    def export(self, export_id: str) -> None:
        """Ask for a subject's export to be built. May raise if the queue is unreachable: the
        export stays ``queued`` and the sweep enqueues it again later."""
