"""Key wrapping: one key sealed under another with AES-256-GCM, bound to what it opens.

A wrapped key is a random 12-byte nonce followed by the AES-256-GCM ciphertext and tag of the
key; ``binding`` (e.g. ``b"dek:recording:<id>/original"``) is the associated data, so a wrapped
key copied to another row fails to unwrap.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vault.crypto.stream import KEY_SIZE, TAG_SIZE, IntegrityError

NONCE_SIZE = 12


def _check_kek(kek: bytes) -> None:
    if len(kek) != KEY_SIZE:
        raise ValueError(f"a key-encryption key is {KEY_SIZE} bytes")


def wrap_key(kek: bytes, dek: bytes, *, binding: bytes) -> bytes:
    """Seal ``dek`` under ``kek``: nonce || ciphertext || tag."""
    _check_kek(kek)
    nonce = os.urandom(NONCE_SIZE)
    return nonce + AESGCM(kek).encrypt(nonce, dek, binding)


def unwrap_key(kek: bytes, wrapped: bytes, *, binding: bytes) -> bytes:
    """Open a key sealed by `wrap_key`; `IntegrityError` if it is not authentic."""
    _check_kek(kek)
    if len(wrapped) < NONCE_SIZE + TAG_SIZE:
        raise IntegrityError("the wrapped key is cut short: it is corrupt")
    try:
        return AESGCM(kek).decrypt(wrapped[:NONCE_SIZE], wrapped[NONCE_SIZE:], binding)
    except InvalidTag:
        raise IntegrityError(
            "the wrapped key failed authentication: it is corrupt, bound to something else, "
            "or the key-encryption key is wrong"
        ) from None
