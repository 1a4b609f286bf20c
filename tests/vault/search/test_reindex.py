"""Rebuilding the index from the stored redacted transcripts of every ready recording."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from models.schemas import Speaker, Status, Transcript
from models.tables import Recording, SearchDocument
from tests.vault.search.helpers import find, ids, recording_row, redacted
from vault.config import Settings
from vault.db import transaction
from vault.keys import service as keys
from vault.recordings import blobs
from vault.runtime import Vault, open_vault
from vault.search import service
from vault.transcription.store import RAW, REDACTED

C = Speaker.CUSTOMER


@pytest.fixture
def vault(settings: Settings) -> Iterator[Vault]:
    opened = open_vault(settings)
    yield opened
    opened.close()


def stored(vault: Vault, text: str, *, status: Status = Status.READY, variant: bool = True) -> str:
    """A recording with its transcripts sealed in the blob store: the raw one holds a card
    number that only it has."""
    with transaction(vault.factory) as session:
        key, kek = keys.create_key(session, keyring=vault.keyring, purpose="recording")
        recording = recording_row(key.id, status=status)
        rid = recording.id
        session.add(recording)
        session.flush()
        raw = Transcript(language="tr", duration=10.0, text=f"{text} 4111111111111111", segments=[])
        bodies = {RAW: raw.model_dump_json()}
        if variant:
            bodies[REDACTED] = redacted([(C, f"{text} [CARD_NUMBER]")]).model_dump_json()
        for name, body in bodies.items():
            sealed = blobs.write(
                vault.store,
                recording_id=rid,
                variant=name,
                chunks=[body.encode()],
                segment_size=vault.settings.segment_size,
            )
            blobs.record(
                session, sealed=sealed, key_id=key.id, kek=kek, content_type="application/json"
            )
    return rid


def documents(vault: Vault) -> int:
    with vault.factory() as session:
        return session.scalar(select(func.count()).select_from(SearchDocument)) or 0


def test_reindex_builds_the_index_from_redacted_transcripts(vault: Vault) -> None:
    ready = {stored(vault, f"iade numara {i}") for i in range(5)}
    stored(vault, "iade", status=Status.FAILED)
    stored(vault, "iade", variant=False)  # ready, yet its redacted transcript is missing
    report = service.reindex_all(
        vault.factory, store=vault.store, keyring=vault.keyring, batch_size=2
    )
    assert (report.indexed, report.skipped, report.removed) == (5, 1, 0)
    assert ids(find(vault.factory, "iade")) == ready
    assert ids(find(vault.factory, "[CARD_NUMBER]")) == ready
    assert find(vault.factory, "4111111111111111").items == []
    again = service.reindex_all(vault.factory, store=vault.store, keyring=vault.keyring)
    assert again.indexed == 5
    assert documents(vault) == 5


def test_reindex_drops_what_is_no_longer_ready_or_readable(vault: Vault) -> None:
    kept, failed, erased = (stored(vault, "iade") for _ in range(3))
    service.reindex_all(vault.factory, store=vault.store, keyring=vault.keyring)
    assert documents(vault) == 3
    with transaction(vault.factory) as session:
        row = session.get(Recording, failed)
        assert row is not None
        row.status = Status.FAILED.value
        erased_row = session.get(Recording, erased)
        assert erased_row is not None
        keys.destroy_key(session, key_id=erased_row.key_id)
    report = service.reindex_all(vault.factory, store=vault.store, keyring=vault.keyring)
    assert (report.indexed, report.skipped, report.removed) == (1, 1, 1)
    assert ids(find(vault.factory, "iade")) == {kept}
    assert documents(vault) == 1
