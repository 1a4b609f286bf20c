"""Key wrapping: a wrapped key opens only under its key-encryption key and its binding."""

from __future__ import annotations

import pytest

from vault.crypto.stream import IntegrityError, generate_data_key
from vault.crypto.wrap import unwrap_key, wrap_key

BINDING = b"dek:recording:0b7e4c52-3f0e-4d3a-9a57-2d8f1c0e6a11/original"


def test_round_trip() -> None:
    kek, dek = generate_data_key(), generate_data_key()
    wrapped = wrap_key(kek, dek, binding=BINDING)

    assert unwrap_key(kek, wrapped, binding=BINDING) == dek
    assert dek not in wrapped
    assert len(wrapped) == 12 + 32 + 16


def test_each_wrap_uses_a_fresh_nonce() -> None:
    kek, dek = generate_data_key(), generate_data_key()

    assert wrap_key(kek, dek, binding=BINDING) != wrap_key(kek, dek, binding=BINDING)


def _tampered(wrapped: bytes) -> list[bytes]:
    flipped = [
        wrapped[:i] + bytes([wrapped[i] ^ 0x80]) + wrapped[i + 1 :] for i in range(len(wrapped))
    ]
    return [*flipped, wrapped[:-1], wrapped[:27], b"", wrapped + b"\x00"]


def test_any_change_is_detected() -> None:
    kek, dek = generate_data_key(), generate_data_key()
    wrapped = wrap_key(kek, dek, binding=BINDING)
    for candidate in _tampered(wrapped):
        with pytest.raises(IntegrityError, match="wrapped key"):
            unwrap_key(kek, candidate, binding=BINDING)


def test_another_binding_or_key_is_refused_without_revealing_keys() -> None:
    kek, dek = generate_data_key(), generate_data_key()
    wrapped = wrap_key(kek, dek, binding=BINDING)

    with pytest.raises(IntegrityError) as caught:
        unwrap_key(kek, wrapped, binding=BINDING.replace(b"original", b"redacted"))
    with pytest.raises(IntegrityError):
        unwrap_key(generate_data_key(), wrapped, binding=BINDING)
    message = str(caught.value)
    assert kek.hex() not in message
    assert dek.hex() not in message


def test_key_encryption_keys_must_be_256_bits() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        wrap_key(b"k" * 16, generate_data_key(), binding=BINDING)
    with pytest.raises(ValueError, match="32 bytes"):
        unwrap_key(b"k" * 16, b"x" * 60, binding=BINDING)
