"""Master keys: they wrap the per-subject keys and nothing else.

A keyring holds one *active* master key (new wraps) and possibly older ones (unwraps until
``vault keys rotate`` has re-wrapped every subject key). Two sources in the embedded setup:

- a JSON keyring file (``VAULT_MASTER_KEYRING_FILE``, created on first use with mode 0600), which
  ``vault keys rotate`` can extend with a fresh key;
- a single key in ``VAULT_MASTER_KEY`` (base64 of 32 bytes), for containers given one secret; it
  cannot rotate by itself.

A KMS in production is another ``MasterKeyring``: the rest of the vault only calls ``wrap``,
``unwrap`` and ``index_key``.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import secrets
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from vault.config import Settings
from vault.crypto.wrap import unwrap_key, wrap_key
from vault.errors import ConfigurationError

KEY_BYTES = 32


class MasterKeyring(ABC):
    @property
    @abstractmethod
    def active_id(self) -> str: ...

    @abstractmethod
    def key_ids(self) -> tuple[str, ...]: ...

    @abstractmethod
    def _material(self, key_id: str) -> bytes: ...

    @abstractmethod
    def index_key(self) -> bytes:
        """The HMAC key of the blind indexes; stable across master-key rotations."""

    def refresh(self) -> None:  # noqa: B027  (optional: a keyring that never changes)
        """Pick up a rotation made by another process (``vault keys rotate``)."""

    def wrap(self, key: bytes, *, binding: bytes) -> tuple[str, bytes]:
        """Wrap ``key`` under the active master key; returns (master key id, wrapped bytes)."""
        self.refresh()
        return self.active_id, wrap_key(self._material(self.active_id), key, binding=binding)

    def unwrap(self, master_key_id: str, wrapped: bytes, *, binding: bytes) -> bytes:
        if master_key_id not in self.key_ids():
            self.refresh()
        if master_key_id not in self.key_ids():
            raise ConfigurationError(
                f"master key {master_key_id!r} is not in the keyring; restore it to read this data"
            )
        return unwrap_key(self._material(master_key_id), wrapped, binding=binding)

    def add_key(self) -> str:
        raise ConfigurationError(
            "this keyring cannot create keys: use a keyring file (VAULT_MASTER_KEYRING_FILE) "
            "or rotate the key in your KMS"
        )

    def retire(self, key_ids: set[str]) -> None:  # noqa: B027  (optional: external keys stay)
        """Forget master keys that no longer wrap anything (a no-op where keys are external)."""


def _key_id(material: bytes) -> str:
    return "mk-" + hashlib.sha256(b"vault master key id" + material).hexdigest()[:16]


class StaticKeyring(MasterKeyring):
    """One master key given by the environment."""

    def __init__(self, material: bytes) -> None:
        if len(material) != KEY_BYTES:
            raise ConfigurationError("VAULT_MASTER_KEY must be base64 of exactly 32 bytes")
        self._key = material
        self._id = _key_id(material)

    @property
    def active_id(self) -> str:
        return self._id

    def key_ids(self) -> tuple[str, ...]:
        return (self._id,)

    def _material(self, key_id: str) -> bytes:
        return self._key

    def index_key(self) -> bytes:
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"vault blind index")
        return hkdf.derive(self._key)


class FileKeyring(MasterKeyring):
    """A keyring kept in a JSON file: ``{"active": id, "keys": {id: b64}, "index_key": b64}``."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._seen: tuple[int, int, int] | None = None
        if not path.exists():
            self._create()
        self._load()  # the file on disk wins, should another process have created it first

    def _stamp(self) -> tuple[int, int, int] | None:
        try:
            stat = self._path.stat()
        except FileNotFoundError:
            return None
        return stat.st_ino, stat.st_mtime_ns, stat.st_size

    def refresh(self) -> None:
        """Reload the file if another process (``vault keys rotate``) has replaced it.

        A running API must never wrap a new subject key under a master key that a rotation
        has just retired; one ``stat`` per wrap is the price.
        """
        if self._stamp() != self._seen:
            self._load()

    def _create(self) -> None:
        material = secrets.token_bytes(KEY_BYTES)
        key_id = _key_id(material)
        self._active = key_id
        self._keys = {key_id: material}
        self._index = secrets.token_bytes(KEY_BYTES)
        self._save(exclusive=True)

    def _load(self) -> None:
        self._seen = self._stamp()
        try:
            raw = json.loads(self._path.read_text())
            if not isinstance(raw, dict) or not isinstance(raw.get("keys"), dict):
                raise ValueError("'keys' must map key ids to keys")
            self._keys = {k: base64.b64decode(v, validate=True) for k, v in raw["keys"].items()}
            self._active = str(raw["active"])
            self._index = base64.b64decode(raw["index_key"], validate=True)
        except (OSError, ValueError, KeyError, TypeError, binascii.Error) as error:
            raise ConfigurationError(f"the master keyring file is unreadable: {error}") from None
        lengths = [len(k) for k in self._keys.values()] + [len(self._index)]
        if self._active not in self._keys or any(n != KEY_BYTES for n in lengths):
            raise ConfigurationError("the master keyring file is inconsistent")

    def _save(self, *, exclusive: bool = False) -> None:
        """Write the keyring atomically. ``exclusive``: only if no keyring exists yet, so that
        two processes starting on a fresh data directory end up with the same keyring."""
        self._path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        body = json.dumps(
            {
                "active": self._active,
                "keys": {k: base64.b64encode(v).decode() for k, v in self._keys.items()},
                "index_key": base64.b64encode(self._index).decode(),
            },
            indent=2,
        )
        fd, tmp = tempfile.mkstemp(dir=self._path.parent, prefix=self._path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(body)
                handle.flush()
                os.fsync(handle.fileno())
            if exclusive:
                # Fails if another process created it first: theirs is kept.
                with contextlib.suppress(FileExistsError):
                    os.link(tmp, self._path)
            else:
                os.replace(tmp, self._path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        self._seen = self._stamp()

    @property
    def active_id(self) -> str:
        return self._active

    def key_ids(self) -> tuple[str, ...]:
        return tuple(self._keys)

    def _material(self, key_id: str) -> bytes:
        return self._keys[key_id]

    def index_key(self) -> bytes:
        return self._index

    def add_key(self) -> str:
        material = secrets.token_bytes(KEY_BYTES)
        key_id = _key_id(material)
        self._keys[key_id] = material
        self._active = key_id
        self._save()
        return key_id

    def retire(self, key_ids: set[str]) -> None:
        keep = {k: v for k, v in self._keys.items() if k not in key_ids or k == self._active}
        if keep != self._keys:
            self._keys = keep
            self._save()


def open_keyring(settings: Settings) -> MasterKeyring:
    if settings.master_key is not None:
        try:
            material = base64.b64decode(settings.master_key.get_secret_value(), validate=True)
        except (ValueError, binascii.Error):
            raise ConfigurationError("VAULT_MASTER_KEY must be base64 of 32 bytes") from None
        return StaticKeyring(material)
    return FileKeyring(settings.resolved_keyring_file)
