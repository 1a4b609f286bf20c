"""Exports over HTTP: ask for one with a request reference, follow it, download the ZIP."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from models.tables import AuditEntry, Export
from tests.api.conftest import Api, metadata
from tests.audio_factory import make_wav
from vault.auth.roles import Role
from vault.config import Settings
from vault.db import transaction
from vault.rights import export
from vault.runtime import open_vault

OFFICER = Role.RIGHTS_OFFICER
PURPOSE = {"X-Access-Purpose": "rights-request"}
REF = "KVKK-2026-0100"
CUSTOMER = metadata()["subject"]
OTHER = {
    "customer_id": "CUST-100200",
    "name": "Elif Demir",
    "phone": "0555 010 20 30",
    "email": "elif.demir@example.com",
}


def _register(api: Api, reference: str = REF, kind: str = "access") -> None:
    body = {
        "reference": reference,
        "kind": kind,
        "received_at": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
    }
    response = api.client.post("/api/v1/requests", headers=api.headers(OFFICER, "hukuk"), json=body)
    assert response.status_code == 201, response.text


def _calls(api: Api) -> tuple[dict[str, bytes], str]:
    """Two calls of the customer and one of another; the customer's by id, and the other's id."""
    mine = {}
    for n in range(2):
        audio = make_wav(0.5 + n / 4, freq=440.0 + 110 * n)
        response = api.upload(audio, metadata(f"call-{n}"))
        assert response.status_code == 201, response.text
        mine[response.json()["id"]] = audio
    other = api.upload(make_wav(0.5, freq=660.0), metadata("call-other", subject=OTHER))
    assert other.status_code == 201
    return mine, other.json()["id"]


def _ask(api: Api, subject: str = "CUST-884120", **headers: str) -> Any:
    return api.client.post(
        f"/api/v1/subjects/{subject}/exports",
        headers=api.headers(OFFICER, "hukuk", **headers),
        json={"request_ref": REF},
    )


def _download(api: Api, export_id: str, **headers: str) -> Any:
    return api.client.get(
        f"/api/v1/exports/{export_id}/download", headers=api.headers(OFFICER, "hukuk", **headers)
    )


def _last_audit(api: Api) -> AuditEntry:
    with api.vault.factory() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert entry is not None
        return entry


def test_an_officer_asks_for_an_export_follows_it_and_downloads_it(api: Api) -> None:
    mine, other = _calls(api)
    first = next(iter(mine))
    played = api.client.get(
        f"/api/v1/recordings/{first}/audio",
        params={"variant": "original"},
        headers=api.headers(OFFICER, "hukuk", **{"X-Access-Purpose": "customer-complaint"}),
    )
    assert played.status_code == 200
    _register(api)

    asked = _ask(api, **PURPOSE)
    assert asked.status_code == 202, asked.text
    body = asked.json()
    assert body["status"] == "queued"
    assert body["request_ref"] == REF
    assert set(body) == {
        "id",
        "status",
        "subject_id",
        "request_ref",
        "created_at",
        "ready_at",
        "expires_at",
        "size_bytes",
        "file_count",
        "status_reason",
    }
    entry = _last_audit(api)
    assert (entry.action, entry.outcome, entry.resource_id, entry.purpose) == (
        "subject.export",
        "allowed",
        body["subject_id"],
        "rights-request",
    )
    assert entry.detail == f"request_ref={REF} export_id={body['id']}"
    export_id = body["id"]

    waiting = _download(api, export_id, **PURPOSE)
    assert waiting.status_code == 409
    assert export.build(api.vault, export_id) is export.Outcome.BUILT

    state = api.client.get(f"/api/v1/exports/{export_id}", headers=api.headers(OFFICER, "hukuk"))
    assert state.status_code == 200
    ready = state.json()
    assert ready["status"] == "ready"
    assert ready["expires_at"] is not None

    response = _download(api, export_id, **PURPOSE)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="export-{export_id}.zip"'
    )
    assert int(response.headers["content-length"]) == len(response.content) == ready["size_bytes"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.testzip() is None
        files = {name: archive.read(name) for name in archive.namelist()}
    assert len(files) == ready["file_count"]
    manifest = json.loads(files["manifest.json"])
    for item in manifest["files"]:
        assert hashlib.sha256(files[item["path"]]).hexdigest() == item["sha256"]
        assert len(files[item["path"]]) == item["size"]
    for recording_id, audio in mine.items():
        assert files[f"recordings/{recording_id}/original.wav"] == audio
    assert json.loads(files["subject.json"])["name"] == CUSTOMER["name"]
    everything = b"".join(files.values())
    for value in (*OTHER.values(), other):
        assert value.encode() not in everything
    history = json.loads(files["access-history.json"])
    assert any(
        e["action"] == "recording.audio.original"
        and e["resource_id"] == first
        and e["actor"] == "hukuk"
        and e["purpose"] == "customer-complaint"
        for e in history
    )
    assert any(e["action"] == "subject.export" for e in history)
    assert "summary.tr.txt" in files
    assert "summary.en.txt" in files

    entry = _last_audit(api)
    assert (entry.action, entry.outcome, entry.resource_id, entry.purpose) == (
        "export.download",
        "allowed",
        export_id,
        "rights-request",
    )


def test_an_expired_export_is_gone(api: Api) -> None:
    _calls(api)
    _register(api)
    export_id = _ask(api, **PURPOSE).json()["id"]
    export.build(api.vault, export_id)
    with transaction(api.vault.factory) as session:
        row = session.get(Export, export_id)
        assert row is not None
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    response = _download(api, export_id, **PURPOSE)
    assert response.status_code == 410
    assert _last_audit(api).outcome == "denied"
    state = api.client.get(f"/api/v1/exports/{export_id}", headers=api.headers(OFFICER, "hukuk"))
    assert state.json()["status"] == "expired"


def test_erasing_the_subject_makes_its_export_gone(api: Api) -> None:
    _calls(api)
    _register(api)
    export_id = _ask(api, **PURPOSE).json()["id"]
    export.build(api.vault, export_id)
    _register(api, "KVKK-2026-0101", "erasure")
    erased = api.client.request(
        "DELETE",
        "/api/v1/subjects/CUST-884120",
        headers=api.headers(OFFICER, "hukuk"),
        json={"request_ref": "KVKK-2026-0101"},
    )
    assert erased.status_code == 200, erased.text
    assert list(api.vault.store.keys("exports/")) == []
    assert _download(api, export_id, **PURPOSE).status_code == 410
    again = _ask(api, **PURPOSE)
    assert again.status_code == 410


def test_an_export_needs_a_purpose_a_rights_officer_and_an_access_request(api: Api) -> None:
    _calls(api)
    _register(api)
    _register(api, "KVKK-2026-0199", "erasure")

    no_purpose = _ask(api)
    assert no_purpose.status_code == 400
    assert _last_audit(api).reason == "purpose_missing"
    for role in (Role.QA, Role.AGENT, Role.ADMIN, Role.AUDITOR):
        refused = api.client.post(
            "/api/v1/subjects/CUST-884120/exports",
            headers=api.headers(role, **PURPOSE),
            json={"request_ref": REF},
        )
        assert refused.status_code == 403
        assert _last_audit(api).reason == "role"
    no_ref = api.client.post(
        "/api/v1/subjects/CUST-884120/exports", headers=api.headers(OFFICER, **PURPOSE)
    )
    assert no_ref.status_code == 422
    wrong_kind = api.client.post(
        "/api/v1/subjects/CUST-884120/exports",
        headers=api.headers(OFFICER, **PURPOSE),
        params={"request_ref": "KVKK-2026-0199"},
    )
    assert wrong_kind.status_code == 409
    nobody = _ask(api, "CUST-000000", **PURPOSE)
    assert nobody.status_code == 404

    export_id = _ask(api, **PURPOSE).json()["id"]
    export.build(api.vault, export_id)
    assert _download(api, export_id).status_code == 400
    for role in (Role.QA, Role.AGENT, Role.ADMIN, Role.AUDITOR):
        refused = api.client.get(
            f"/api/v1/exports/{export_id}/download", headers=api.headers(role, **PURPOSE)
        )
        assert refused.status_code == 403
        state = api.client.get(f"/api/v1/exports/{export_id}", headers=api.headers(role))
        assert state.status_code == 403
    missing = api.client.get("/api/v1/exports/not-an-id", headers=api.headers(OFFICER))
    assert missing.status_code == 404


class _DownQueue:
    def transcribe(self, recording_id: str) -> None:
        raise ConnectionError("the broker is down")

    def export(self, export_id: str) -> None:
        raise ConnectionError("the broker is down")


@pytest.fixture
def queue_down(settings: Settings) -> Iterator[Api]:
    vault = open_vault(settings)
    with TestClient(create_app(vault=vault, dispatcher=_DownQueue())) as client:
        yield Api(client=client, vault=vault)
    vault.close()


def test_the_export_is_accepted_while_the_queue_is_down(queue_down: Api) -> None:
    api = queue_down
    _calls(api)
    _register(api)
    response = _ask(api, **PURPOSE)
    assert response.status_code == 202, response.text
    export_id = response.json()["id"]
    sent: list[str] = []
    later = datetime.now(UTC) + timedelta(seconds=api.settings.stuck_after_seconds)
    assert export.requeue(api.vault, now=later, enqueue=sent.append) == 1
    assert sent == [export_id]
