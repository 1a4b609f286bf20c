"""Streaming encryption of one object in AES-256-GCM segments: the STREAM construction.

This is the construction of Tink's streaming AEAD and of age, built on ``cryptography``'s AESGCM.
A stored object is a 16-byte header followed by sealed segments::

    header   0..4   magic b"CVLT"
             4      format version, 1
             5..9   segment size: plaintext bytes per segment, u32 big-endian
             9..16  nonce prefix: 7 random bytes, fresh for each object
    segment  AES-256-GCM ciphertext of up to ``segment_size`` plaintext bytes, then its 16-byte tag

Every segment but the last holds exactly ``segment_size`` plaintext bytes; the last holds 1 to
``segment_size`` bytes, and an empty plaintext is a single empty last segment. Segment ``i`` is
sealed with::

    nonce           = prefix (7) || i (u32 big-endian) || last (1 byte)
    associated data = header (16) || binding

where ``last`` is 1 on the final segment and 0 on the others, and ``binding`` names what the
object is, e.g. ``b"recording:<id>/original"``. A segment moved to another position, dropped
or appended, a truncation at a segment boundary, a segment taken from another object, or the
whole object presented as another recording's: each fails to authenticate and raises
`IntegrityError`; nothing unauthenticated is ever returned.

A range read fetches the header and only the segments the range touches, so reading near the
end of a long recording costs the same as reading its start.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

MAGIC = b"CVLT"
VERSION = 1
HEADER_SIZE = 16
TAG_SIZE = 16
KEY_SIZE = 32
PREFIX_SIZE = 7
DEFAULT_SEGMENT_SIZE = 64 * 1024
MAX_SEGMENT_SIZE = 2**32 - 1
MAX_SEGMENTS = 2**32

ReadRange = Callable[[int, int], Iterator[bytes]]
"""``read(offset, length)``: stream stored bytes ``[offset, offset + length)``; fewer at the end."""


class IntegrityError(Exception):
    """Sealed data failed authentication: it is not what was sealed, or the key is wrong."""


def generate_data_key() -> bytes:
    """A fresh random AES-256 data key: one per stored object."""
    return os.urandom(KEY_SIZE)


def ciphertext_size(plaintext_size: int, *, segment_size: int) -> int:
    """The stored size of ``plaintext_size`` bytes: header, data and one tag per segment."""
    _check_segment_size(segment_size)
    return HEADER_SIZE + plaintext_size + TAG_SIZE * _segment_count(plaintext_size, segment_size)


def _segment_count(plaintext_size: int, segment_size: int) -> int:
    if plaintext_size < 0:
        raise ValueError("plaintext size must not be negative")
    count = max(1, -(-plaintext_size // segment_size))
    if count > MAX_SEGMENTS:
        raise ValueError("the plaintext is too large for this segment size")
    return count


def _check_segment_size(segment_size: int) -> None:
    if not 1 <= segment_size <= MAX_SEGMENT_SIZE:
        raise ValueError(f"segment size must be between 1 and {MAX_SEGMENT_SIZE} bytes")


def _check_key(key: bytes) -> None:
    if len(key) != KEY_SIZE:
        raise ValueError(f"a data key is {KEY_SIZE} bytes")


def _segment_error(index: int) -> IntegrityError:
    return IntegrityError(
        f"segment {index} failed authentication: the object is corrupt, truncated, reordered, "
        "bound to another recording, or the key is wrong"
    )


class _Sealer:
    """The AEAD state of one object: seals and opens its segments by index."""

    def __init__(self, key: bytes, header: bytes, binding: bytes) -> None:
        self._aead = AESGCM(key)
        self._prefix = header[HEADER_SIZE - PREFIX_SIZE :]
        self._associated_data = header + binding

    def _nonce(self, index: int, *, last: bool) -> bytes:
        return self._prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")

    def seal(self, index: int, plaintext: bytes | memoryview, *, last: bool) -> bytes:
        return self._aead.encrypt(self._nonce(index, last=last), plaintext, self._associated_data)

    def open(self, index: int, sealed: bytes, *, last: bool) -> bytes:
        try:
            return self._aead.decrypt(self._nonce(index, last=last), sealed, self._associated_data)
        except InvalidTag:
            raise _segment_error(index) from None


def _make_header(segment_size: int) -> bytes:
    return MAGIC + bytes([VERSION]) + segment_size.to_bytes(4, "big") + os.urandom(PREFIX_SIZE)


def _check_header(header: bytes, *, segment_size: int) -> None:
    if len(header) != HEADER_SIZE:
        raise IntegrityError("the object's header is cut short: the object is truncated or corrupt")
    if header[:4] != MAGIC:
        raise IntegrityError("the object's header is corrupt: it is not an encrypted vault object")
    if header[4] != VERSION:
        raise IntegrityError(
            f"the object's header names format version {header[4]}, not {VERSION}: "
            "the object is corrupt"
        )
    stored = int.from_bytes(header[5:9], "big")
    if stored != segment_size:
        raise IntegrityError(
            f"the object's header gives segment size {stored}, not the {segment_size} recorded "
            "for it: the object is corrupt or is another object"
        )


class EncryptingReader(io.RawIOBase):
    """A readable file of the ciphertext of ``chunks``, sealed as they are read.

    It pulls plaintext from ``chunks`` (bytes of any sizes) only as its reader asks for
    ciphertext, and holds about one segment plus one read's worth. A full segment is sealed
    only once more data or the end of ``chunks`` has been seen, since the last one is marked.
    After the end, ``plaintext_size`` and ``sha256`` describe the plaintext that went through.
    """

    def __init__(
        self,
        chunks: Iterable[bytes | bytearray | memoryview],
        *,
        key: bytes,
        binding: bytes,
        segment_size: int,
    ) -> None:
        super().__init__()
        _check_key(key)
        _check_segment_size(segment_size)
        self._source = iter(chunks)
        self._segment_size = segment_size
        header = _make_header(segment_size)
        self._sealer = _Sealer(key, header, binding)
        self._pending = bytearray()  # plaintext taken from the source, not yet sealed
        self._out = memoryview(header)  # ciphertext sealed, not yet read from _out_pos on
        self._out_pos = 0
        self._index = 0
        self._source_done = False
        self._sealed_last = False
        self._hash = hashlib.sha256()
        self._plaintext_size = 0

    def readable(self) -> bool:
        return True

    @property
    def plaintext_size(self) -> int:
        """Bytes of plaintext encrypted; available once the last segment has been sealed."""
        self._check_finished()
        return self._plaintext_size

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the plaintext; available once the last segment has been sealed."""
        self._check_finished()
        return self._hash.hexdigest()

    def _check_finished(self) -> None:
        if not self._sealed_last:
            raise RuntimeError("the plaintext's size and digest are known only after EOF")

    def readinto(self, buffer: WriteableBuffer) -> int:
        if self.closed:
            raise ValueError("I/O operation on closed file")
        with memoryview(buffer) as view, view.cast("B") as out:
            filled = 0
            while filled < len(out):
                if self._out_pos == len(self._out) and not self._seal_next():
                    break
                n = min(len(out) - filled, len(self._out) - self._out_pos)
                out[filled : filled + n] = self._out[self._out_pos : self._out_pos + n]
                filled += n
                self._out_pos += n
            return filled

    def _seal_next(self) -> bool:
        """Seal the next segment into the output buffer; False after the last one."""
        if self._sealed_last:
            return False
        size = self._segment_size
        while not self._source_done and len(self._pending) <= size:
            chunk = next(self._source, None)
            if chunk is None:
                self._source_done = True
            else:
                self._hash.update(chunk)
                self._plaintext_size += len(chunk)
                self._pending += chunk
        last = self._source_done and len(self._pending) <= size
        if self._index >= MAX_SEGMENTS:
            raise ValueError("the plaintext is too large for this segment size")
        take = len(self._pending) if last else size
        with memoryview(self._pending) as pending, pending[:take] as plaintext:
            sealed = self._sealer.seal(self._index, plaintext, last=last)
        del self._pending[:take]
        self._out = memoryview(sealed)
        self._out_pos = 0
        self._index += 1
        self._sealed_last = last
        return True

    def close(self) -> None:
        if not self.closed:
            close_source = getattr(self._source, "close", None)
            if close_source is not None:
                close_source()
            self._pending = bytearray()
        super().close()


