"""Nothing uploaded is readable at rest: not in the blob store, not in the database, not in logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select

from tests.api.conftest import Api, metadata
from tests.api.test_upload import noisy_wav
from vault.auth.roles import Role
from vault.logs import JsonFormatter

WINDOW = 64
PERSONAL = (
    "CUST-884120",
    "Ahmet Yılmaz",
    "Yılmaz",
    "0532 418 27 90",
    "ahmet.yilmaz@example.com.tr",
)


def windows(data: bytes, step: int = 16) -> Iterator[bytes]:
    for offset in range(0, len(data) - WINDOW + 1, step):
        yield data[offset : offset + WINDOW]


def files_under(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


def database_bytes(api: Api) -> bytes:
    """Every value of every row of every table, as bytes."""
    reflected = MetaData()
    reflected.reflect(api.vault.engine)
    out = bytearray()
    with api.vault.engine.connect() as conn:
        for table in reflected.sorted_tables:
            for row in conn.execute(select(table)):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        out += bytes(value)
                    elif value is not None:
                        out += str(value).encode()
    return bytes(out)


def test_no_window_of_an_upload_is_stored_in_clear(api: Api) -> None:
    audio = noisy_wav(4.0)
    assert api.upload(audio).status_code == 201
    stored = files_under(api.settings.data_dir) + database_bytes(api)
    assert len(stored) > len(audio)
    leaks = [w for w in windows(audio) if w in stored]
    assert leaks == []


def test_no_personal_value_is_stored_in_clear(api: Api) -> None:
    assert api.upload(noisy_wav(1.0)).status_code == 201
    stored = files_under(api.settings.data_dir) + database_bytes(api)
    for value in PERSONAL:
        assert value.encode() not in stored, value
        assert value.casefold().encode() not in stored, value


def test_no_personal_value_reaches_a_log_line(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    api.upload(noisy_wav(1.0))
    api.upload(noisy_wav(1.0, seed=9))  # same call id, other audio: a refusal
    api.upload(noisy_wav(1.0), metadata("call-2", agent_id="someone-else"))
    api.upload(b"%PDF" * 100, metadata("call-3"))
    rid = api.client.get("/api/v1/recordings", headers=api.headers(Role.AGENT)).json()["items"][0][
        "id"
    ]
    api.client.get(f"/api/v1/recordings/{rid}", headers=api.headers(Role.RIGHTS_OFFICER, "hukuk"))
    formatter = JsonFormatter()
    lines = "\n".join(formatter.format(r) for r in caplog.records)
    assert lines
    for value in PERSONAL:
        assert value not in lines, value
