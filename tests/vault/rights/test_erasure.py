"""The one erasure path: what erasing a subject leaves behind (nothing personal, anywhere),
legal holds, repeated erasures, and deletions that outlive a store outage."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from models.schemas import Status
from models.tables import (
    Blob,
    Erasure,
    Key,
    PendingDeletion,
    Recording,
    SearchDocument,
    Subject,
)
from tests.vault.rights.calls import (
    OTHER,
    SUBJECT,
    add_call,
    audio_bytes,
    dump_database,
    dump_store,
    object_keys,
    opened,
    status_of,
    subject_of,
)
from vault.config import Settings
from vault.db import transaction
from vault.errors import KeyDestroyed, LegalHoldActive
from vault.keys import service as keys
from vault.rights import erasure, holds
from vault.rights.erasure import Trigger
from vault.runtime import Vault
from vault.storage.base import BlobStore, Readable, StorageUnavailable
from vault.subjects import service as subjects

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def vault(settings: Settings) -> Iterator[Vault]:
    """On SQLite and on PostgreSQL."""
    yield from opened(settings)


def _erase(vault: Vault, subject: Subject, *, ref: str = "KVKK-2026-001") -> erasure.Erased:
    with transaction(vault.factory) as session:
        row = session.get(Subject, subject.id)
        assert row is not None
        return erasure.erase_subject(
            session,
            subject=row,
            trigger=Trigger.REQUEST,
            actor="officer",
            now=NOW,
            request_ref=ref,
        )


PERSONAL = [
    "Ahmet Yılmaz",
    "Yılmaz",
    "0532 418 27 90",
    "05324182790",
    "ahmet.yilmaz@example.com.tr",
    "CUST-884120",
]


def test_erasing_a_subject_leaves_nothing_personal_in_the_store_or_the_database(
    vault: Vault,
) -> None:
    audios = [audio_bytes() for _ in range(3)]
    ids = [add_call(vault, audio=audio) for audio in audios]
    kept = add_call(vault, subject=OTHER)
    subject = subject_of(vault)
    with vault.factory() as session:
        before = dump_database(session)
        # The values are there to find before: sealed, so only their traces are visible.
        assert b"[PHONE_NUMBER]" in before
        assert subjects.read_details(session, keyring=vault.keyring, subject=subject) == SUBJECT
    assert all(object_keys(vault, rid) for rid in ids)

    erased = _erase(vault, subject)
    erasure.finish(vault.store, vault.factory, recording_ids=ids)

    assert not erased.repeated
    assert erased.tombstone.scope == "subject"
    assert json.loads(erased.tombstone.recording_ids) == sorted(ids)
    assert erased.tombstone.objects_deleted == 4 * len(ids)
    assert all(status_of(vault, rid) == Status.ERASED.value for rid in ids)
    assert all(object_keys(vault, rid) == [] for rid in ids)
    assert object_keys(vault, kept)  # the other customer's call is untouched
    with vault.factory() as session:
        assert session.scalar(select(func.count()).where(Blob.recording_id.in_(ids))) == 0
        assert session.scalar(select(func.count()).select_from(PendingDeletion)) == 0
        docs = session.scalars(select(SearchDocument.recording_id)).all()
        assert docs == [kept]
        row = session.get(Subject, subject.id)
        assert row is not None
        assert row.sealed_details is None
        assert row.phone_index is None
        assert row.email_index is None
        assert row.customer_id_index is not None  # by design: erasing again finds the tombstone
        key = session.get(Key, row.key_id)
        assert key is not None
        assert key.wrapped is None
        assert key.destroyed_at is not None
        with pytest.raises(KeyDestroyed):
            keys.open_key(session, keyring=vault.keyring, key_id=row.key_id)
        database = dump_database(session)
    store = dump_store(vault)
    assert SUBJECT.name in PERSONAL
    assert SUBJECT.email in PERSONAL
    for text in PERSONAL:
        value = text.encode()
        assert value not in database, value
        assert value not in store, value
    for audio in audios:
        assert audio[4:64] not in database
        assert audio[4:64] not in store


def test_erasing_twice_returns_the_first_tombstone(vault: Vault) -> None:
    add_call(vault)
    subject = subject_of(vault)
    first = _erase(vault, subject)
    second = _erase(vault, subject, ref="KVKK-2026-002")
    assert second.repeated
    assert second.tombstone.id == first.tombstone.id
    with vault.factory() as session:
        assert session.scalar(select(func.count()).select_from(Erasure)) == 1


def test_a_legal_hold_refuses_the_erasure_and_changes_nothing(vault: Vault) -> None:
    ids = [add_call(vault), add_call(vault)]
    subject = subject_of(vault)
    with transaction(vault.factory) as session:
        held_call = session.get(Recording, ids[1])
        assert held_call is not None
        hold = holds.place(
            session,
            recording=held_call,
            reference="COURT-42",
            reason="litigation",
            actor="admin",
            now=NOW,
        )
        hold_id = hold.id
    with vault.factory() as session:
        before = dump_database(session)
    keys_before = object_keys(vault)

    with pytest.raises(LegalHoldActive) as refused:
        _erase(vault, subject)

    assert refused.value.hold_id == hold_id
    assert hold_id in str(refused.value)
    assert "COURT-42" in str(refused.value)
    with vault.factory() as session:
        assert dump_database(session) == before
    assert object_keys(vault) == keys_before
    assert all(status_of(vault, rid) == Status.READY.value for rid in ids)

    with transaction(vault.factory) as session:
        holds.release(session, hold_id=hold_id, actor="admin", now=NOW)
    erased = _erase(vault, subject)
    erasure.finish(vault.store, vault.factory, recording_ids=ids)
    assert not erased.repeated
    assert all(status_of(vault, rid) == Status.ERASED.value for rid in ids)
    assert all(object_keys(vault, rid) == [] for rid in ids)


def test_erasing_single_recordings_keeps_the_subjects_other_calls(vault: Vault) -> None:
    gone, kept = add_call(vault), add_call(vault)
    with transaction(vault.factory) as session:
        tombstone = erasure.erase_recordings(
            session, recording_ids=[gone], trigger=Trigger.RETENTION, actor="system", now=NOW
        )
        assert tombstone is not None
        assert tombstone.scope == "recording"
    erasure.finish(vault.store, vault.factory, recording_ids=[gone])
    assert status_of(vault, gone) == Status.ERASED.value
    assert object_keys(vault, gone) == []
    assert status_of(vault, kept) == Status.READY.value
    assert len(object_keys(vault, kept)) == 4
    with vault.factory() as session:
        subject = session.get(Subject, subject_of(vault).id)
        assert subject is not None
        assert subject.erased_at is None
        keys.open_key(session, keyring=vault.keyring, key_id=subject.key_id)


def test_erasing_an_erased_recording_again_leaves_no_second_tombstone(vault: Vault) -> None:
    rid = add_call(vault)
    for expected in (1, 0):
        with transaction(vault.factory) as session:
            tombstone = erasure.erase_recordings(
                session, recording_ids=[rid], trigger=Trigger.RETENTION, actor="system", now=NOW
            )
            assert (tombstone is not None) == bool(expected)
    with vault.factory() as session:
        assert session.scalar(select(func.count()).select_from(Erasure)) == 1


class DownStore(BlobStore):
    """The vault's store with deletions failing, as when the object store is unreachable."""

    def __init__(self, inner: BlobStore) -> None:
        self.inner = inner

    def put(self, key: str, data: Readable) -> int:
        return self.inner.put(key, data)

    def get(self, key: str, *, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        return self.inner.get(key, start=start, end=end)

    def size(self, key: str) -> int:
        return self.inner.size(key)

    def delete(self, key: str) -> None:
        raise StorageUnavailable("delete: the object store is unreachable")

    def keys(self, prefix: str = "") -> Iterator[str]:
        raise StorageUnavailable("list: the object store is unreachable")

    def check(self) -> None:
        raise StorageUnavailable("check: the object store is unreachable")


def test_deletions_wait_out_a_store_outage(vault: Vault) -> None:
    ids = [add_call(vault), add_call(vault)]
    _erase(vault, subject_of(vault))

    deleted = erasure.finish(DownStore(vault.store), vault.factory, recording_ids=ids)

    assert deleted == 0
    with vault.factory() as session:
        waiting = session.scalars(select(PendingDeletion)).all()
        assert len(waiting) == 8
        assert {row.attempts for row in waiting} <= {0, 1}
        assert sum(row.attempts for row in waiting) == 1  # the one that failed
    assert all(object_keys(vault, rid) for rid in ids)

    assert erasure.purge_pending(vault.store, vault.factory) == 8
    with vault.factory() as session:
        assert session.scalar(select(func.count()).select_from(PendingDeletion)) == 0
    assert all(object_keys(vault, rid) == [] for rid in ids)


def test_recently_erased_lists_recordings_for_the_prefix_recheck(vault: Vault) -> None:
    rid = add_call(vault)
    _erase(vault, subject_of(vault))
    with vault.factory() as session:
        assert erasure.recently_erased(session, since=NOW - timedelta(days=1)) == [rid]
        assert erasure.recently_erased(session, since=NOW + timedelta(seconds=1)) == []


# A file to read only on SQLite: PostgreSQL keeps dead rows until VACUUM, and what they held
# was sealed under the destroyed key or redacted.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_on_sqlite_the_erased_values_do_not_linger_in_the_database_file(vault: Vault) -> None:
    """Not in a row, nor in a free page, the write-ahead log or a full-text index segment: the
    vault turns SQLite's ``secure_delete`` on and merges the index after an erasure."""
    assert vault.engine.dialect.name == "sqlite"
    add_call(vault)
    subject = subject_of(vault, SUBJECT)
    with vault.factory() as session:
        row = session.get(Subject, subject.id)
        assert row is not None
        assert row.sealed_details is not None
        sealed = row.sealed_details
        key = session.get(Key, row.key_id)
        assert key is not None
        assert key.wrapped is not None
        wrapped = key.wrapped
    database = vault.engine.url.database
    assert database is not None

    def content() -> bytes:
        with vault.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        with open(database, "rb") as file:
            return file.read()

    # The call's (redacted) words are in the search index's pages before.
    assert b"itiraz" in content()
    _erase(vault, subject)
    erasure.finish(vault.store, vault.factory)
    after = content()
    assert sealed[12:40] not in after
    assert wrapped[:28] not in after
    assert b"itiraz" not in after  # full-text index segments merged, rows overwritten
