"""Corrections over HTTP: details, metadata and transcript, each keeping the earlier version."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from models.schemas import Segment, Speaker, Status, Transcript, Word
from models.tables import AuditEntry, Blob, Correction, Recording
from tests.api.conftest import Api, metadata
from tests.audio_factory import make_wav
from vault.auth.roles import Role
from vault.db import transaction
from vault.keys import service as keys
from vault.recordings import blobs
from vault.rights import export
from vault.search import service as search
from vault.search.schemas import SearchFilters
from vault.transcription import job
from vault.transcription import store as transcripts

OFFICER = Role.RIGHTS_OFFICER
PURPOSE = {"X-Access-Purpose": "dispute:CASE-1"}


def _register(api: Api, reference: str, kind: str = "correction") -> None:
    body = {
        "reference": reference,
        "kind": kind,
        "received_at": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
        "subject_id": "CUST-884120",
    }
    response = api.client.post("/api/v1/requests", headers=api.headers(OFFICER, "hukuk"), json=body)
    assert response.status_code == 201, response.text


def _words(text: str, start: float) -> list[Word]:
    return [
        Word(word=w, start=start + i * 0.3, end=start + i * 0.3 + 0.25, probability=0.9)
        for i, w in enumerate(text.split())
    ]


def _ready_call(api: Api) -> str:
    """An uploaded call with a raw transcript, as the worker leaves it before redacting."""
    response = api.upload(make_wav(4.0), metadata("call-c1"))
    assert response.status_code == 201, response.text
    recording_id: str = response.json()["id"]
    first, second = "merhaba aboneliğimi iptal etmek istiyorum", "faturam çok yüksek geldi"
    transcript = Transcript(
        language="tr",
        duration=4.0,
        text=f"{first} {second}",
        segments=[
            Segment(
                start=0.0, end=1.8, speaker=Speaker.MIXED, text=first, words=_words(first, 0.0)
            ),
            Segment(
                start=2.0, end=3.5, speaker=Speaker.MIXED, text=second, words=_words(second, 2.0)
            ),
        ],
    )
    with transaction(api.vault.factory) as session:
        recording = session.get(Recording, recording_id)
        assert recording is not None
        kek = keys.open_key(session, keyring=api.vault.keyring, key_id=recording.key_id)
        sealed = blobs.write(
            api.vault.store,
            recording_id=recording_id,
            variant=transcripts.RAW,
            chunks=[transcript.model_dump_json().encode()],
            segment_size=api.settings.segment_size,
        )
        blobs.record(
            session,
            sealed=sealed,
            key_id=recording.key_id,
            kek=kek,
            content_type="application/json",
        )
    # The worker's redaction step, in this process (the raw transcript exists: no whisper).
    outcome = job.run(api.vault, recording_id=recording_id, owner="test", model=_no_model)
    assert outcome is job.Outcome.DONE
    return recording_id


def _no_model() -> Any:
    raise AssertionError("the call has a transcript: nothing should be transcribed")


def _post(api: Api, url: str, body: dict[str, Any]) -> Any:
    return api.client.post(url, headers=api.headers(OFFICER, "hukuk"), json=body)


def test_correcting_a_subjects_details_keeps_the_earlier_ones(api: Api) -> None:
    assert api.upload(make_wav(0.5), metadata("call-1")).status_code == 201
    _register(api, "KVKK-C1")
    response = _post(
        api,
        "/api/v1/subjects/CUST-884120/corrections",
        {
            "request_ref": "KVKK-C1",
            "reason": "müşteri soyadının yanlış yazıldığını bildirdi",
            "name": "Ahmet Yıldız",
            "phone": "0533 000 11 22",
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["fields"] == ["name", "phone"]
    assert response.json()["earlier"] == {"name": "Ahmet Yılmaz", "phone": "0532 418 27 90"}

    headers = api.headers(OFFICER, "hukuk")
    by_new = api.client.post(
        "/api/v1/subjects/lookup", headers=headers, json={"phone": "05330001122"}
    ).json()
    assert by_new[0]["details"]["name"] == "Ahmet Yıldız"
    by_old = api.client.post(
        "/api/v1/subjects/lookup", headers=headers, json={"phone": "0532 418 27 90"}
    ).json()
    assert by_old == []
    listed = api.client.get("/api/v1/subjects/CUST-884120/corrections", headers=headers).json()
    assert [c["request_ref"] for c in listed] == ["KVKK-C1"]
    with api.vault.factory() as session:
        row = session.scalars(select(Correction)).one()
        assert row.previous is not None
        assert b"Y\xc4\xb1lmaz" not in row.previous  # sealed, not in clear
        details = session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "subject.correct")
        ).all()
        assert details == ["request_ref=KVKK-C1", None]  # the correction, then the listing


def test_correcting_a_calls_metadata(api: Api) -> None:
    recording_id = api.upload(make_wav(0.5), metadata("call-1")).json()["id"]
    _register(api, "KVKK-C2")
    response = _post(
        api,
        f"/api/v1/recordings/{recording_id}/corrections",
        {"request_ref": "KVKK-C2", "reason": "yanlış kuyruk", "metadata": {"queue": "cancel"}},
    )
    assert response.status_code == 201, response.text
    assert response.json()[0]["earlier"] == {"queue": "billing"}
    with api.vault.factory() as session:
        recording = session.get(Recording, recording_id)
        assert recording is not None
        assert recording.queue == "cancel"
    same = _post(
        api,
        f"/api/v1/recordings/{recording_id}/corrections",
        {"request_ref": "KVKK-C2", "reason": "again", "metadata": {"queue": "cancel"}},
    )
    assert same.status_code == 422
    assert "current ones" in same.json()["detail"]


def test_correcting_a_transcript_archives_it_and_redacts_the_call_again(api: Api) -> None:
    recording_id = _ready_call(api)
    _register(api, "KVKK-C3")
    corrected = "merhaba ben Ahmet Yılmaz aboneliğimi iptal etmek istiyorum"
    response = _post(
        api,
        f"/api/v1/recordings/{recording_id}/corrections",
        {
            "request_ref": "KVKK-C3",
            "reason": "müşterinin adı transkriptte eksikti",
            "transcript": [{"index": 0, "text": corrected}],
        },
    )
    assert response.status_code == 201, response.text
    correction = response.json()[0]
    assert correction["fields"] == ["segments[0]"]
    assert correction["earlier_variant"] == "transcript-earlier.1"

    with api.vault.factory() as session:
        recording = session.get(Recording, recording_id)
        assert recording is not None
        assert recording.status == Status.STORED.value  # hidden until redacted again
        earlier = transcripts.read(
            session,
            store=api.vault.store,
            keyring=api.vault.keyring,
            recording=recording,
            variant="transcript-earlier.1",
        )
        assert "Ahmet" not in earlier.text
        page = search.search(session, query="iptal", agent_id=None, filters=SearchFilters())
        assert page.items == []
    qa = api.client.get(
        f"/api/v1/recordings/{recording_id}/transcript", headers=api.headers(Role.QA)
    )
    assert qa.status_code == 409

    assert job.run(api.vault, recording_id=recording_id, owner="test", model=_no_model) is (
        job.Outcome.DONE
    )
    redacted = api.client.get(
        f"/api/v1/recordings/{recording_id}/transcript", headers=api.headers(Role.QA)
    )
    assert redacted.status_code == 200, redacted.text
    text = redacted.json()["segments"][0]["text"]
    assert "[PERSON]" in text
    assert "Ahmet" not in redacted.text
    assert "Yılmaz" not in redacted.text
    # The whole corrected segment is silenced: its words lost their own times.
    spans = [(e["start_time"], e["end_time"]) for e in redacted.json()["entities"]]
    assert any(start <= 0.0 and end >= 1.8 for start, end in spans)
    raw = api.client.get(
        f"/api/v1/recordings/{recording_id}/transcript",
        params={"variant": "raw"},
        headers=api.headers(OFFICER, "hukuk", **PURPOSE),
    )
    assert raw.json()["segments"][0]["text"] == corrected
    with api.vault.factory() as session:
        variants = set(
            session.scalars(select(Blob.variant).where(Blob.recording_id == recording_id))
        )
        assert "transcript-earlier.1" in variants
        hits = search.search(session, query="iptal", agent_id=None, filters=SearchFilters())
        assert [h.recording_id for h in hits.items] == [recording_id]
    live = set(api.vault.store.keys(f"recordings/{recording_id}/"))
    with api.vault.factory() as session:
        recorded = set(
            session.scalars(select(Blob.object_key).where(Blob.recording_id == recording_id))
        )
    assert live == recorded  # nothing stale left behind


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"request_ref": "KVKK-C4", "reason": "x"}, 422),
        ({"request_ref": "KVKK-C4", "reason": "x", "transcript": [{"index": 9, "text": "a"}]}, 422),
        ({"request_ref": "KVKK-NONE", "reason": "x", "metadata": {"queue": "a"}}, 404),
        ({"request_ref": "KVKK-ERASE", "reason": "x", "metadata": {"queue": "a"}}, 409),
    ],
)
def test_bad_corrections_are_refused_and_audited(
    api: Api, body: dict[str, Any], status: int
) -> None:
    recording_id = _ready_call(api)
    _register(api, "KVKK-C4")
    _register(api, "KVKK-ERASE", kind="erasure")
    before = api.counts()
    response = _post(api, f"/api/v1/recordings/{recording_id}/corrections", body)
    assert response.status_code == status, response.text
    assert api.counts() == before
    with api.vault.factory() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert entry is not None
        assert (entry.action, entry.outcome) == ("recording.correct", "denied")


def test_only_rights_officers_correct(api: Api) -> None:
    recording_id = api.upload(make_wav(0.5), metadata("call-1")).json()["id"]
    for role in (Role.QA, Role.AGENT, Role.ADMIN):
        response = api.client.post(
            f"/api/v1/recordings/{recording_id}/corrections",
            headers=api.headers(role),
            json={"request_ref": "X", "reason": "x", "metadata": {"queue": "a"}},
        )
        assert response.status_code == 403


def test_the_export_holds_the_corrections_and_what_they_replaced(api: Api) -> None:
    recording_id = _ready_call(api)
    _register(api, "KVKK-C5")
    _post(
        api,
        "/api/v1/subjects/CUST-884120/corrections",
        {"request_ref": "KVKK-C5", "reason": "soyadı", "name": "Ahmet Yıldız"},
    )
    _post(
        api,
        f"/api/v1/recordings/{recording_id}/corrections",
        {
            "request_ref": "KVKK-C5",
            "reason": "eksik kelime",
            "transcript": [{"index": 1, "text": "faturam bu ay çok yüksek geldi"}],
        },
    )
    _register(api, "KVKK-A5", kind="access")
    asked = api.client.post(
        "/api/v1/subjects/CUST-884120/exports",
        headers=api.headers(OFFICER, "hukuk", **PURPOSE),
        json={"request_ref": "KVKK-A5"},
    )
    assert asked.status_code == 202, asked.text
    export_id = asked.json()["id"]
    assert export.build(api.vault, export_id) is export.Outcome.BUILT
    zipped = api.client.get(
        f"/api/v1/exports/{export_id}/download", headers=api.headers(OFFICER, "hukuk", **PURPOSE)
    )
    assert zipped.status_code == 200, zipped.text
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as archive:
        corrections = json.loads(archive.read("corrections.json"))
        earlier = f"recordings/{recording_id}/transcript.earlier-1.json"
        earlier_text = archive.read(earlier).decode()
        listed = {f["path"] for f in json.loads(archive.read("manifest.json"))["files"]}
    assert [(c["target"], c["request_ref"]) for c in corrections] == [
        ("subject", "KVKK-C5"),
        ("transcript", "KVKK-C5"),
    ]
    assert corrections[0]["earlier"] == {"name": "Ahmet Yılmaz"}
    assert corrections[1]["earlier_transcript"] == earlier
    assert "faturam çok yüksek geldi" in earlier_text
    assert {earlier, "corrections.json"} <= listed
