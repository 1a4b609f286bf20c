"""The export task as workers run it: ``vault.export`` builds once; transient errors are retried
and, past the last retry, fail the export with a plain reason."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from models.exports import ExportStatus
from models.rights import Kind
from models.tables import Export, Subject
from tests.vault.rights.calls import CALL_DAY, add_call, opened, subject_of
from vault.config import Settings
from vault.db import transaction
from vault.rights import _build, export
from vault.rights import requests as register
from vault.runtime import Vault
from vault.storage.base import StorageUnavailable
from workers import tasks
from workers.app import make_celery
from workers.context import install


@pytest.fixture
def vault(settings: Settings) -> Iterator[Vault]:
    """On SQLite and on PostgreSQL."""
    yield from opened(settings)


def _queued(vault: Vault) -> str:
    add_call(vault)
    subject = subject_of(vault)
    with transaction(vault.factory) as session:
        register.register(
            session,
            reference="KVKK-2026-0300",
            kind=Kind.ACCESS,
            received_at=CALL_DAY,
            subject=None,
            handler=None,
            notes=None,
            actor="hukuk",
            due_days=30,
            now=CALL_DAY,
        )
        row = session.get(Subject, subject.id)
        assert row is not None
        return export.request_export(
            session, subject=row, request_ref="KVKK-2026-0300", actor="hukuk", now=CALL_DAY
        ).id


def _status(vault: Vault, export_id: str) -> Export:
    with vault.factory() as session:
        row = session.get(Export, export_id)
        assert row is not None
        return row


def test_the_task_builds_the_export_once(vault: Vault) -> None:
    app = make_celery(vault.settings)
    app.conf.task_always_eager = True
    install(vault)
    assert "vault.export" in app.tasks
    export_id = _queued(vault)
    result: Any = tasks.build_export.apply(args=(export_id,))
    assert result.result == "built"
    assert _status(vault, export_id).status == ExportStatus.READY.value
    assert tasks.build_export.apply(args=(export_id,)).result == "skipped"


def test_a_store_that_stays_down_fails_the_export_after_the_last_retry(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault.settings.task_max_retries = 0
    app = make_celery(vault.settings)
    app.conf.task_always_eager = True
    install(vault)
    export_id = _queued(vault)

    def down(*args: Any, **kwargs: Any) -> None:
        raise StorageUnavailable("the object store is unreachable")

    monkeypatch.setattr(_build, "_write", down)
    result: Any = tasks.build_export.apply(args=(export_id,))
    assert isinstance(result.result, StorageUnavailable)
    row = _status(vault, export_id)
    assert row.status == ExportStatus.FAILED.value
    assert "gave up after 1 attempts" in (row.status_reason or "")
    assert list(vault.store.keys("exports/")) == []
