"""A ZIP archive produced as a stream of bytes: it never seeks and never holds a member whole.

``zipfile`` writes to an output it cannot seek by putting each member's sizes and CRC in a
data descriptor after its data. Here the output is a spool that the generator empties after
every write, so what is in memory at any time is one chunk of a member (and the compressor's
window), plus one small record per member for the central directory at the end.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Member:
    """A file of the archive as written: its path, its size and the SHA-256 of its bytes."""

    path: str
    size: int
    sha256: str


class _Spool:
    """What ``zipfile`` writes to: it keeps the bytes until the generator drains them."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes, /) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None

    def drain(self) -> Iterator[bytes]:
        parts, self._parts = self._parts, []
        yield from parts


class ZipStream:
    """Members added one at a time; each ``add`` and ``close`` yields the archive's bytes."""

    def __init__(self, *, modified: datetime) -> None:
        self._spool = _Spool()
        self._zip = zipfile.ZipFile(self._spool, "w", allowZip64=True)
        self._date_time = (
            max(modified.year, 1980),
            modified.month,
            modified.day,
            modified.hour,
            modified.minute,
            modified.second,
        )
        self.members: list[Member] = []

    def add(
        self,
        path: str,
        chunks: Iterable[bytes],
        *,
        compress: bool,
        size: int | None = None,
    ) -> Iterator[bytes]:
        """Write one member from ``chunks``. ``size``, when known beforehand (audio), lets the
        member use ZIP64 only when it needs it; a member of unknown size always does, so that
        none can outgrow its header."""
        info = zipfile.ZipInfo(path, date_time=self._date_time)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        if size is not None:
            info.file_size = size
        digest = hashlib.sha256()
        written = 0
        with self._zip.open(info, "w", force_zip64=size is None) as out:
            for chunk in chunks:
                if not chunk:
                    continue
                out.write(chunk)
                digest.update(chunk)
                written += len(chunk)
                yield from self._spool.drain()
        yield from self._spool.drain()
        self.members.append(Member(path, written, digest.hexdigest()))

    def close(self) -> Iterator[bytes]:
        """The central directory: the archive's end."""
        self._zip.close()
        yield from self._spool.drain()
