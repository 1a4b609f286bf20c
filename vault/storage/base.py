"""The blob store interface: whole objects written atomically, read back as streamed ranges.

Objects are opaque bytes (the vault stores only ciphertext). Every backend keeps the same
contract, checked by one contract test run against each of them:

- ``put`` streams from a file object until EOF; the object appears only once complete, and a
  failed ``put`` leaves nothing behind (an earlier object under the same key stays as it was);
- ``get`` streams a byte range in chunks, never the whole object in memory; like every
  generator it does no I/O until iterated, so its errors surface at the first ``next``;
- errors are `BlobNotFound`, `StorageUnavailable` (the backend cannot be reached: retry later,
  HTTP 503) or another `StorageError`; their messages hold no credentials.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Protocol

CHUNK_SIZE = 1024 * 1024
"""How many bytes a backend reads or yields at a time."""

_KEY = re.compile(r"[a-z0-9][a-z0-9/._-]{0,254}")


class Readable(Protocol):
    """What ``put`` stores from: any binary file object (``BinaryIO``, ``io.RawIOBase``...)."""

    def read(self, size: int = -1, /) -> bytes: ...


class StorageError(Exception):
    """The blob store failed; the message names the operation and key, never a secret."""


class StorageUnavailable(StorageError):
    """The backend cannot be reached or is not ready (down, refusing, timing out, no bucket)."""


class BlobNotFound(StorageError):
    """No object under this key."""


def check_key(key: str) -> str:
    """``key`` if it is a valid object key, else `ValueError`.

    Keys are lower-case ``a-z0-9`` and ``/._-``, at most 255 characters, relative (no leading
    ``/``), with no empty, ``.`` or ``..`` path segment, so that they map onto file paths safely.
    """
    if not _KEY.fullmatch(key) or any(part in {"", ".", ".."} for part in key.split("/")):
        raise ValueError(f"invalid blob key {key!r}")
    return key


def check_prefix(prefix: str) -> str:
    """``prefix`` if some valid key could start with it, else `ValueError`."""
    if prefix and (
        not _KEY.fullmatch(prefix)
        or any(part in {"", ".", ".."} for part in prefix.split("/")[:-1])
    ):
        raise ValueError(f"invalid blob key prefix {prefix!r}")
    return prefix


def check_range(start: int, end: int | None) -> None:
    if start < 0 or (end is not None and end < start):
        raise ValueError("a byte range needs 0 <= start <= end")


class BlobStore(ABC):
    """Where encrypted objects live: a local directory or an S3 bucket."""

    @abstractmethod
    def put(self, key: str, data: Readable) -> int:
        """Store everything ``data.read`` yields until EOF under ``key``; the bytes written.

        Atomic: readers see the previous object (or none) until the new one is complete, and
        on any failure, including one raised by ``data``, nothing new is left behind.
        """

    @abstractmethod
    def get(self, key: str, *, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Stream bytes ``[start, end)`` of the object (to its end when ``end`` is None).

        A range running past the end of the object stops at the end. Nothing is read until
        the iterator is first advanced; closing it early releases the file or connection.
        """

    @abstractmethod
    def size(self, key: str) -> int:
        """The object's size in bytes; `BlobNotFound` if there is none."""

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
        except BlobNotFound:
            return False
        return True

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object; removing one that is not there is no error."""

    @abstractmethod
    def keys(self, prefix: str = "") -> Iterator[str]:
        """The keys of stored objects that start with ``prefix``, in no promised order.

        A prefix no key could start with (``..``, a leading ``/``...) is a `ValueError`.
        """

    @abstractmethod
    def check(self) -> None:
        """Readiness: `StorageUnavailable` unless the backend can be reached and written."""
