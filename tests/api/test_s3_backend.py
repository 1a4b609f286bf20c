"""The same API on the S3 backend (moto's server through the minio client), and with S3 down."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.api.conftest import EMPTY, Api, make_api
from tests.api.test_upload import noisy_wav, play_original
from tests.s3 import S3Server, free_port
from vault.config import Settings


@pytest.fixture
def s3_api(settings: Settings, s3_server: S3Server) -> Iterator[Api]:
    bucket = f"vault-{uuid.uuid4().hex[:12]}"
    s3 = s3_server.settings(bucket)
    yield from make_api(settings.model_copy(update=dict(s3)))


@pytest.fixture
def s3_down_api(settings: Settings, s3_server: S3Server) -> Iterator[Api]:
    dead = S3Server(endpoint=f"127.0.0.1:{free_port()}")
    yield from make_api(settings.model_copy(update=dict(dead.settings("recordings"))))


def test_round_trip_through_s3_is_exact(s3_api: Api) -> None:
    audio = noisy_wav(6.0, rate=16000)  # 192 KB: several segments
    response = s3_api.upload(audio)
    assert response.status_code == 201, response.text
    rid = response.json()["id"]
    assert play_original(s3_api, rid) == audio
    keys = list(s3_api.vault.store.keys())
    assert keys == [f"recordings/{rid}/original"]
    stored = b"".join(s3_api.vault.store.get(keys[0]))
    assert audio[1000:1064] not in stored


def test_a_failed_upload_leaves_no_object_in_s3(s3_api: Api) -> None:
    assert s3_api.upload(b"%PDF-1.7" * 1000).status_code == 415
    assert s3_api.upload(noisy_wav(2.0)[:5000]).status_code == 422
    assert s3_api.counts() == EMPTY


def test_s3_down_gives_503_and_leaves_nothing(s3_down_api: Api) -> None:
    response = s3_down_api.upload(noisy_wav(1.0))
    assert response.status_code == 503, response.text
    assert "store is unavailable" in response.json()["detail"]
    assert s3_down_api.counts(objects=False) == EMPTY


def test_readiness_reports_the_store(s3_api: Api, s3_down_api: Api) -> None:
    assert s3_api.client.get("/readyz").status_code == 200
    down = s3_down_api.client.get("/readyz")
    assert down.status_code == 503
    assert down.json()["checks"] == {"database": "ok", "blob_store": "unavailable"}
