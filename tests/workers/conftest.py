"""Workers under test: the production topology (Redis, PostgreSQL, `vault worker` processes,
`vault scheduler`) and the embedded one (inside the API process, no services)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text

from api.app import create_app
from models.base import Base
from models.tables import Blob, Recording
from tests.api.conftest import Api
from vault.auth.roles import Role
from vault.config import Settings
from vault.runtime import Vault, open_vault
from workers.app import make_celery
from workers.dispatch import CeleryDispatcher

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/0"
PURPOSE = {"X-Access-Purpose": "quality-review"}

FAST_RECOVERY = {
    "VAULT_TASK_LEASE_SECONDS": "4",
    "VAULT_STUCK_AFTER_SECONDS": "3",
    "VAULT_RECONCILE_EVERY_SECONDS": "1",
    "VAULT_PROGRESS_EVERY_SECONDS": "0.5",
    "VAULT_BROKER_VISIBILITY_TIMEOUT_SECONDS": "6",
    "VAULT_TASK_RETRY_BACKOFF_SECONDS": "1",
    "VAULT_WHISPER_THREADS": "2",
}


@dataclass
class Calls:
    """Waiting on recordings and reading their transcripts, through the API."""

    api: Api

    def status(self, recording_id: str) -> dict[str, Any]:
        response = self.api.client.get(
            f"/api/v1/recordings/{recording_id}", headers=self.api.headers(Role.RIGHTS_OFFICER)
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def wait(self, recording_id: str, *, until: set[str], seconds: float = 180) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        while True:
            state = self.status(recording_id)
            if state["status"] in until:
                return state
            if time.monotonic() > deadline:
                raise AssertionError(f"still {state['status']} after {seconds} s: {state}")
            time.sleep(0.2)

    def transcript(self, recording_id: str) -> dict[str, Any]:
        response = self.api.client.get(
            f"/api/v1/recordings/{recording_id}/transcript",
            params={"variant": "raw"},
            headers=self.api.headers(Role.RIGHTS_OFFICER, **PURPOSE),
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def transcript_objects(self, recording_id: str) -> tuple[int, list[str]]:
        vault = self.api.vault
        with vault.factory() as session:
            rows = session.scalars(
                select(Blob).where(
                    Blob.recording_id == recording_id, Blob.variant == "transcript-raw"
                )
            ).all()
        keys = list(vault.store.keys(f"recordings/{recording_id}/transcript-raw"))
        return len(rows), keys

    def attempts(self, recording_id: str) -> int:
        with self.api.vault.factory() as session:
            recording = session.get(Recording, recording_id)
            assert recording is not None
            return recording.attempts


@dataclass
class Cluster(Calls):
    """`vault worker` and `vault scheduler` processes on a real Redis broker and PostgreSQL."""

    env: dict[str, str] = field(default_factory=dict)
    logs: Path = Path()
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def _spawn(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        with (self.logs / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "vault.cli", *args],
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill -9 takes its children too
                cwd=self.logs,
            )
        self.processes.append(process)
        return process

    def start_worker(self, name: str) -> subprocess.Popen[bytes]:
        return self._spawn(name, "worker", "--concurrency", "1", "--hostname", f"{name}@test")

    def start_scheduler(self) -> subprocess.Popen[bytes]:
        return self._spawn("scheduler", "scheduler")

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)

    def log_text(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.logs.glob("*.log")))


def _settings_from(env: dict[str, str]) -> Settings:
    return Settings.model_validate({k.removeprefix("VAULT_").lower(): v for k, v in env.items()})


@pytest.fixture
def cluster(
    postgres_url: str, tmp_path: Path, model_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Cluster]:
    env = {
        "VAULT_DATA_DIR": str(tmp_path / "data"),
        "VAULT_DATABASE_URL": postgres_url,
        "VAULT_BROKER_URL": REDIS_URL,
        "VAULT_QUEUE_NAME": f"test-{uuid.uuid4().hex[:10]}",
        "VAULT_MODEL_CACHE_DIR": str(model_cache_dir),
        **FAST_RECOVERY,
    }
    for name in list(os.environ):
        if name.startswith("VAULT_"):
            monkeypatch.delenv(name)
    settings = _settings_from(env)
    vault = open_vault(settings)
    dispatcher = CeleryDispatcher(make_celery(settings), settings)
    logs = tmp_path / "logs"
    logs.mkdir()
    with TestClient(create_app(vault=vault, dispatcher=dispatcher)) as client:
        running = Cluster(api=Api(client=client, vault=vault), env=env, logs=logs)
        try:
            yield running
        finally:
            running.stop_all()
    vault.close()
    engine = create_engine(postgres_url)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} CASCADE"))
    engine.dispose()


@pytest.fixture
def embedded(
    tmp_path: Path, model_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Calls]:
    """`vault serve` on embedded defaults: SQLite, local blobs, the worker in the process."""
    for name in list(os.environ):
        if name.startswith("VAULT_"):
            monkeypatch.delenv(name)
    settings = _settings_from(
        {
            "VAULT_DATA_DIR": str(tmp_path / "data"),
            "VAULT_MODEL_CACHE_DIR": str(model_cache_dir),
            **FAST_RECOVERY,
        }
    )
    vault: Vault = open_vault(settings)
    with TestClient(create_app(vault=vault, embedded_worker=True)) as client:
        yield Calls(api=Api(client=client, vault=vault))
    vault.close()