class _StoredObject:
    """A sealed object in a store: its header checked once, its segments fetched on demand."""

    def __init__(
        self,
        read: ReadRange,
        *,
        key: bytes,
        binding: bytes,
        segment_size: int,
        plaintext_size: int,
    ) -> None:
        _check_key(key)
        _check_segment_size(segment_size)
        self.count = _segment_count(plaintext_size, segment_size)
        self.segment_size = segment_size
        self.plaintext_size = plaintext_size
        self._read = read
        self._key = key
        self._binding = binding
        self._sealer: _Sealer | None = None

    def _open_header(self) -> _Sealer:
        if self._sealer is None:
            header = b"".join(_bounded(self._read(0, HEADER_SIZE), HEADER_SIZE))
            _check_header(header, segment_size=self.segment_size)
            self._sealer = _Sealer(self._key, header, self._binding)
        return self._sealer

    def _sealed_size(self, index: int) -> int:
        if index < self.count - 1:
            return self.segment_size + TAG_SIZE
        return self.plaintext_size - index * self.segment_size + TAG_SIZE

    def segments(self, first: int, last: int) -> Generator[tuple[int, bytes], None, None]:
        """Yield ``(index, plaintext)`` for segments ``first..last``, fetched in one read."""
        sealer = self._open_header()
        offset = HEADER_SIZE + first * (self.segment_size + TAG_SIZE)
        length = (last - first) * (self.segment_size + TAG_SIZE) + self._sealed_size(last)
        final = last == self.count - 1
        # On the final segment ask for one byte more: anything stored after it was appended.
        chunks = self._read(offset, length + 1 if final else length)
        try:
            buffer = bytearray()
            for index in range(first, last + 1):
                want = self._sealed_size(index)
                while len(buffer) < want:
                    chunk = next(chunks, None)
                    if chunk is None:
                        raise _segment_error(index)
                    buffer += chunk
                sealed = bytes(buffer[:want])
                del buffer[:want]
                plaintext = sealer.open(index, sealed, last=index == self.count - 1)
                if index == self.count - 1 and (buffer or any(chunks)):
                    raise IntegrityError(
                        "data follows the last segment: the object was extended or is corrupt"
                    )
                yield index, plaintext
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()


