"""Key-encryption keys in the database (SQLite and PostgreSQL): create, open, destroy, re-wrap."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.tables import Key
from vault.crypto.stream import IntegrityError
from vault.db import transaction
from vault.errors import ConfigurationError, KeyDestroyed, NotFound
from vault.keys import service as keys
from vault.keys.keyring import FileKeyring


@pytest.fixture
def ring(tmp_path: Path) -> FileKeyring:
    return FileKeyring(tmp_path / "keys" / "master-keyring.json")


def create(factory: sessionmaker[Session], ring: FileKeyring, n: int = 1) -> dict[str, bytes]:
    """``n`` new keys, committed: their ids and plain values."""
    made: dict[str, bytes] = {}
    with transaction(factory) as session:
        for _ in range(n):
            row, plain = keys.create_key(session, keyring=ring, purpose="subject")
            made[row.id] = plain
    return made


def test_create_and_open(session_factory: sessionmaker[Session], ring: FileKeyring) -> None:
    with transaction(session_factory) as session:
        row, plain = keys.create_key(session, keyring=ring, purpose="subject")
        key_id = row.id
    assert len(plain) == 32
    with session_factory() as session:
        stored = session.get(Key, key_id)
        assert stored is not None
        assert stored.purpose == "subject"
        assert stored.master_key_id == ring.active_id
        assert stored.wrapped is not None
        assert plain not in stored.wrapped
        assert stored.destroyed_at is None
        assert keys.open_key(session, keyring=ring, key_id=key_id) == plain


def test_every_key_is_different(session_factory: sessionmaker[Session], ring: FileKeyring) -> None:
    made = create(session_factory, ring, 5)
    assert len(set(made.values())) == 5


def test_open_an_unknown_key(session_factory: sessionmaker[Session], ring: FileKeyring) -> None:
    with session_factory() as session, pytest.raises(NotFound):
        keys.open_key(session, keyring=ring, key_id="00000000-0000-0000-0000-000000000000")


def test_destroy_makes_the_key_unopenable(
    session_factory: sessionmaker[Session], ring: FileKeyring
) -> None:
    made = create(session_factory, ring, 2)
    doomed, kept = list(made)
    with transaction(session_factory) as session:
        keys.destroy_key(session, key_id=doomed)
    with session_factory() as session:
        row = session.get(Key, doomed)
        assert row is not None
        assert row.wrapped is None
        assert row.master_key_id is None
        assert row.destroyed_at is not None
        with pytest.raises(KeyDestroyed):
            keys.open_key(session, keyring=ring, key_id=doomed)
        assert keys.open_key(session, keyring=ring, key_id=kept) == made[kept]
    # Destroying again, or destroying nothing, changes nothing.
    with transaction(session_factory) as session:
        keys.destroy_key(session, key_id=doomed)
        keys.destroy_key(session, key_id="00000000-0000-0000-0000-000000000000")
    with session_factory() as session, pytest.raises(KeyDestroyed):
        keys.open_key(session, keyring=ring, key_id=doomed)


def test_a_wrapped_key_moved_to_another_row_does_not_open(
    session_factory: sessionmaker[Session], ring: FileKeyring
) -> None:
    first, second = create(session_factory, ring, 2)
    with transaction(session_factory) as session:
        source, target = session.get(Key, first), session.get(Key, second)
        assert source is not None
        assert target is not None
        target.wrapped = source.wrapped
    with session_factory() as session, pytest.raises(IntegrityError):
        keys.open_key(session, keyring=ring, key_id=second)


def test_another_keyring_cannot_open_the_keys(
    session_factory: sessionmaker[Session], ring: FileKeyring, tmp_path: Path
) -> None:
    (key_id,) = create(session_factory, ring)
    stranger = FileKeyring(tmp_path / "stranger.json")
    with session_factory() as session, pytest.raises(ConfigurationError):
        keys.open_key(session, keyring=stranger, key_id=key_id)


@pytest.mark.parametrize("batch_size", [1, 2, 500])
def test_rewrap_all_moves_every_live_key_to_the_new_master_key(
    session_factory: sessionmaker[Session], ring: FileKeyring, batch_size: int
) -> None:
    made = create(session_factory, ring, 5)
    destroyed = next(iter(made))
    with transaction(session_factory) as session:
        keys.destroy_key(session, key_id=destroyed)
        before = {k.id: k.wrapped for k in session.scalars(select(Key))}
    old = ring.active_id
    with session_factory() as session:
        assert keys.master_keys_in_use(session) == {old}

    new = ring.add_key()
    with transaction(session_factory) as session:
        count = keys.rewrap_all(session, keyring=ring, batch_size=batch_size)
    assert count == 4

    with session_factory() as session:
        assert keys.master_keys_in_use(session) == {new}
        for row in session.scalars(select(Key)):
            if row.id == destroyed:
                assert row.wrapped is None
                assert row.master_key_id is None
                assert row.rotated_at is None
                continue
            assert row.master_key_id == new
            assert row.rotated_at is not None
            assert row.wrapped != before[row.id]
            assert keys.open_key(session, keyring=ring, key_id=row.id) == made[row.id]

    # Once the old master key is gone the keys still open: nothing depends on it any more.
    ring.retire({old})
    with session_factory() as session:
        for key_id, plain in made.items():
            if key_id != destroyed:
                assert keys.open_key(session, keyring=ring, key_id=key_id) == plain

    # A second pass finds nothing to do.
    with transaction(session_factory) as session:
        assert keys.rewrap_all(session, keyring=ring) == 0


def test_rewrap_all_with_nothing_to_do(
    session_factory: sessionmaker[Session], ring: FileKeyring
) -> None:
    with transaction(session_factory) as session:
        assert keys.rewrap_all(session, keyring=ring) == 0
    create(session_factory, ring, 2)
    with transaction(session_factory) as session:
        assert keys.rewrap_all(session, keyring=ring) == 0


def test_rewrap_after_retiring_too_early_fails_loudly(
    session_factory: sessionmaker[Session], ring: FileKeyring
) -> None:
    create(session_factory, ring, 1)
    old = ring.active_id
    ring.add_key()
    ring.retire({old})
    with transaction(session_factory) as session, pytest.raises(ConfigurationError):
        keys.rewrap_all(session, keyring=ring)


DERIVED: list[tuple[bytes, bytes, bool]] = [
    (b"subject details", b"subject details", True),
    (b"subject details", b"data key wrap", False),
    (b"data key wrap", b"data key wrap ", False),
    (b"", b"x", False),
]


@pytest.mark.parametrize(("first", "second", "same"), DERIVED)
def test_derive(first: bytes, second: bytes, same: bool) -> None:
    kek = bytes(range(32))
    one = keys.derive(kek, purpose=first)
    assert len(one) == 32
    assert one != kek
    assert (one == keys.derive(kek, purpose=second)) is same
    assert keys.derive(bytes(32), purpose=first) != one
