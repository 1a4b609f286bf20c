"""Uploading calls: what is stored, and what is refused without leaving anything behind."""

from __future__ import annotations

import json
import random
import struct

import pytest

from tests.api.conftest import EMPTY, Api, FormPart, metadata
from tests.audio_factory import make_encoded, make_wav, missing_encoder
from vault.auth.roles import Role


def noisy_wav(seconds: float, *, seed: int = 7, rate: int = 8000, channels: int = 1) -> bytes:
    """A WAV of random samples: every 64-byte window of it is unique and easy to look for."""
    rng = random.Random(seed)
    frames = int(seconds * rate) * channels
    pcm = struct.pack(f"<{frames}h", *(rng.randint(-20000, 20000) for _ in range(frames)))
    header = make_wav(0, rate=rate, channels=channels)
    riff = struct.pack("<I", 36 + len(pcm))
    data = struct.pack("<I", len(pcm))
    return header[:4] + riff + header[8:40] + data + pcm


def play_original(api: Api, recording_id: str, user: str = "ayse") -> bytes:
    response = api.client.get(
        f"/api/v1/recordings/{recording_id}/audio",
        params={"variant": "original"},
        headers=api.headers(Role.AGENT, user, **{"X-Access-Purpose": "dispute:CASE-7"}),
    )
    assert response.status_code == 200, response.text
    return response.content


def test_upload_stores_the_call_and_plays_it_back_exactly(api: Api) -> None:
    audio = noisy_wav(3.0)
    response = api.upload(audio)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "stored"
    assert body["agent_id"] == "ayse"
    assert body["media"] == {
        "format": "wav",
        "codec": "pcm_s16le",
        "sample_rate": 8000,
        "channel_count": 1,
        "duration_seconds": 3.0,
        "size_bytes": len(audio),
    }
    assert response.headers["location"] == f"/api/v1/recordings/{body['id']}"
    assert body["subject"]["customer_id"] == "CUST-884120"
    assert play_original(api, body["id"]) == audio


@pytest.mark.parametrize(
    ("recipe", "fmt"),
    [("mp3", "mp3"), ("ogg_opus", "ogg"), ("flac", "flac"), ("m4a", "m4a"), ("wav_mulaw", "wav")],
)
def test_common_formats_are_accepted(api: Api, recipe: str, fmt: str) -> None:
    reason = missing_encoder(recipe)
    assert reason is None, reason
    audio = make_encoded(recipe, 1.5, rate=8000 if recipe == "wav_mulaw" else 16000, channels=1)
    response = api.upload(audio, metadata(f"call-{recipe}"))
    assert response.status_code == 201, response.text
    assert response.json()["media"]["format"] == fmt
    assert play_original(api, response.json()["id"]) == audio


def test_metadata_may_follow_the_file(api: Api) -> None:
    audio = noisy_wav(1.0)
    response = api.upload(audio, metadata_first=False)
    assert response.status_code == 201, response.text
    assert play_original(api, response.json()["id"]) == audio


def test_same_call_twice_is_one_recording(api: Api) -> None:
    audio = noisy_wav(1.0)
    first = api.upload(audio)
    again = api.upload(audio)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    counts = api.counts()
    assert counts["recordings"] == 1
    assert counts["objects"] == 1


def test_same_call_id_with_other_audio_is_a_conflict(api: Api) -> None:
    assert api.upload(noisy_wav(1.0, seed=1)).status_code == 201
    response = api.upload(noisy_wav(1.0, seed=2))
    assert response.status_code == 409
    assert "different audio" in response.json()["detail"]
    assert api.counts()["objects"] == 1


def test_uploads_of_one_customer_share_one_subject(api: Api) -> None:
    assert api.upload(noisy_wav(1.0, seed=1), metadata("call-a")).status_code == 201
    assert api.upload(noisy_wav(1.0, seed=2), metadata("call-b")).status_code == 201
    counts = api.counts()
    assert counts["subjects"] == 1
    assert counts["keys"] == 1


def test_call_without_a_known_customer_gets_its_own_key(api: Api) -> None:
    response = api.upload(noisy_wav(1.0), metadata(subject=None))
    assert response.status_code == 201, response.text
    assert response.json()["subject"] is None
    assert api.counts() | {"objects": 0} == EMPTY | {"recordings": 1, "blobs": 1, "keys": 1}


def _truncated_wav() -> bytes:
    return noisy_wav(2.0)[:20000]


def _header_only_wav() -> bytes:
    return make_wav(0)