def _bounded(chunks: Iterator[bytes], limit: int) -> Iterator[bytes]:
    """At most ``limit`` bytes of ``chunks``, closing it afterwards."""
    try:
        for chunk in chunks:
            if limit <= 0:
                break
            yield chunk[:limit]
            limit -= len(chunk)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def decrypt_range(
    read: ReadRange,
    *,
    key: bytes,
    binding: bytes,
    segment_size: int,
    plaintext_size: int,
    start: int,
    end: int,
) -> Generator[bytes, None, None]:
    """Yield exactly ``plaintext[start:end]``, fetching only the segments it touches.

    ``read(offset, length)`` streams the stored ciphertext; it is called for the header and
    then once for the run of segments. Segments are decrypted and yielded one at a time. The
    range is checked at once; nothing is read until the first ``next``, and closing the
    generator early closes what ``read`` returned.
    """
    stored = _StoredObject(
        read, key=key, binding=binding, segment_size=segment_size, plaintext_size=plaintext_size
    )
    if not 0 <= start <= end <= plaintext_size:
        raise ValueError("the range must satisfy 0 <= start <= end <= plaintext size")
    return _decrypt_range(stored, start, end)


def _decrypt_range(stored: _StoredObject, start: int, end: int) -> Generator[bytes, None, None]:
    if start == end:
        return
    size = stored.segment_size
    first, last = start // size, (end - 1) // size
    with contextlib.closing(stored.segments(first, last)) as segments:
        for index, plaintext in segments:
            low = start - index * size if index == first else 0
            high = end - index * size if index == last else len(plaintext)
            yield plaintext[low:high]


class DecryptingReader(io.RawIOBase):
    """A seekable, readable file of a stored object's plaintext.

    Each read fetches and decrypts only the segments it touches (one ``read`` call for a run of
    them) and keeps the last one, so that small sequential reads and seeks within a segment, as
    a media demuxer makes, cost one fetch per segment.
    """

    def __init__(
        self,
        read: ReadRange,
        *,
        key: bytes,
        binding: bytes,
        segment_size: int,
        plaintext_size: int,
    ) -> None:
        super().__init__()
        self._stored = _StoredObject(
            read,
            key=key,
            binding=binding,
            segment_size=segment_size,
            plaintext_size=plaintext_size,
        )
        self._size = plaintext_size
        self._pos = 0
        self._cached_index = -1
        self._cached = b""

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        if self.closed:
            raise ValueError("I/O operation on closed file")
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if self.closed:
            raise ValueError("I/O operation on closed file")
        if whence == io.SEEK_SET:
            position = offset
        elif whence == io.SEEK_CUR:
            position = self._pos + offset
        elif whence == io.SEEK_END:
            position = self._size + offset
        else:
            raise ValueError(f"invalid whence ({whence}, should be 0, 1 or 2)")
        if position < 0:
            raise ValueError(f"negative seek position {position}")
        self._pos = position
        return position

    def readinto(self, buffer: WriteableBuffer) -> int:
        if self.closed:
            raise ValueError("I/O operation on closed file")
        with memoryview(buffer) as view, view.cast("B") as out:
            wanted = min(len(out), self._size - self._pos)
            if wanted <= 0:
                return 0
            size = self._stored.segment_size
            first, last = self._pos // size, (self._pos + wanted - 1) // size
            filled = 0
            if first == self._cached_index:
                filled = self._copy_segment(out, filled, wanted)
                first += 1
            if first <= last:
                with contextlib.closing(self._stored.segments(first, last)) as segments:
                    for index, plaintext in segments:
                        self._cached_index, self._cached = index, plaintext
                        filled = self._copy_segment(out, filled, wanted)
            self._pos += filled
            return filled

    def _copy_segment(self, out: memoryview, filled: int, wanted: int) -> int:
        """Copy from the cached segment at the current position; the new ``filled``."""
        at = self._pos + filled - self._cached_index * self._stored.segment_size
        n = min(wanted - filled, len(self._cached) - at)
        out[filled : filled + n] = self._cached[at : at + n]
        return filled + n

    def readall(self) -> bytes:
        buffer = bytearray(max(0, self._size - self._pos))
        n = self.readinto(buffer)
        del buffer[n:]
        return bytes(buffer)

    def close(self) -> None:
        self._cached = b""
        self._cached_index = -1
        super().close()
