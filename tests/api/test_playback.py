"""Playback of the original with HTTP Range requests: exact slices, HEAD, 416, multipart."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.api.conftest import Api
from tests.api.test_upload import noisy_wav
from vault.auth.roles import Role

PURPOSE = {"X-Access-Purpose": "dispute:CASE-7"}


@pytest.fixture
def stored(api: Api) -> tuple[str, bytes]:
    audio = noisy_wav(5.0)  # 80 044 bytes: a few 64 KiB segments
    response = api.upload(audio)
    assert response.status_code == 201, response.text
    return response.json()["id"], audio


def get(api: Api, rid: str, *, method: str = "GET", **headers: str) -> Any:
    return api.client.request(
        method,
        f"/api/v1/recordings/{rid}/audio",
        params={"variant": "original"},
        headers=api.headers(Role.AGENT, **PURPOSE, **headers),
    )


RANGES = [
    ("first byte", "bytes=0-0", 0, 1),
    ("a middle slice", "bytes=1000-1999", 1000, 2000),
    ("across a segment boundary", "bytes=65530-65545", 65530, 65546),
    ("exactly one segment", "bytes=65536-131071", 65536, None),
    ("open-ended", "bytes=70000-", 70000, None),
    ("suffix", "bytes=-500", -500, None),
    ("suffix longer than the file", "bytes=-99999999", 0, None),
    ("end past the file", "bytes=80000-99999999", 80000, None),
    ("last byte", "bytes=-1", -1, None),
]


@pytest.mark.parametrize(("name", "header", "start", "end"), RANGES, ids=[r[0] for r in RANGES])
def test_range_reads_return_exact_slices(
    api: Api, stored: tuple[str, bytes], name: str, header: str, start: int, end: int | None
) -> None:
    rid, audio = stored
    response = get(api, rid, Range=header)
    expected = audio[start:end]
    assert response.status_code == 206, response.text
    assert response.content == expected
    first = start % len(audio)
    assert response.headers["content-range"] == (
        f"bytes {first}-{first + len(expected) - 1}/{len(audio)}"
    )
    assert response.headers["content-length"] == str(len(expected))


def test_whole_file_without_range(api: Api, stored: tuple[str, bytes]) -> None:
    rid, audio = stored
    response = get(api, rid)
    assert response.status_code == 200
    assert response.content == audio
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["content-type"] == "audio/wav"
    assert "no-store" in response.headers["cache-control"]


@pytest.mark.parametrize("header", ["bytes=80044-", "bytes=90000-90010", "bytes=-0"])
def test_unsatisfiable_ranges_get_416(api: Api, stored: tuple[str, bytes], header: str) -> None:
    rid, audio = stored
    response = get(api, rid, Range=header)
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(audio)}"


@pytest.mark.parametrize(
    "header", ["bytes=abc", "items=0-10", "bytes=10-5", "bytes=", "bytes=--1", "bytes=1-2-3"]
)
def test_malformed_ranges_are_ignored(api: Api, stored: tuple[str, bytes], header: str) -> None:
    rid, audio = stored
    response = get(api, rid, Range=header)
    assert response.status_code == 200
    assert response.content == audio


def test_head_gives_the_headers_and_no_body(api: Api, stored: tuple[str, bytes]) -> None:
    rid, audio = stored
    whole = get(api, rid, method="HEAD")
    assert whole.status_code == 200
    assert whole.headers["content-length"] == str(len(audio))
    assert whole.content == b""
    part = get(api, rid, method="HEAD", Range="bytes=10-19")
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 10-19/{len(audio)}"
    assert part.content == b""


def test_several_ranges_come_as_multipart_byteranges(api: Api, stored: tuple[str, bytes]) -> None:
    rid, audio = stored
    response = get(api, rid, Range="bytes=0-9, 70000-70009, -5")
    assert response.status_code == 206
    match = re.match(r"multipart/byteranges; boundary=(\w+)", response.headers["content-type"])
    assert match
    assert response.headers["content-length"] == str(len(response.content))
    pieces = response.content.split(b"--" + match.group(1).encode())
    bodies = [p.split(b"\r\n\r\n", 1)[1][:-2] for p in pieces[1:-1]]
    assert bodies == [audio[0:10], audio[70000:70010], audio[-5:]]
    assert f"bytes 70000-70009/{len(audio)}".encode() in response.content


def test_overlapping_ranges_are_merged(api: Api, stored: tuple[str, bytes]) -> None:
    rid, audio = stored
    response = get(api, rid, Range="bytes=0-99, 50-149")
    assert response.status_code == 206
    assert response.content == audio[0:150]


def test_if_range_with_a_stale_etag_sends_everything(api: Api, stored: tuple[str, bytes]) -> None:
    rid, audio = stored
    etag = get(api, rid, method="HEAD").headers["etag"]
    fresh = get(api, rid, Range="bytes=0-9", **{"If-Range": etag})
    assert fresh.status_code == 206
    stale = get(api, rid, Range="bytes=0-9", **{"If-Range": '"other"'})
    assert stale.status_code == 200
    assert stale.content == audio


@pytest.mark.parametrize(
    ("purpose", "fragment"),
    [
        (None, "X-Access-Purpose"),
        ("", "X-Access-Purpose"),
        ("curiosity", "unknown access purpose"),
        ("dispute:Ahmet Yilmaz sikayeti", "case or ticket id"),
    ],
)
def test_the_original_needs_a_stated_purpose(
    api: Api, stored: tuple[str, bytes], purpose: str | None, fragment: str
) -> None:
    rid, _ = stored
    headers = api.headers(Role.AGENT)
    if purpose is not None:
        headers["X-Access-Purpose"] = purpose
    response = api.client.get(
        f"/api/v1/recordings/{rid}/audio", params={"variant": "original"}, headers=headers
    )
    assert response.status_code == 400
    assert fragment in response.json()["detail"]


def test_the_purpose_is_in_the_audit_entry(api: Api, stored: tuple[str, bytes]) -> None:
    rid, _ = stored
    get(api, rid, Range="bytes=0-1")
    log = api.client.get(
        "/api/v1/audit", params={"resource_id": rid}, headers=api.headers(Role.AUDITOR, "denetci")
    ).json()["items"]
    plays = [e for e in log if e["action"] == "recording.audio.original"]
    assert plays[-1]["purpose"] == "dispute:CASE-7"
    assert plays[-1]["variant"] == "original"
    assert plays[-1]["outcome"] == "allowed"


def test_redacted_audio_is_not_served_before_redaction(api: Api, stored: tuple[str, bytes]) -> None:
    rid, _ = stored
    response = api.client.get(
        f"/api/v1/recordings/{rid}/audio",
        params={"variant": "redacted"},
        headers=api.headers(Role.QA, "kalite"),
    )
    assert response.status_code == 409
    assert "not ready" in response.json()["detail"]


def test_a_damaged_object_is_refused_not_served(api: Api, stored: tuple[str, bytes]) -> None:
    rid, _ = stored
    path = api.settings.resolved_blob_dir / "recordings" / rid / "original"
    assert path.exists()
    data = bytearray(path.read_bytes())
    data[100] ^= 0x01
    path.write_bytes(bytes(data))
    response = get(api, rid, Range="bytes=0-9")
    assert response.status_code == 500
    assert "integrity" in response.json()["detail"]
