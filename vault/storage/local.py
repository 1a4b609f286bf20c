"""The embedded blob store: one file per object under a root directory.

A key ``a/b/c`` is the file ``<root>/a/b/c``. Writes go to a temporary file in the same
directory, are fsynced, and are renamed over the target, so that a reader sees the old object
or the whole new one. Temporary names contain ``~``, which no key may, so they can never be
mistaken for objects. Directories are 0700 and files 0600: the store holds ciphertext only,
but nobody else needs to see even that. As on any file system, one key cannot be both an
object and a prefix of others (``a`` and ``a/b``).
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from vault.storage.base import (
    CHUNK_SIZE,
    BlobNotFound,
    BlobStore,
    Readable,
    StorageError,
    StorageUnavailable,
    check_key,
    check_prefix,
    check_range,
)

# Failures of the volume rather than of one object: the store is not usable right now.
_UNAVAILABLE = {
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EIO,
    errno.ENOTDIR,
    errno.ESTALE,
}
_TEMP_MARK = ".~tmp-"


def _mapped(exc: OSError, operation: str, key: str | None = None) -> StorageError:
    """The store's error for ``exc``, naming the operation and key but no path."""
    what = f"local blob store: {operation}" + (f" {key!r}" if key else "")
    reason = exc.strerror or type(exc).__name__
    if exc.errno in _UNAVAILABLE:
        return StorageUnavailable(f"{what} failed: {reason}")
    return StorageError(f"{what} failed: {reason}")


@contextmanager
def _os_errors(operation: str, key: str | None = None) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise _mapped(exc, operation, key) from exc


class LocalBlobStore(BlobStore):
    def __init__(self, root: Path) -> None:
        self.root = root
        with _os_errors("creating the root directory"):
            root.mkdir(mode=0o700, parents=True, exist_ok=True)

    def __repr__(self) -> str:
        return f"LocalBlobStore({str(self.root)!r})"

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def _check_root(self) -> None:
        if not self.root.is_dir():
            raise StorageUnavailable("local blob store: the root directory is missing")

    def put(self, key: str, data: Readable) -> int:
        path = self._path(key)
        self._check_root()
        with _os_errors("creating the directory for", key):
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temp = path.with_name(f"{_TEMP_MARK}{secrets.token_hex(8)}")
        with _os_errors("writing", key):
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        written = 0
        try:
            with open(fd, "wb", closefd=True) as out:
                while chunk := data.read(CHUNK_SIZE):
                    with _os_errors("writing", key):
                        out.write(chunk)
                    written += len(chunk)
                with _os_errors("writing", key):
                    out.flush()
                    os.fsync(fd)
            with _os_errors("storing", key):
                os.replace(temp, path)
        except BaseException:
            with suppress(OSError):
                temp.unlink()
            raise
        with _os_errors("storing", key):
            _fsync_directory(path.parent)
        return written

    def get(self, key: str, *, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        path = self._path(key)
        check_range(start, end)
        return self._read(path, key, start, end)

    def _read(self, path: Path, key: str, start: int, end: int | None) -> Iterator[bytes]:
        self._check_root()
        try:
            file = path.open("rb", buffering=0)
        except (FileNotFoundError, IsADirectoryError):
            raise BlobNotFound(f"no blob {key!r}") from None
        except OSError as exc:
            raise _mapped(exc, "reading", key) from exc
        with file:
            with _os_errors("reading", key):
                file.seek(start)
            remaining = None if end is None else end - start
            while remaining is None or remaining > 0:
                want = CHUNK_SIZE if remaining is None else min(CHUNK_SIZE, remaining)
                with _os_errors("reading", key):
                    chunk = file.read(want)
                if not chunk:
                    return
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk

    def size(self, key: str) -> int:
        path = self._path(key)
        self._check_root()
        try:
            stat = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            raise BlobNotFound(f"no blob {key!r}") from None
        except OSError as exc:
            raise _mapped(exc, "inspecting", key) from exc
        if not path.is_file():
            raise BlobNotFound(f"no blob {key!r}")
        return stat.st_size

    def delete(self, key: str) -> None:
        path = self._path(key)
        self._check_root()
        with _os_errors("deleting", key):
            try:
                path.unlink()
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                return  # nothing stored under this key
        with _os_errors("deleting", key):
            _fsync_directory(path.parent)

    def keys(self, prefix: str = "") -> Iterator[str]:
        # Walk only the directory that the prefix's complete segments name.
        check_prefix(prefix)
        self._check_root()
        base = prefix.rpartition("/")[0]
        top = self.root / base if base else self.root
        with _os_errors("listing"):
            for directory, dirnames, filenames in os.walk(top, onerror=_raise_unless_missing):
                dirnames.sort()
                relative = Path(directory).relative_to(self.root).as_posix()
                for name in sorted(filenames):
                    key = name if relative == "." else f"{relative}/{name}"
                    if key.startswith(prefix) and _is_key(key):
                        yield key

    def check(self) -> None:
        self._check_root()
        probe = self.root / f"{_TEMP_MARK}probe-{secrets.token_hex(8)}"
        try:
            with _os_errors("writing a probe file"):
                probe.write_bytes(b"")
        except StorageError as exc:
            raise StorageUnavailable(str(exc)) from exc
        finally:
            with suppress(OSError):
                probe.unlink()


def _is_key(name: str) -> bool:
    try:
        check_key(name)
    except ValueError:
        return False
    return True


def _raise_unless_missing(exc: OSError) -> None:
    """``os.walk``'s error hook: a directory that is not there holds no keys."""
    if not isinstance(exc, FileNotFoundError | NotADirectoryError):
        raise exc


def _fsync_directory(directory: Path) -> None:
    """Make a rename or removal in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
