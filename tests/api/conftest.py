"""An API over a real vault: the parametrised database (SQLite and PostgreSQL) and a blob store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.app import create_app
from models.tables import Blob, Key, Recording, Subject
from tests.s3 import s3_server  # noqa: F401 (pytest fixture)
from vault.auth import tokens
from vault.auth.roles import Role
from vault.config import Settings
from vault.runtime import Vault, open_vault

FormPart = tuple[str, tuple[str | None, bytes | str, str]]
STARTED_AT = "2026-11-20T09:30:00+03:00"


def metadata(call_id: str = "call-0001", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "call_id": call_id,
        "started_at": STARTED_AT,
        "direction": "inbound",
        "queue": "billing",
        "language": "tr",
        "channels": "mono",
        "subject": {
            "customer_id": "CUST-884120",
            "name": "Ahmet Yılmaz",
            "phone": "0532 418 27 90",
            "email": "ahmet.yilmaz@example.com.tr",
        },
    }
    body.update(overrides)
    return body


@dataclass
class Api:
    client: TestClient
    vault: Vault

    @property
    def settings(self) -> Settings:
        return self.vault.settings

    def headers(self, role: Role | str, user: str = "ayse", **extra: str) -> dict[str, str]:
        token = tokens.issue(self.settings, user=user, role=Role(role))
        return {"Authorization": f"Bearer {token}", **extra}

    def upload(
        self,
        audio: bytes,
        meta: dict[str, Any] | None = None,
        *,
        role: Role | str = Role.AGENT,
        user: str = "ayse",
        metadata_first: bool = True,
    ) -> Any:
        meta_part: FormPart = (
            "metadata",
            (None, json.dumps(meta or metadata()), "application/json"),
        )
        file_part: FormPart = ("file", ("call.wav", audio, "application/octet-stream"))
        parts = [meta_part, file_part] if metadata_first else [file_part, meta_part]
        return self.client.post("/api/v1/recordings", headers=self.headers(role, user), files=parts)

    def counts(self, *, objects: bool = True) -> dict[str, int]:
        """Rows of every table an upload writes, and objects in the blob store."""
        with self.vault.factory() as session:
            counts = {
                table.__tablename__: session.scalar(select(func.count()).select_from(table)) or 0
                for table in (Recording, Blob, Subject, Key)
            }
        counts["objects"] = len(list(self.vault.store.keys())) if objects else 0
        return counts


def make_api(settings: Settings) -> Iterator[Api]:
    vault = open_vault(settings)
    with TestClient(create_app(vault=vault)) as client:
        yield Api(client=client, vault=vault)
    vault.close()


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    """The API on embedded defaults (local encrypted blobs), on SQLite and on PostgreSQL."""
    yield from make_api(settings)


EMPTY = {"recordings": 0, "blobs": 0, "subjects": 0, "keys": 0, "objects": 0}
