"""The retention sweep as the workers run it: a Celery task on the beat schedule (production)
and a job on the embedded scheduler's own interval (``vault serve``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from models.retention import DEFAULT_QUEUE, Basis
from models.schemas import Status
from tests.vault.rights.calls import CALL_DAY, add_call, object_keys, opened, status_of
from vault.config import Settings
from vault.db import transaction
from vault.rights import retention
from vault.runtime import Vault
from workers import tasks
from workers.app import make_celery
from workers.context import install
from workers.embedded import EmbeddedWorker


@pytest.fixture
def vault(settings: Settings) -> Iterator[Vault]:
    """On SQLite and on PostgreSQL."""
    yield from opened(settings)


def _keep_a_day(vault: Vault) -> None:
    with transaction(vault.factory) as session:
        retention.set_policy(
            session, queue=DEFAULT_QUEUE, basis=Basis.CALL_DATE, days=1, actor="admin", now=CALL_DAY
        )


def test_the_beat_schedule_runs_the_sweep_on_its_interval(settings: Settings) -> None:
    settings.retention_sweep_every_seconds = 1234
    entry = make_celery(settings).conf.beat_schedule["retention-sweep"]
    assert entry == {"task": "vault.retention_sweep", "schedule": 1234.0}


def test_the_task_erases_what_is_due(vault: Vault) -> None:
    app = make_celery(vault.settings)
    app.conf.task_always_eager = True
    install(vault)
    rid = add_call(vault)
    _keep_a_day(vault)
    assert "vault.retention_sweep" in app.tasks
    result: Any = tasks.retention_sweep.apply()
    assert result.result == 1
    assert status_of(vault, rid) == Status.ERASED.value
    assert object_keys(vault, rid) == []
    assert tasks.retention_sweep.apply().result == 0  # a second run finds nothing


def test_the_embedded_scheduler_sweeps_on_its_own_interval(vault: Vault) -> None:
    vault.settings.reconcile_every_seconds = 3600
    vault.settings.retention_sweep_every_seconds = 1
    rid = add_call(vault)
    _keep_a_day(vault)
    worker = EmbeddedWorker(vault)
    worker.start()
    try:
        deadline = time.monotonic() + 30
        while status_of(vault, rid) != Status.ERASED.value:
            assert time.monotonic() < deadline, "the embedded scheduler did not sweep"
            time.sleep(0.2)
    finally:
        worker.stop()
    assert object_keys(vault, rid) == []
