"""The transcription task's retry policy: transient errors are retried with backoff and a cap,
after which the recording fails with a reason a person understands."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from celery import Celery

from models.tables import Recording
from tests.api.conftest import Api, api, metadata
from tests.api.test_upload import noisy_wav
from vault.storage.base import StorageUnavailable
from vault.storage.local import LocalBlobStore
from workers import tasks
from workers.app import make_celery
from workers.context import install

__all__ = ["api"]  # the fixture, shared with the API tests


class UnreachableStore(LocalBlobStore):
    """A store whose reads fail as a server that is down does."""

    reads = 0

    def get(self, key: str, *, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        type(self).reads += 1
        raise StorageUnavailable("the store is unreachable (test)")


@pytest.fixture
def eager(api: Api) -> Celery:
    api.vault.settings.task_max_retries = 2
    app = make_celery(api.vault.settings)
    app.conf.task_always_eager = True
    install(api.vault)
    return app


def test_transient_errors_are_retried_then_the_call_fails_plainly(
    api: Api, eager: Celery, monkeypatch: pytest.MonkeyPatch
) -> None:
    response = api.upload(noisy_wav(1.0), metadata("retry-1"))
    rid = response.json()["id"]
    store = UnreachableStore(api.settings.resolved_blob_dir)
    monkeypatch.setattr(api.vault, "store", store)
    UnreachableStore.reads = 0
    result: Any = tasks.transcribe.apply(args=(rid,))
    assert isinstance(result.result, StorageUnavailable)
    assert UnreachableStore.reads == 3  # the first try and two retries
    recording = api.client.get(
        f"/api/v1/recordings/{rid}", headers=api.headers("rights_officer", "hukuk")
    ).json()
    assert recording["status"] == "failed"
    assert recording["status_reason"] == (
        "gave up after 3 attempts: the storage or database was unreachable"
    )


def test_a_finished_call_is_not_transcribed_again(api: Api, eager: Celery) -> None:
    response = api.upload(noisy_wav(1.0), metadata("retry-2"))
    rid = response.json()["id"]
    with api.vault.factory() as session, session.begin():
        recording = session.get(Recording, rid)
        assert recording is not None
        recording.status = "ready"
    result: Any = tasks.transcribe.apply(args=(rid,))
    assert result.result == "skipped"
