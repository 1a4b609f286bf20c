"""Exports of a subject's data: what the ZIP holds (and never holds), that it is built once,
expires, is swept, is shredded by erasure, and leaves nothing behind when its build fails."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from models.exports import ExportStatus
from models.rights import Kind
from models.tables import AuditEntry, Blob, Export, Key, Recording, Subject
from tests.vault.rights.calls import OTHER, SUBJECT, add_call, audio_bytes, opened, subject_of
from vault.audit import service as audit
from vault.config import Settings
from vault.db import transaction
from vault.errors import Conflict, Gone, KeyDestroyed, NotReady
from vault.recordings import blobs
from vault.rights import _build, erasure, export
from vault.rights import requests as register
from vault.rights.erasure import Trigger
from vault.runtime import Vault
from vault.storage.base import StorageUnavailable

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
REF = "KVKK-2026-010"


@pytest.fixture
def vault(settings: Settings) -> Iterator[Vault]:
    """On SQLite and on PostgreSQL."""
    yield from opened(settings)


def _register(vault: Vault, reference: str = REF, kind: Kind = Kind.ACCESS) -> None:
    with transaction(vault.factory) as session:
        register.register(
            session,
            reference=reference,
            kind=kind,
            received_at=NOW - timedelta(days=1),
            subject=None,
            handler=None,
            notes=None,
            actor="hukuk",
            due_days=30,
            now=NOW,
        )


def _request(vault: Vault, reference: str = REF, details: Any = SUBJECT) -> str:
    subject = subject_of(vault, details)
    with transaction(vault.factory) as session:
        row = session.get(Subject, subject.id)
        assert row is not None
        made = export.request_export(
            session, subject=row, request_ref=reference, actor="hukuk", now=NOW
        )
        return made.id


def _access(vault: Vault, recording_id: str, *, actor: str, outcome: str = "allowed") -> None:
    with transaction(vault.factory) as session:
        audit.record(
            session,
            event=audit.AuditEvent(
                actor=actor,
                role="rights_officer",
                action="recording.audio.original",
                resource_type="recording",
                resource_id=recording_id,
                variant="original",
                purpose="customer-complaint",
                outcome=outcome,  # type: ignore[arg-type]
            ),
            signer=vault.signer,
            checkpoint_every=vault.settings.audit_checkpoint_every,
        )


def _row(vault: Vault, export_id: str) -> Export:
    with vault.factory() as session:
        row = session.get(Export, export_id)
        assert row is not None
        return row


def _download(vault: Vault, export_id: str, *, now: datetime = NOW) -> bytes:
    with vault.factory() as session:
        row = session.get(Export, export_id)
        assert row is not None
        found = export.open_download(session, keyring=vault.keyring, export=row, now=now)
    return b"".join(export.chunks(vault.store, found))


def _stored(vault: Vault, recording_id: str, variant: str = "original") -> bytes:
    with vault.factory() as session:
        recording = session.get(Recording, recording_id)
        assert recording is not None
        item = blobs.open_variant(
            session, keyring=vault.keyring, recording=recording, variant=variant
        )
    return b"".join(blobs.read_range(vault.store, item, start=0, end=item.plaintext_size))


def _members(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened_zip:
        assert opened_zip.testzip() is None
        return {name: opened_zip.read(name) for name in opened_zip.namelist()}


def _export_objects(vault: Vault) -> list[str]:
    return sorted(vault.store.keys("exports/"))


def test_the_export_holds_everything_on_the_subject_and_nothing_on_anyone_else(
    vault: Vault,
) -> None:
    first = add_call(vault, started_at=datetime(2024, 3, 1, 9, 30, tzinfo=UTC))
    second = add_call(vault, started_at=datetime(2025, 6, 2, 14, 0, tzinfo=UTC))
    no_original = add_call(vault, started_at=datetime(2025, 7, 1, 8, 0, tzinfo=UTC))
    erased = add_call(vault, started_at=datetime(2025, 8, 1, 8, 0, tzinfo=UTC))
    other = add_call(vault, subject=OTHER, audio=b"RIFF" + b"other-customer-audio" * 50)
    with transaction(vault.factory) as session:
        session.execute(
            delete(Blob).where(Blob.recording_id == no_original, Blob.variant == "original")
        )
        erasure.erase_recordings(
            session, recording_ids=[erased], trigger=Trigger.RETENTION, actor="system", now=NOW
        )
    _access(vault, first, actor="hukuk")
    _access(vault, second, actor="kalite", outcome="denied")
    _access(vault, other, actor="someone-else")
    _register(vault)
    export_id = _request(vault)

    assert export.build(vault, export_id, now=NOW) is export.Outcome.BUILT

    row = _row(vault, export_id)
    assert row.status == ExportStatus.READY.value
    assert row.ready_at == NOW
    assert row.expires_at == NOW + timedelta(hours=72)
    assert row.delete_after == NOW + timedelta(days=14)
    archive = _download(vault, export_id)
    assert row.size_bytes == len(archive)
    files = _members(archive)
    assert row.file_count == len(files)

    manifest = json.loads(files["manifest.json"])
    assert manifest["export_id"] == export_id
    assert manifest["subject_id"] == row.subject_id
    listed = {item["path"]: item for item in manifest["files"]}
    assert set(listed) == set(files) - {"manifest.json"}
    for path, item in listed.items():
        assert item["size"] == len(files[path]), path
        assert item["sha256"] == hashlib.sha256(files[path]).hexdigest(), path

    subject = json.loads(files["subject.json"])
    assert subject["customer_id"] == SUBJECT.customer_id
    assert subject["name"] == SUBJECT.name
    assert subject["phone"] == SUBJECT.phone
    assert subject["email"] == SUBJECT.email

    for recording_id in (first, second):
        folder = f"recordings/{recording_id}"
        assert files[f"{folder}/original.wav"] == _stored(vault, recording_id)
        meta = json.loads(files[f"{folder}/metadata.json"])
        assert meta["call_id"] == f"call-{recording_id}"
        assert meta["agent_id"] == "ayse"
        assert meta["original"] == "original.wav"
        for name, variant in (("raw", "transcript-raw"), ("redacted", "transcript-redacted")):
            assert files[f"{folder}/transcript.{name}.json"] == _stored(
                vault, recording_id, variant
            )
        assert files[f"{folder}/transcript.raw.txt"].decode() == (
            f"[00:00] mixed: Adım {SUBJECT.name}, numaram {SUBJECT.phone}\n"
        )
        assert b"[PERSON]" in files[f"{folder}/transcript.redacted.txt"]
    only_metadata = json.loads(files[f"recordings/{no_original}/metadata.json"])
    assert only_metadata["original"] is None
    assert f"recordings/{no_original}/original.wav" not in files
    assert not any(name.startswith(f"recordings/{erased}/") for name in files)

    everything = b"".join(files.values())
    for value in (OTHER.name, OTHER.phone, OTHER.email, OTHER.customer_id, other):
        assert value is not None
        assert value.encode() not in everything
    assert b"other-customer-audio" not in everything
    assert "someone-else" not in files["access-history.json"].decode()

    history = json.loads(files["access-history.json"])
    opened_by = [(e["actor"], e["resource_id"], e["purpose"], e["outcome"]) for e in history]
    assert ("hukuk", first, "customer-complaint", "allowed") in opened_by
    assert ("kalite", second, "customer-complaint", "denied") in opened_by

    turkish = files["summary.tr.txt"].decode()
    english = files["summary.en.txt"].decode()
    assert "Görüşme kaydı sayısı: 3" in turkish
    assert "2024-03-01 – 2025-07-01" in turkish
    assert "Call recordings: 3" in english
    assert "Calls dated from 2024-03-01 to 2025-07-01" in english
    assert "Categories of personal data" in english
    assert "Saklama süreleri" in turkish

    with vault.factory() as session:
        built = session.scalars(select(AuditEntry).where(AuditEntry.action == export.BUILT)).one()
        assert built.actor == "system:export"
        assert built.resource_id == export_id
        assert built.detail == f"request_ref={REF}"


def test_building_twice_builds_once(vault: Vault) -> None:
    add_call(vault)
    _register(vault)
    export_id = _request(vault)
    assert export.build(vault, export_id, now=NOW) is export.Outcome.BUILT
    first = _row(vault, export_id)
    assert export.build(vault, export_id, now=NOW) is export.Outcome.SKIPPED
    assert _row(vault, export_id).sha256 == first.sha256
    assert _export_objects(vault) == [export.object_key(export_id, 1)]


def test_asking_again_while_it_is_queued_gives_the_same_export(vault: Vault) -> None:
    add_call(vault)
    _register(vault)
    assert _request(vault) == _request(vault)


def test_only_an_open_access_request_about_the_subject_can_be_answered(vault: Vault) -> None:
    add_call(vault)
    add_call(vault, subject=OTHER)
    _register(vault, "KVKK-ERASE", Kind.ERASURE)
    with pytest.raises(Conflict, match="access"):
        _request(vault, "KVKK-ERASE")
    _register(vault)
    _request(vault)
    with pytest.raises(Conflict, match="another data subject"):
        _request(vault, REF, OTHER)


def test_the_download_is_refused_until_ready_and_gone_once_expired(vault: Vault) -> None:
    add_call(vault)
    _register(vault)
    export_id = _request(vault)
    with pytest.raises(NotReady):
        _download(vault, export_id)
    export.build(vault, export_id, now=NOW)
    assert _download(vault, export_id, now=NOW + timedelta(hours=71))
    with pytest.raises(Gone):
        _download(vault, export_id, now=NOW + timedelta(hours=72))
    assert export.status_of(_row(vault, export_id), now=NOW + timedelta(hours=73)) == "expired"

    early = export.sweep(vault, now=NOW + timedelta(days=13))
    assert early.expired == 0
    assert _export_objects(vault)
    swept = export.sweep(vault, now=NOW + timedelta(days=14))
    assert swept.expired == 1
    assert _export_objects(vault) == []
    row = _row(vault, export_id)
    assert row.status == ExportStatus.EXPIRED.value
    assert row.object_key is None
    assert row.wrapped_dek is None
    with pytest.raises(Gone):
        _download(vault, export_id, now=NOW + timedelta(days=14))


def test_erasing_the_subject_shreds_its_exports(vault: Vault) -> None:
    add_call(vault)
    _register(vault)
    export_id = _request(vault)
    export.build(vault, export_id, now=NOW)
    subject = subject_of(vault)
    with transaction(vault.factory) as session:
        row = session.get(Subject, subject.id)
        assert row is not None
        erasure.erase_subject(session, subject=row, trigger=Trigger.REQUEST, actor="hukuk", now=NOW)
    erasure.finish(vault.store, vault.factory)
    assert _export_objects(vault) == []
    row_after = _row(vault, export_id)
    assert row_after.status == erasure.EXPORT_ERASED
    with pytest.raises(Gone):
        _download(vault, export_id)
    with vault.factory() as session:
        key = session.get(Key, subject.key_id)
        assert key is not None
        assert key.wrapped is None
        erased_subject = session.get(Subject, subject.id)
        assert erased_subject is not None
        with pytest.raises(KeyDestroyed):
            export.request_export(
                session, subject=erased_subject, request_ref=REF, actor="hukuk", now=NOW
            )


def test_a_subject_erased_during_the_build_leaves_no_export(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_call(vault)
    _register(vault)
    export_id = _request(vault)
    commit = _build._commit

    def erase_first(*args: Any, **kwargs: Any) -> None:
        with transaction(vault.factory) as session:
            row = session.get(Subject, subject_of(vault).id)
            assert row is not None
            erasure.erase_subject(
                session, subject=row, trigger=Trigger.REQUEST, actor="hukuk", now=NOW
            )
        commit(*args, **kwargs)

    monkeypatch.setattr(_build, "_commit", erase_first)
    assert export.build(vault, export_id, now=NOW) is export.Outcome.FAILED
    assert _export_objects(vault) == []
    row = _row(vault, export_id)
    assert row.status == erasure.EXPORT_ERASED
    assert row.wrapped_dek is None


def _break_after_first_chunk(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    read_range = blobs.read_range

    def failing(*args: Any, **kwargs: Any) -> Iterator[bytes]:
        chunks = read_range(*args, **kwargs)
        yield next(chunks)
        raise error

    monkeypatch.setattr(blobs, "read_range", failing)


def test_a_failure_mid_build_leaves_no_object_and_no_ready_export(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_call(vault, audio=audio_bytes() * 100)
    _register(vault)
    export_id = _request(vault)
    _break_after_first_chunk(monkeypatch, RuntimeError(f"leaked {SUBJECT.name}"))

    assert export.build(vault, export_id, now=NOW) is export.Outcome.FAILED

    row = _row(vault, export_id)
    assert row.status == ExportStatus.FAILED.value
    assert row.status_reason is not None
    assert "Ahmet" not in row.status_reason
    assert row.object_key is None
    assert row.wrapped_dek is None
    assert _export_objects(vault) == []
    with pytest.raises(Conflict, match="failed"):
        _download(vault, export_id)


def test_a_transient_failure_gives_the_export_back_to_the_queue(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_call(vault, audio=audio_bytes() * 100)
    _register(vault)
    export_id = _request(vault)
    _break_after_first_chunk(monkeypatch, StorageUnavailable("the store went away"))
    with pytest.raises(StorageUnavailable):
        export.build(vault, export_id, now=NOW)
    assert _row(vault, export_id).status == ExportStatus.QUEUED.value
    assert _export_objects(vault) == []

    monkeypatch.undo()
    assert export.build(vault, export_id, now=NOW) is export.Outcome.BUILT
    assert _row(vault, export_id).attempts == 2
    assert _export_objects(vault) == [export.object_key(export_id, 2)]


def test_exports_left_waiting_are_enqueued_again_once(vault: Vault) -> None:
    add_call(vault)
    _register(vault)
    export_id = _request(vault)
    sent: list[str] = []
    stuck = timedelta(seconds=vault.settings.stuck_after_seconds)
    assert export.requeue(vault, now=NOW, enqueue=sent.append) == 0
    assert export.requeue(vault, now=NOW + stuck, enqueue=sent.append) == 1
    assert export.requeue(vault, now=NOW + stuck, enqueue=sent.append) == 0
    assert sent == [export_id]

    # A worker died while building: once its lease runs out, the export is sent again.
    with transaction(vault.factory) as session:
        taken = export.claim(
            session, export_id=export_id, lease_seconds=60, max_attempts=5, now=NOW + stuck
        )
        assert taken is not None
    later = NOW + stuck + timedelta(seconds=61)
    assert export.sweep(vault, now=later, enqueue=sent.append).requeued == 1
    assert sent == [export_id, export_id]
    assert export.build(vault, export_id, now=later) is export.Outcome.BUILT


def test_a_build_that_keeps_dying_is_failed_in_the_end(vault: Vault) -> None:
    add_call(vault)
    _register(vault)
    export_id = _request(vault)
    at = NOW
    for _ in range(3):
        with transaction(vault.factory) as session:
            assert export.claim(
                session, export_id=export_id, lease_seconds=1, max_attempts=3, now=at
            )
        at += timedelta(seconds=2)
    with transaction(vault.factory) as session:
        assert (
            export.claim(session, export_id=export_id, lease_seconds=1, max_attempts=3, now=at)
            is None
        )
    row = _row(vault, export_id)
    assert row.status == ExportStatus.FAILED.value
    assert "interrupted 3 times" in (row.status_reason or "")
    with vault.factory() as session:
        assert session.scalar(select(func.count()).select_from(Export)) == 1
