"""Ed25519 keys that sign audit checkpoints, and the check an auditor runs on them.

The private key lives in one PEM file (``VAULT_AUDIT_SIGNING_KEY_FILE``), created on first use
with mode 0600; the public key can be handed to auditors (``public_key_pem``) so that they can
check checkpoints without being able to make them. A key is named by its ``key_id``: the first
16 hex digits of the SHA-256 of the raw public key, stored beside every signature.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from vault.audit.chain import checkpoint_message

logger = logging.getLogger(__name__)


def key_id_of(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


class AuditVerifier:
    """A public key: checks signatures, cannot make them."""

    def __init__(self, public_key: Ed25519PublicKey) -> None:
        self._public_key = public_key
        self.key_id = key_id_of(public_key)

    @classmethod
    def from_pem(cls, pem: bytes) -> AuditVerifier:
        key = serialization.load_pem_public_key(pem)
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("the audit verification key is not an Ed25519 public key")
        return cls(key)

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            self._public_key.verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def public_key_pem(self) -> bytes:
        return self._public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def __repr__(self) -> str:
        return f"AuditVerifier(key_id={self.key_id!r})"


class AuditSigner:
    """A private key that signs checkpoints; its ``repr`` shows only the key id."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private_key = private_key
        self.verifier = AuditVerifier(private_key.public_key())
        self.key_id = self.verifier.key_id

    @classmethod
    def generate(cls) -> AuditSigner:
        """A fresh key held only in memory (tests, and a first step before saving one)."""
        return cls(Ed25519PrivateKey.generate())

    def sign(self, message: bytes) -> bytes:
        return self._private_key.sign(message)

    def verify(self, message: bytes, signature: bytes) -> bool:
        return self.verifier.verify(message, signature)

    def public_key_pem(self) -> bytes:
        return self.verifier.public_key_pem()

    def __repr__(self) -> str:
        return f"AuditSigner(key_id={self.key_id!r})"


def verify_checkpoint(
    verifier: AuditVerifier | AuditSigner,
    *,
    seq: int,
    hash: str,
    at: datetime,
    signing_key_id: str,
    signature: bytes,
) -> bool:
    """Whether ``verifier``'s key signed the checkpoint ``seq|hash|at`` (and says it did)."""
    if signing_key_id != verifier.key_id or seq < 1:
        return False
    return verifier.verify(checkpoint_message(seq=seq, hash=hash, at=at), signature)


def load_or_create_signing_key(path: Path) -> AuditSigner:
    """The signing key in ``path``, created there (0600, in a 0700 directory) if missing.

    Two processes starting at once agree on one key: the file appears whole or not at all,
    and the loser of the race loads the winner's key.
    """
    try:
        return _load(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)  # never replaces a key another process saved meanwhile
        except FileExistsError:
            return _load(path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)
    signer = AuditSigner(key)
    logger.info("created audit signing key %s", signer.key_id)
    return signer


def _load(path: Path) -> AuditSigner:
    pem = path.read_bytes()
    if path.stat().st_mode & 0o077:
        logger.warning("audit signing key file %s is readable by other users", path)
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{path} does not hold an unencrypted PEM private key") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return AuditSigner(key)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
