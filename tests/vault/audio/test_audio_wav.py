"""WAV files: the RIFF chunk list is read by the vault itself, to catch cut-off and empty files."""

from __future__ import annotations

import io
import struct
from collections.abc import Callable

import pytest

from tests.audio_factory import UNKNOWN_SIZE, make_riff_wav, make_wav
from vault.audio import AudioInfo, BadAudio, probe


def _probe_wav(data: bytes) -> AudioInfo:
    info = probe(io.BytesIO(data), size=len(data))
    assert info.format == "wav"
    return info


def _fmt(
    tag: int = 1, channels: int = 1, rate: int = 8000, align: int = 2, bits: int = 16
) -> bytes:
    return struct.pack("<HHIIHH", tag, channels, rate, rate * align, align, bits)


_LIST_INFO = (b"LIST", b"INFOISFT\x05\x00\x00\x00abcd\x00")
_ODD_CHUNK = (b"junk", b"abc")  # three bytes, then a pad byte

# (what, make the file, sample rate, channels, duration)
GOOD: list[tuple[str, Callable[[], bytes], int, int, float]] = [
    ("canonical 44-byte header", lambda: make_wav(1.0, rate=8000), 8000, 1, 1.0),
    (
        "WAVE_FORMAT_EXTENSIBLE stereo",
        lambda: make_riff_wav(1.0, extensible=True, channels=2),
        8000,
        2,
        1.0,
    ),
    (
        "LIST chunk before the data",
        lambda: make_riff_wav(1.0, before_data=(_LIST_INFO,)),
        8000,
        1,
        1.0,
    ),
    (
        "odd-sized chunk, padded",
        lambda: make_riff_wav(1.0, before_data=(_ODD_CHUNK, _LIST_INFO)),
        8000,
        1,
        1.0,
    ),
    (
        "streamed: sizes 0xFFFFFFFF",
        lambda: make_riff_wav(2.5, riff_size=UNKNOWN_SIZE, data_size=UNKNOWN_SIZE),
        8000,
        1,
        2.5,
    ),
    ("streamed: sizes 0", lambda: make_riff_wav(2.5, riff_size=0, data_size=0), 8000, 1, 2.5),
    ("streamed, only the data size unknown", lambda: make_riff_wav(0.5, data_size=0), 8000, 1, 0.5),
    ("RF64 with a ds64 chunk", lambda: make_riff_wav(1.0, rf64=True), 8000, 1, 1.0),
    (
        "an 18-byte format chunk (cbSize 0)",
        lambda: make_riff_wav(1.0, fmt_chunk=_fmt() + b"\x00\x00"),
        8000,
        1,
        1.0,
    ),
]

# (what, make the file, words the message holds)
BAD: list[tuple[str, Callable[[], bytes], str]] = [
    ("header only, zero frames", lambda: make_wav(0), "no audio samples"),
    (
        "streamed, but nothing was written",
        lambda: make_riff_wav(0, riff_size=0, data_size=0),
        "no audio samples",
    ),
    (
        "less than one sample frame",
        lambda: make_riff_wav(0, riff_size=0, data_size=0, channels=2) + b"\x01\x02",
        "no audio samples",
    ),
    ("cut in the middle of the data", lambda: make_wav(2.0)[:16_000], "cut off"),
    ("cut by one byte", lambda: make_wav(1.0)[:-1], "cut off"),
    ("cut inside the header", lambda: make_wav(1.0)[:30], "cut off|format chunk"),
    ("RIFF size claims more than the file", lambda: make_riff_wav(1.0, riff_size=10**6), "cut off"),
    ("data size claims more than the file", lambda: make_riff_wav(1.0, data_size=10**6), "cut off"),
    (
        "format chunk of 8 bytes",
        lambda: make_riff_wav(1.0, fmt_chunk=b"\x01\x00\x01\x00\x40\x1f\x00\x00"),
        "format chunk is damaged",
    ),
    (
        "zero channels",
        lambda: make_riff_wav(1.0, fmt_chunk=_fmt(channels=0)),
        "format chunk is damaged",
    ),
    (
        "zero sample rate",
        lambda: make_riff_wav(1.0, fmt_chunk=_fmt(rate=0)),
        "format chunk is damaged",
    ),
    (
        "zero block align",
        lambda: make_riff_wav(1.0, fmt_chunk=_fmt(align=0)),
        "format chunk is damaged",
    ),
    (
        "block align that contradicts the sample size",
        lambda: make_riff_wav(1.0, fmt_chunk=_fmt(align=3)),
        "format chunk is damaged",
    ),
    (
        "PCM with zero bits per sample",
        lambda: make_riff_wav(1.0, fmt_chunk=_fmt(bits=0)),
        "format chunk is damaged",
    ),
    (
        "EXTENSIBLE without its extension",
        lambda: make_riff_wav(1.0, fmt_chunk=_fmt(tag=0xFFFE)),
        "format chunk is damaged",
    ),
    ("no format chunk", lambda: b"RIFF\x0c\x00\x00\x00WAVEdata\x00\x00\x00\x00", "no format chunk"),
    (
        "no data chunk",
        lambda: make_wav(1.0)[:36].replace(b"\x24\x7d\x00\x00", b"\x1c\x00\x00\x00"),
        "no audio data chunk",
    ),
    (
        "a chunk size that runs past the end",
        lambda: make_riff_wav(1.0, before_data=((b"LIST", b"x" * 4),)).replace(
            b"LIST\x04\x00", b"LIST\x00\x10"
        ),
        "no audio data chunk",
    ),
    ("9 channels", lambda: make_wav(0.1, channels=9), "9 channels"),
    ("3 kHz", lambda: make_wav(0.5, rate=3000), "3000 Hz"),
]


@pytest.mark.parametrize(
    ("make", "rate", "channels", "duration"), [r[1:] for r in GOOD], ids=[r[0] for r in GOOD]
)
def test_accepts_wav_layouts(
    make: Callable[[], bytes], rate: int, channels: int, duration: float
) -> None:
    info = _probe_wav(make())
    assert (info.sample_rate, info.channels) == (rate, channels)
    assert info.duration_seconds == pytest.approx(duration)


@pytest.mark.parametrize(("make", "words"), [r[1:] for r in BAD], ids=[r[0] for r in BAD])
def test_refuses_damaged_wav(make: Callable[[], bytes], words: str) -> None:
    data = make()
    with pytest.raises(BadAudio, match=words):
        probe(io.BytesIO(data), size=len(data))


def test_as_many_negative_rows_as_positive() -> None:
    assert len(BAD) >= len(GOOD)


def test_streamed_wav_duration_comes_from_the_file_size() -> None:
    data = make_riff_wav(
        3.0, rate=16000, channels=2, riff_size=UNKNOWN_SIZE, data_size=UNKNOWN_SIZE
    )
    assert _probe_wav(data).duration_seconds == pytest.approx(3.0)
    # Whatever a live writer managed to write is what the recording is: 16000 bytes = 0.25 s.
    assert _probe_wav(data[: len(data) - 16000]).duration_seconds == pytest.approx(2.75)
