"""Checkpoint signing keys: created safely once, named by their public key, checked strictly."""

from __future__ import annotations

import hashlib
import stat
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from vault.audit.chain import checkpoint_message
from vault.audit.signing import (
    AuditSigner,
    AuditVerifier,
    load_or_create_signing_key,
    verify_checkpoint,
)

AT = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
HASH = "cd" * 32


def test_a_missing_key_is_created_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "keys" / "audit-signing.pem"
    signer = load_or_create_signing_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert [p.name for p in path.parent.iterdir()] == ["audit-signing.pem"]
    assert load_or_create_signing_key(path).key_id == signer.key_id


def test_the_key_id_is_the_start_of_the_public_keys_hash() -> None:
    signer = AuditSigner.generate()
    public = serialization.load_pem_public_key(signer.public_key_pem())
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert signer.key_id == hashlib.sha256(raw).hexdigest()[:16]
    assert signer.key_id != AuditSigner.generate().key_id


def test_racing_processes_agree_on_one_key(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "audit-signing.pem"
    with ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(lambda _: load_or_create_signing_key(path).key_id, range(16)))
    assert ids == {load_or_create_signing_key(path).key_id}
    assert [p.name for p in path.parent.iterdir()] == ["audit-signing.pem"]


def test_a_signed_checkpoint_verifies_and_any_change_does_not() -> None:
    signer = AuditSigner.generate()
    verifier = AuditVerifier.from_pem(signer.public_key_pem())
    signature = signer.sign(checkpoint_message(seq=8, hash=HASH, at=AT))

    def check(
        *,
        seq: int = 8,
        digest: str = HASH,
        at: datetime = AT,
        key_id: str = signer.key_id,
        sig: bytes = signature,
    ) -> bool:
        return verify_checkpoint(
            verifier, seq=seq, hash=digest, at=at, signing_key_id=key_id, signature=sig
        )

    assert check()
    assert verify_checkpoint(
        signer, seq=8, hash=HASH, at=AT, signing_key_id=signer.key_id, signature=signature
    )
    assert not check(seq=9)
    assert not check(digest="ce" * 32)
    assert not check(at=AT + timedelta(microseconds=1))
    assert not check(key_id="0" * 16)
    assert not check(sig=bytes([signature[0] ^ 1]) + signature[1:])
    assert not check(sig=b"")


def test_a_checkpoint_checked_with_another_key_fails() -> None:
    signer, other = AuditSigner.generate(), AuditSigner.generate()
    signature = signer.sign(checkpoint_message(seq=8, hash=HASH, at=AT))
    for claimed in (signer.key_id, other.key_id):
        assert not verify_checkpoint(
            other, seq=8, hash=HASH, at=AT, signing_key_id=claimed, signature=signature
        )


def test_reprs_show_the_key_id_only() -> None:
    signer = AuditSigner.generate()
    assert repr(signer) == f"AuditSigner(key_id={signer.key_id!r})"
    assert repr(signer.verifier) == f"AuditVerifier(key_id={signer.key_id!r})"


def test_a_file_that_is_not_an_ed25519_key_is_refused(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.pem"
    garbage.write_bytes(b"not a key")
    with pytest.raises(ValueError, match="unencrypted PEM private key"):
        load_or_create_signing_key(garbage)
    ec_key = tmp_path / "ec.pem"
    ec_key.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(ValueError, match="not hold an Ed25519 private key"):
        load_or_create_signing_key(ec_key)
    with pytest.raises(ValueError, match="not an Ed25519 public key"):
        AuditVerifier.from_pem(
            ec.generate_private_key(ec.SECP256R1())
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
