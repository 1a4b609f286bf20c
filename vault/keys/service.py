"""Key-encryption keys in the database: create, open, destroy, and re-wrap on master rotation."""

from __future__ import annotations

import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.tables import Key
from vault.errors import KeyDestroyed, NotFound
from vault.keys.keyring import KEY_BYTES, MasterKeyring


def _binding(key_id: str) -> bytes:
    return f"vault kek:{key_id}".encode()


def derive(kek: bytes, *, purpose: bytes) -> bytes:
    """A sub-key of a key-encryption key, one per use, so no key serves two purposes."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=b"vault " + purpose)
    return hkdf.derive(kek)


def create_key(session: Session, *, keyring: MasterKeyring, purpose: str) -> tuple[Key, bytes]:
    """A new random key-encryption key, stored wrapped; returns the row and the plain key."""
    material = secrets.token_bytes(KEY_BYTES)
    row = Key(purpose=purpose)
    session.add(row)
    session.flush()
    row.master_key_id, row.wrapped = keyring.wrap(material, binding=_binding(row.id))
    return row, material


def open_key(session: Session, *, keyring: MasterKeyring, key_id: str) -> bytes:
    row = session.get(Key, key_id)
    if row is None:
        raise NotFound("key not found")
    if row.wrapped is None or row.master_key_id is None:
        raise KeyDestroyed("the data was erased: its key has been destroyed")
    return keyring.unwrap(row.master_key_id, row.wrapped, binding=_binding(row.id))


def destroy_key(session: Session, *, key_id: str) -> None:
    """Crypto-shredding: forget the wrapped key so nothing it protects can be opened again."""
    row = session.get(Key, key_id)
    if row is None or row.wrapped is None:
        return
    row.wrapped = None
    row.master_key_id = None
    row.destroyed_at = utcnow()


def rewrap_all(session: Session, *, keyring: MasterKeyring, batch_size: int = 500) -> int:
    """Re-wrap every live key under the keyring's active master key; touches no blob."""
    count = 0
    active = keyring.active_id
    while True:
        rows = session.scalars(
            select(Key)
            .where(Key.wrapped.is_not(None), Key.master_key_id != active)
            .order_by(Key.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return count
        for row in rows:
            assert row.wrapped is not None
            assert row.master_key_id is not None
            material = keyring.unwrap(row.master_key_id, row.wrapped, binding=_binding(row.id))
            row.master_key_id, row.wrapped = keyring.wrap(material, binding=_binding(row.id))
            row.rotated_at = utcnow()
            count += 1
        session.flush()


def master_keys_in_use(session: Session) -> set[str]:
    return {
        k
        for k in session.scalars(select(Key.master_key_id).where(Key.wrapped.is_not(None))).all()
        if k is not None
    }