BAD_FILES = [
    ("pdf", b"%PDF-1.7\n" + b"x" * 5000, 415),
    ("png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 5000, 415),
    ("zip", b"PK\x03\x04" + b"\x00" * 5000, 415),
    ("text", "Merhaba, bu bir ses dosyası değil.\n".encode() * 200, 415),
    ("html", b"<!doctype html><html><body>hi</body></html>" * 100, 415),
    ("random", random.Random(3).randbytes(50_000), 415),
    ("empty", b"", 422),
    ("tiny", b"RI", 415),
    ("header-only wav", _header_only_wav(), 422),
    ("truncated wav", _truncated_wav(), 422),
]


@pytest.mark.parametrize(("name", "content", "status"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_files_that_are_not_audio_are_refused_and_leave_nothing(
    api: Api, name: str, content: bytes, status: int
) -> None:
    response = api.upload(content)
    assert response.status_code == status, response.text
    assert response.json()["detail"]
    assert api.counts() == EMPTY


BAD_METADATA = [
    ("missing call_id", {"call_id": None}),
    ("call_id with a slash", {"call_id": "../../etc/passwd"}),
    ("call_id with a backslash", {"call_id": "a\\b"}),
    ("call_id with a NUL", {"call_id": "a\u0000b"}),
    ("call_id too long", {"call_id": "c" * 129}),
    ("naive started_at", {"started_at": "2026-11-20T09:30:00"}),
    ("started_at in the future", {"started_at": "2099-01-01T00:00:00Z"}),
    ("unknown direction", {"direction": "sideways"}),
    ("unknown channels", {"channels": "quad"}),
    ("unknown field", {"colour": "blue"}),
    ("phone with letters", {"subject": {"customer_id": "C1", "phone": "call me maybe"}}),
    ("subject without id", {"subject": {"name": "Ayşe"}}),
    ("stereo claimed for a mono file", {"channels": "agent-left"}),
]


@pytest.mark.parametrize(("name", "change"), BAD_METADATA, ids=[b[0] for b in BAD_METADATA])
def test_invalid_metadata_is_refused_with_the_field_named(
    api: Api, name: str, change: dict[str, object]
) -> None:
    meta = {k: v for k, v in (metadata() | change).items() if v is not None}
    response = api.upload(noisy_wav(1.0), meta)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail
    assert "Ahmet" not in detail
    assert "0532" not in detail
    assert api.counts() == EMPTY


def test_stereo_call_with_agent_side_is_accepted(api: Api) -> None:
    audio = noisy_wav(1.0, channels=2)
    response = api.upload(audio, metadata(channels="agent-right"))
    assert response.status_code == 201, response.text
    assert response.json()["media"]["channel_count"] == 2


@pytest.mark.parametrize(
    "files",
    [
        [("file", ("a.wav", noisy_wav(0.5), "audio/wav"))],
        [("metadata", (None, json.dumps(metadata()), "application/json"))],
        [
            ("metadata", (None, "{not json", "application/json")),
            ("file", ("a.wav", noisy_wav(0.5), "audio/wav")),
        ],
        [
            ("metadata", (None, json.dumps(metadata()), "application/json")),
            ("extra", (None, "1", "text/plain")),
        ],
    ],
    ids=["no metadata", "no file", "metadata not JSON", "unexpected field"],
)
def test_malformed_forms_are_refused(api: Api, files: list[FormPart]) -> None:
    response = api.client.post("/api/v1/recordings", headers=api.headers(Role.AGENT), files=files)
    assert response.status_code == 422, response.text
    assert api.counts() == EMPTY


def test_a_body_that_is_not_multipart_is_refused(api: Api) -> None:
    response = api.client.post(
        "/api/v1/recordings",
        headers={**api.headers(Role.AGENT), "Content-Type": "audio/wav"},
        content=noisy_wav(0.5),
    )
    assert response.status_code == 422
    assert "multipart/form-data" in response.json()["detail"]


def test_an_upload_over_the_limit_is_refused_while_streaming(api: Api) -> None:
    api.vault.settings.max_upload_bytes = 10_000
    response = api.upload(noisy_wav(2.0))
    assert response.status_code == 413, response.text
    assert "10000" in response.json()["detail"]
    assert api.counts() == EMPTY


def test_a_declared_length_over_the_limit_is_refused_before_reading(api: Api) -> None:
    api.vault.settings.max_upload_bytes = 1000
    body = b"x" * 400_000
    response = api.client.post(
        "/api/v1/recordings",
        headers={
            **api.headers(Role.AGENT),
            "Content-Type": "multipart/form-data; boundary=zzz",
        },
        content=body,
    )
    assert response.status_code == 413
    assert api.counts() == EMPTY


def test_refused_uploads_are_audited_without_personal_data(api: Api) -> None:
    api.upload(b"%PDF-1.7 not audio" * 100)
    api.upload(noisy_wav(1.0))
    response = api.client.get("/api/v1/audit", headers=api.headers(Role.AUDITOR, "denetci"))
    entries = [e for e in response.json()["items"] if e["action"] == "recording.upload"]
    assert [(e["outcome"], e["reason"]) for e in entries] == [
        ("error", "not_audio"),
        ("allowed", None),
    ]
    text = response.text
    for value in ("CUST-884120", "Ahmet", "0532", "example.com.tr"):
        assert value not in text
