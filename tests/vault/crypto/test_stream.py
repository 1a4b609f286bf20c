"""The segmented object format: round trips, range reads, seeking, and tampering detected."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import math
import random
from collections.abc import Callable, Iterator
from typing import Any

import av
import pytest

from vault.crypto.stream import (
    DEFAULT_SEGMENT_SIZE,
    HEADER_SIZE,
    TAG_SIZE,
    DecryptingReader,
    EncryptingReader,
    IntegrityError,
    ciphertext_size,
    decrypt_range,
    generate_data_key,
)

SEG = 4096
BINDING = b"recording:0b7e4c52-3f0e-4d3a-9a57-2d8f1c0e6a11/original"
OTHER_BINDING = b"recording:5a1d9c3e-8b2f-4e6a-b1c4-7f3e2d9a0b55/original"


def structured(n: int) -> bytes:
    """Repetitive, text-like plaintext: identical blocks must not show through the ciphertext."""
    line = b"agent: kart numaraniz 4543 1234 5678 9012, son kullanma 12/29, cvv 123; "
    return (line * (n // len(line) + 1))[:n]


def encrypt(
    plaintext: bytes,
    *,
    key: bytes,
    binding: bytes = BINDING,
    segment_size: int = SEG,
    chunk: int = 1000,
) -> bytes:
    chunks = [plaintext[i : i + chunk] for i in range(0, len(plaintext), chunk)]
    return EncryptingReader(chunks, key=key, binding=binding, segment_size=segment_size).read()


class Store:
    """Stored ciphertext, served in awkward chunk sizes; remembers what was asked of it."""

    def __init__(self, data: bytes, chunk: int = 1500) -> None:
        self.data = data
        self.chunk = chunk
        self.calls: list[tuple[int, int]] = []

    def read(self, offset: int, length: int) -> Iterator[bytes]:
        self.calls.append((offset, length))
        piece = self.data[offset : offset + length]
        for i in range(0, len(piece), self.chunk):
            yield piece[i : i + self.chunk]


def decrypt(
    data: bytes,
    size: int,
    *,
    key: bytes,
    binding: bytes = BINDING,
    segment_size: int = SEG,
    start: int = 0,
    end: int | None = None,
) -> bytes:
    parts = decrypt_range(
        Store(data).read,
        key=key,
        binding=binding,
        segment_size=segment_size,
        plaintext_size=size,
        start=start,
        end=size if end is None else end,
    )
    return b"".join(parts)


def split(data: bytes, segment_size: int = SEG) -> tuple[bytes, list[bytes]]:
    step = segment_size + TAG_SIZE
    body = data[HEADER_SIZE:]
    return data[:HEADER_SIZE], [body[i : i + step] for i in range(0, len(body), step)]


SIZES = [0, 1, SEG - 1, SEG, SEG + 1, 2 * SEG, 3 * SEG + 100]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("chunk", [1, 1000, 1 << 20])
def test_round_trip(size: int, chunk: int) -> None:
    key = generate_data_key()
    plaintext = structured(size)
    chunks = [plaintext[i : i + chunk] for i in range(0, size, chunk)]
    reader = EncryptingReader(chunks, key=key, binding=BINDING, segment_size=SEG)

    data = reader.read()

    assert len(data) == ciphertext_size(size, segment_size=SEG)
    assert reader.plaintext_size == size
    assert reader.sha256 == hashlib.sha256(plaintext).hexdigest()
    assert decrypt(data, size, key=key) == plaintext


def test_segment_count_matches_the_format() -> None:
    assert ciphertext_size(0, segment_size=SEG) == HEADER_SIZE + TAG_SIZE
    assert ciphertext_size(SEG, segment_size=SEG) == HEADER_SIZE + SEG + TAG_SIZE
    assert ciphertext_size(SEG + 1, segment_size=SEG) == HEADER_SIZE + SEG + 1 + 2 * TAG_SIZE


def test_round_trip_with_the_default_segment_size_and_odd_reads() -> None:
    key = generate_data_key()
    plaintext = random.Random(7).randbytes(3 * DEFAULT_SEGMENT_SIZE + 12345)
    chunks = (plaintext[i : i + 10_000] for i in range(0, len(plaintext), 10_000))
    reader = EncryptingReader(chunks, key=key, binding=BINDING, segment_size=DEFAULT_SEGMENT_SIZE)
    out = bytearray()
    sizes = iter([1, 15, 16, 17, 65_535, 70_000, 3, 1 << 20])
    while piece := reader.read(next(sizes, 4099)):
        out += piece

    assert len(out) == ciphertext_size(len(plaintext), segment_size=DEFAULT_SEGMENT_SIZE)
    assert (
        decrypt(bytes(out), len(plaintext), key=key, segment_size=DEFAULT_SEGMENT_SIZE) == plaintext
    )


def test_readinto_fills_the_buffer_until_eof() -> None:
    key = generate_data_key()
    plaintext = structured(2 * SEG + 10)
    reader = EncryptingReader([plaintext], key=key, binding=BINDING, segment_size=SEG)
    total = ciphertext_size(len(plaintext), segment_size=SEG)
    buffer = bytearray(total + 100)

    assert reader.readinto(memoryview(buffer)[:1000]) == 1000
    assert reader.readinto(memoryview(buffer)[1000:]) == total - 1000
    assert reader.readinto(bytearray(10)) == 0
    assert decrypt(bytes(buffer[:total]), len(plaintext), key=key) == plaintext


def test_empty_chunks_are_harmless() -> None:
    key = generate_data_key()
    plaintext = structured(SEG + 5)
    chunks = [b"", plaintext[:10], b"", plaintext[10:], b""]
    data = EncryptingReader(chunks, key=key, binding=BINDING, segment_size=SEG).read()

    assert decrypt(data, len(plaintext), key=key) == plaintext


def test_encrypting_reader_streams_instead_of_buffering() -> None:
    pulled = 0

    def source() -> Iterator[bytes]:
        nonlocal pulled
        for _ in range(1000):
            pulled += 1000
            yield b"x" * 1000

    reader = EncryptingReader(source(), key=generate_data_key(), binding=BINDING, segment_size=SEG)
    reader.read(HEADER_SIZE + SEG + TAG_SIZE)

    # One sealed segment, plus the chunk that showed it was not the last one.
    assert pulled <= 2 * SEG + 1000
    with pytest.raises(RuntimeError):
        _ = reader.plaintext_size
    reader.read()
    assert reader.plaintext_size == 1_000_000


def test_encrypting_reader_closes_its_source() -> None:
    closed = False

    def source() -> Iterator[bytes]:
        nonlocal closed
        try:
            while True:
                yield b"y" * 100
        finally:
            closed = True

    reader = EncryptingReader(source(), key=generate_data_key(), binding=BINDING, segment_size=SEG)
    reader.read(100)
    reader.close()

    assert closed


def test_same_plaintext_and_key_never_give_the_same_ciphertext() -> None:
    key = generate_data_key()
    plaintext = structured(SEG + 1)

    assert encrypt(plaintext, key=key) != encrypt(plaintext, key=key)


def test_no_window_of_the_plaintext_appears_in_the_ciphertext() -> None:
    plaintext = structured(8 * SEG)
    data = encrypt(plaintext, key=generate_data_key())
    width = 64
    windows = {data[i : i + width] for i in range(len(data) - width + 1)}

    assert not any(plaintext[i : i + width] in windows for i in range(len(plaintext) - width + 1))


def test_keys_must_be_256_bits() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        EncryptingReader([b"x"], key=b"k" * 16, binding=BINDING, segment_size=SEG)
    assert len(generate_data_key()) == 32
    assert generate_data_key() != generate_data_key()


# Range reads.

RANGE_SIZE = 3 * SEG + 100
BOUNDARIES = sorted(
    {p for b in (0, SEG, 2 * SEG, 3 * SEG, RANGE_SIZE) for p in (b - 1, b, b + 1)}
    & set(range(RANGE_SIZE + 1))
)


@pytest.fixture(scope="module")
def sealed() -> tuple[bytes, bytes, bytes]:
    key = generate_data_key()
    plaintext = random.Random(3).randbytes(RANGE_SIZE)
    return key, plaintext, encrypt(plaintext, key=key)


def test_every_range_around_segment_boundaries(sealed: tuple[bytes, bytes, bytes]) -> None:
    key, plaintext, data = sealed
    for start in BOUNDARIES:
        for end in BOUNDARIES:
            if start <= end:
                got = decrypt(data, RANGE_SIZE, key=key, start=start, end=end)
                assert got == plaintext[start:end], (start, end)


def test_a_range_fetches_the_header_and_only_the_segments_it_touches(
    sealed: tuple[bytes, bytes, bytes],
) -> None:
    key, plaintext, data = sealed
    store = Store(data)
    start, end = 2 * SEG + 10, 2 * SEG + 20
    parts = decrypt_range(
        store.read,
        key=key,
        binding=BINDING,
        segment_size=SEG,
        plaintext_size=RANGE_SIZE,
        start=start,
        end=end,
    )

    assert b"".join(parts) == plaintext[start:end]
    assert store.calls == [(0, HEADER_SIZE), (HEADER_SIZE + 2 * (SEG + TAG_SIZE), SEG + TAG_SIZE)]


def test_stopping_early_closes_what_was_read(sealed: tuple[bytes, bytes, bytes]) -> None:
    key, _, data = sealed
    closed: list[int] = []

    def read(offset: int, length: int) -> Iterator[bytes]:
        try:
            for i in range(offset, min(offset + length, len(data)), 1000):
                yield data[i : min(i + 1000, offset + length)]
        finally:
            closed.append(offset)

    parts = decrypt_range(
        read,
        key=key,
        binding=BINDING,
        segment_size=SEG,
        plaintext_size=RANGE_SIZE,
        start=0,
        end=RANGE_SIZE,
    )
    next(parts)
    parts.close()

    assert closed == [0, HEADER_SIZE]


def test_an_empty_range_reads_nothing(sealed: tuple[bytes, bytes, bytes]) -> None:
    key, _, data = sealed
    store = Store(data)
    parts = decrypt_range(
        store.read,
        key=key,
        binding=BINDING,
        segment_size=SEG,
        plaintext_size=RANGE_SIZE,
        start=5,
        end=5,
    )

    assert list(parts) == []
    assert store.calls == []


@pytest.mark.parametrize(("start", "end"), [(-1, 5), (5, 4), (0, RANGE_SIZE + 1)])
def test_a_range_outside_the_object_is_refused(
    sealed: tuple[bytes, bytes, bytes], start: int, end: int
) -> None:
    key, _, data = sealed
    with pytest.raises(ValueError, match="range"):
        decrypt(data, RANGE_SIZE, key=key, start=start, end=end)


# Seekable reads.


def open_reader(data: bytes, size: int, key: bytes, store: Store | None = None) -> DecryptingReader:
    return DecryptingReader(
        (store or Store(data)).read,
        key=key,
        binding=BINDING,
        segment_size=SEG,
        plaintext_size=size,
    )


def test_decrypting_reader_seeks_and_reads_like_a_file(sealed: tuple[bytes, bytes, bytes]) -> None:
    key, plaintext, data = sealed
    reader = open_reader(data, RANGE_SIZE, key)
    expected = io.BytesIO(plaintext)
    rng = random.Random(11)

    assert reader.seekable()
    assert reader.readable()
    for _ in range(300):
        whence = rng.choice([io.SEEK_SET, io.SEEK_CUR, io.SEEK_END])
        base = {io.SEEK_SET: 0, io.SEEK_CUR: expected.tell(), io.SEEK_END: RANGE_SIZE}[whence]
        offset = rng.randint(0, RANGE_SIZE + 10) - base
        size = rng.choice([0, 1, 100, SEG - 1, SEG, SEG + 1, 2 * SEG + 3, -1])
        assert reader.seek(offset, whence) == expected.seek(offset, whence)
        assert reader.read(size) == expected.read(size)
        assert reader.tell() == expected.tell()


def test_decrypting_reader_edges(sealed: tuple[bytes, bytes, bytes]) -> None:
    key, plaintext, data = sealed
    reader = open_reader(data, RANGE_SIZE, key)

    assert reader.read() == plaintext
    assert reader.read(10) == b""
    assert reader.seek(RANGE_SIZE + 50) == RANGE_SIZE + 50
    assert reader.read(10) == b""
    assert reader.seek(-10, io.SEEK_END) == RANGE_SIZE - 10
    assert reader.read() == plaintext[-10:]
    with pytest.raises(ValueError, match="negative"):
        reader.seek(-1)
    with pytest.raises(ValueError, match="whence"):
        reader.seek(0, 7)
    reader.close()
    with pytest.raises(ValueError, match="closed"):
        reader.read(1)


def test_decrypting_reader_fetches_a_segment_once_for_small_reads(
    sealed: tuple[bytes, bytes, bytes],
) -> None:
    key, plaintext, data = sealed
    store = Store(data)
    reader = open_reader(data, RANGE_SIZE, key, store)
    reader.seek(SEG)
    pieces = [reader.read(512) for _ in range(SEG // 512)]
    reader.seek(SEG + 100)
    pieces.append(reader.read(10))

    assert b"".join(pieces[:-1]) == plaintext[SEG : 2 * SEG]
    assert pieces[-1] == plaintext[SEG + 100 : SEG + 110]
    assert len(store.calls) == 2  # the header and segment 1


def sine_recording(container: str, codec: str, **options: str) -> bytes:
    """Two seconds of a tone, encoded in memory."""
    out = io.BytesIO()
    with av.open(out, "w", format=container, options=options) as muxer:
        stream = muxer.add_stream(codec, rate=16000, layout="mono")
        assert isinstance(stream, av.AudioStream)
        for start in range(0, 32000, 1024):
            samples = [
                int(8000 * math.sin(2 * math.pi * 440 * (start + i) / 16000)) for i in range(1024)
            ]
            frame = av.AudioFrame(format="s16", layout="mono", samples=1024)
            frame.planes[0].update(b"".join(s.to_bytes(2, "little", signed=True) for s in samples))
            frame.sample_rate = 16000
            frame.pts = start
            for packet in stream.encode(frame):
                muxer.mux(packet)
        for packet in stream.encode(None):
            muxer.mux(packet)
    return out.getvalue()


@pytest.mark.parametrize(
    ("container", "codec"),
    [("wav", "pcm_s16le"), ("ipod", "aac")],  # ipod without faststart: the index is at the end
)
def test_pyav_decodes_through_a_decrypting_reader(container: str, codec: str) -> None:
    recording = sine_recording(container, codec)
    key = generate_data_key()
    data = encrypt(recording, key=key, chunk=7000)
    reader = open_reader(data, len(recording), key)

    with av.open(reader, "r") as demuxer:
        samples = sum(frame.samples for frame in demuxer.decode(audio=0))

    assert abs(samples - 32000) <= 2048


# Tampering: each of these must raise IntegrityError, never return data that was not sealed.


@dataclasses.dataclass(frozen=True)
class Opening:
    """What the reader of a stored object is told about it."""

    key: bytes
    binding: bytes
    segment_size: int
    plaintext_size: int

    def decrypt_range(self, read: Callable[[int, int], Iterator[bytes]]) -> Iterator[bytes]:
        return decrypt_range(
            read,
            key=self.key,
            binding=self.binding,
            segment_size=self.segment_size,
            plaintext_size=self.plaintext_size,
            start=0,
            end=self.plaintext_size,
        )

    def reader(self, read: Callable[[int, int], Iterator[bytes]]) -> DecryptingReader:
        return DecryptingReader(
            read,
            key=self.key,
            binding=self.binding,
            segment_size=self.segment_size,
            plaintext_size=self.plaintext_size,
        )


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


TAMPER_SIZE = 3 * SEG + 100  # four segments, the last one short

Overrides = dict[str, Any]
Tamper = Callable[[bytes, bytes], tuple[bytes, Overrides]]


def at(position: Callable[[bytes], int]) -> Tamper:
    """Flip one bit at ``position(data)``."""
    return lambda data, key: (flip(data, position(data)), {})


def edit(change: Callable[[list[bytes], bytes], list[bytes]], **overrides: object) -> Tamper:
    """Rearrange the sealed segments: ``change(segments, key)``; tell the reader ``overrides``."""

    def tamper(data: bytes, key: bytes) -> tuple[bytes, Overrides]:
        header, segments = split(data)
        return header + b"".join(change(segments, key)), overrides

    return tamper


def told(**overrides: object) -> Tamper:
    """Store the object untouched, but read it with other arguments."""
    return lambda data, key: (data, overrides)


def other_segments(key: bytes, binding: bytes) -> list[bytes]:
    """The segments of another object sealed with the same key."""
    return split(encrypt(structured(TAMPER_SIZE)[::-1], key=key, binding=binding))[1]


SEALED_SEGMENT = SEG + TAG_SIZE
TAMPERS: dict[str, Tamper] = {
    "bit flipped in the magic": at(lambda d: 0),
    "bit flipped in the version": at(lambda d: 4),
    "bit flipped in the segment size": at(lambda d: 7),
    "bit flipped in the nonce prefix": at(lambda d: 12),
    "bit flipped in a segment": at(lambda d: HEADER_SIZE + SEALED_SEGMENT + 100),
    "bit flipped in a tag": at(lambda d: HEADER_SIZE + 2 * SEALED_SEGMENT - 1),
    "bit flipped in the last segment": at(lambda d: len(d) - TAG_SIZE - 1),
    "two segments swapped": edit(lambda s, k: [s[1], s[0], *s[2:]]),
    "a segment dropped": edit(lambda s, k: [s[0], *s[2:]]),
    "a segment dropped, size adjusted": edit(
        lambda s, k: [s[0], *s[2:]], plaintext_size=TAMPER_SIZE - SEG
    ),
    "the last segment dropped": edit(lambda s, k: s[:-1]),
    "truncated at a boundary, size adjusted": edit(lambda s, k: s[:-1], plaintext_size=3 * SEG),
    "cut inside the last segment": lambda d, k: (d[:-5], {}),
    "cut inside the header": lambda d, k: (d[:10], {}),
    "nothing stored": lambda d, k: (b"", {}),
    "a segment appended": edit(lambda s, k: [*s, s[1]]),
    "a segment appended, size adjusted": edit(
        lambda s, k: [*s, s[1]], plaintext_size=TAMPER_SIZE + SEG
    ),
    "a byte appended": lambda d, k: (d + b"\x00", {}),
    "a segment from another recording, same key": edit(
        lambda s, k: [s[0], other_segments(k, OTHER_BINDING)[1], *s[2:]]
    ),
    "a segment from another object, same key and binding": edit(
        lambda s, k: [s[0], other_segments(k, BINDING)[1], *s[2:]]
    ),
    "the whole object under another recording": told(binding=OTHER_BINDING),
    "the wrong key": told(key=generate_data_key()),
    "another segment size expected": told(segment_size=2 * SEG),
    "sealed with another segment size": lambda d, k: (
        encrypt(structured(TAMPER_SIZE), key=k, segment_size=2 * SEG),
        {},
    ),
}


@pytest.mark.parametrize("tamper", list(TAMPERS), ids=list(TAMPERS))
def test_tampering_is_detected(tamper: str) -> None:
    key = generate_data_key()
    plaintext = structured(TAMPER_SIZE)
    data = encrypt(plaintext, key=key)
    stored, overrides = TAMPERS[tamper](data, key)
    opening = dataclasses.replace(
        Opening(key=key, binding=BINDING, segment_size=SEG, plaintext_size=TAMPER_SIZE),
        **overrides,
    )

    with pytest.raises(IntegrityError) as caught:
        b"".join(opening.decrypt_range(Store(stored).read))
    with pytest.raises(IntegrityError):
        opening.reader(Store(stored).read).read()

    message = str(caught.value)
    assert "corrupt" in message
    assert key.hex() not in message
    assert plaintext[:16].decode() not in message
