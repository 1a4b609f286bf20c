"""`probe` proves that stored bytes are decodable audio, describes them, and refuses the rest."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from tests.audio_factory import (
    make_encoded,
    make_riff_wav,
    make_video,
    make_wav,
    missing_encoder,
)
from vault.audio import AudioInfo, BadAudio, NotAudio, probe


def _probe(data: bytes) -> AudioInfo:
    return probe(io.BytesIO(data), size=len(data))


def _encoded(
    fmt: str, seconds: float = 3.0, *, rate: int = 16000, channels: int = 1
) -> Callable[[], bytes]:
    def make() -> bytes:
        reason = missing_encoder(fmt)
        if reason is not None:
            pytest.fail(reason)
        return make_encoded(fmt, seconds, rate=rate, channels=channels)

    return make


def _cut(make: Callable[[], bytes], fraction: float = 0.5) -> Callable[[], bytes]:
    def cut() -> bytes:
        data = make()
        return data[: int(len(data) * fraction)]

    return cut


def _after(head: bytes, seed: int = 1) -> Callable[[], bytes]:
    """A valid-looking signature followed by random bytes."""
    return lambda: head + random.Random(seed).randbytes(20_000)


def _id3_tag() -> bytes:
    title = b"\x03call 42"  # UTF-8 text frame
    frame = b"TIT2" + len(title).to_bytes(4, "big") + b"\x00\x00" + title
    size = len(frame)
    synchsafe = bytes((size >> shift) & 0x7F for shift in (21, 14, 7, 0))
    return b"ID3\x04\x00\x00" + synchsafe + frame


def _with_zero_aiff_frames() -> bytes:
    data = bytearray(_encoded("aiff", 1.0)())
    comm = data.index(b"COMM")
    data[comm + 10 : comm + 14] = bytes(4)  # numSampleFrames
    return bytes(data)


# (what, make the file, format, codec, sample rate, channels, duration or None)
GOOD: list[tuple[str, Callable[[], bytes], str, str, int, int, float | None]] = [
    ("wav mono 16 kHz", lambda: make_wav(1.0), "wav", "pcm_s16le", 16000, 1, 1.0),
    (
        "wav stereo 8 kHz",
        lambda: make_wav(2.0, rate=8000, channels=2),
        "wav",
        "pcm_s16le",
        8000,
        2,
        2.0,
    ),
    ("wav mu-law 8 kHz", _encoded("wav_mulaw", 2.0, rate=8000), "wav", "pcm_mulaw", 8000, 1, 2.0),
    (
        "wav A-law 8 kHz stereo",
        _encoded("wav_alaw", 2.0, rate=8000, channels=2),
        "wav",
        "pcm_alaw",
        8000,
        2,
        2.0,
    ),
    ("wav float", _encoded("wav_float", 1.0), "wav", "pcm_f32le", 16000, 1, 1.0),
    (
        "wav streamed by a live recorder",
        lambda: make_riff_wav(1.5, riff_size=0xFFFFFFFF, data_size=0xFFFFFFFF),
        "wav",
        "pcm_s16le",
        8000,
        1,
        1.5,
    ),
    ("mp3", _encoded("mp3"), "mp3", "mp3", 16000, 1, 3.0),
    ("mp3 stereo 44.1 kHz", _encoded("mp3", rate=44100, channels=2), "mp3", "mp3", 44100, 2, 3.0),
    ("ogg opus", _encoded("ogg_opus"), "ogg", "opus", 48000, 1, 3.0),
    ("flac", _encoded("flac"), "flac", "flac", 16000, 1, 3.0),
    ("flac 8 channels", _encoded("flac", 1.0, channels=8), "flac", "flac", 16000, 8, 1.0),
    ("m4a, moov at the end", _encoded("m4a"), "m4a", "aac", 16000, 1, 3.0),
    ("m4a, faststart", _encoded("m4a_faststart"), "m4a", "aac", 16000, 1, 3.0),
    ("mp4 with aac", _encoded("mp4_aac", rate=48000, channels=2), "m4a", "aac", 48000, 2, 3.0),
    ("mp4 with video and audio", lambda: make_video(1.0, audio=True), "m4a", "aac", 48000, 1, 1.0),
    ("webm opus", _encoded("webm_opus"), "webm", "opus", 48000, 1, 3.0),
    (
        "webm with video and audio",
        lambda: make_video(1.0, fmt="webm", audio=True),
        "webm",
        "opus",
        48000,
        1,
        1.0,
    ),
    ("matroska flac", _encoded("mka_flac"), "mka", "flac", 16000, 1, 3.0),
    ("amr narrowband", _encoded("amr", rate=8000), "amr", "amr_nb", 8000, 1, 3.0),
    ("aiff", _encoded("aiff"), "aiff", "pcm_s16be", 16000, 1, 3.0),
    ("caf", _encoded("caf"), "caf", "pcm_s16le", 16000, 1, 3.0),
    # ADTS states no length; FFmpeg's guess from the bitrate is not reported.
    ("aac in ADTS", _encoded("aac_adts"), "aac", "aac", 16000, 1, None),
    (
        "aac in ADTS behind an ID3 tag",
        lambda: _id3_tag() + _encoded("aac_adts")(),
        "aac",
        "aac",
        16000,
        1,
        None,
    ),
]

# (what, make the file, exception, words the message holds)
BAD: list[tuple[str, Callable[[], bytes], type[ValueError], str]] = [
    ("empty", lambda: b"", BadAudio, "empty"),
    ("3 bytes", lambda: b"RIF", NotAudio, "not in an audio format"),
    ("random bytes", lambda: random.Random(7).randbytes(4096), NotAudio, "not in an audio format"),
    ("PDF", lambda: b"%PDF-1.4\n1 0 obj <<>> endobj\n" * 20, NotAudio, "not in an audio format"),
    ("PNG", lambda: b"\x89PNG\r\n\x1a\n" + bytes(200), NotAudio, "not in an audio format"),
    ("ZIP", lambda: b"PK\x03\x04" + bytes(200), NotAudio, "not in an audio format"),
    ("text", lambda: b"just a note about the call\n" * 10, NotAudio, "not in an audio format"),
    ("HTML", lambda: b"<html><body>no audio</body></html>", NotAudio, "not in an audio format"),
    ("wav, header only (zero frames)", lambda: make_wav(0), BadAudio, "no audio samples"),
    ("wav cut in the middle of its data", _cut(lambda: make_wav(2.0)), BadAudio, "cut off"),
    (
        "wav with a damaged format chunk",
        lambda: make_riff_wav(1.0, fmt_chunk=b"\x01\x00\x00\x00" + bytes(12)),
        BadAudio,
        "format chunk is damaged",
    ),
    ("wav signature then garbage", _after(b"RIFF\x00\x10\x00\x00WAVE"), BadAudio, "WAV"),
    ("wav with 10 channels", lambda: make_wav(0.2, channels=10), BadAudio, "10 channels"),
    ("wav at 2 kHz", lambda: make_wav(0.5, rate=2000), BadAudio, "2000 Hz"),
    ("wav at 384 kHz", lambda: make_wav(0.05, rate=384000), BadAudio, "384000 Hz"),
    ("mp4 with video only", make_video, BadAudio, "no audio stream"),
    ("webm with video only", lambda: make_video(fmt="webm"), BadAudio, "no audio stream"),
    ("m4a with moov at the end, cut off", _cut(_encoded("m4a")), BadAudio, "could not be decoded"),
    ("m4a faststart, cut off", _cut(_encoded("m4a_faststart")), BadAudio, "M4A"),
    (
        "m4a signature then garbage",
        _after(b"\x00\x00\x00\x18ftypM4A \x00\x00\x02\x00isommp42"),
        BadAudio,
        "M4A",
    ),
    ("mp3 sync bytes then garbage", _after(b"\xff\xfb\x90\x64"), BadAudio, "MP3"),
    ("mp3 cut in the middle", _cut(_encoded("mp3")), BadAudio, "cut off"),
    ("mp3 tag and no audio", _id3_tag, BadAudio, "no audio"),
    ("flac cut in the middle", _cut(_encoded("flac")), BadAudio, "FLAC"),
    ("flac with no frames", _encoded("flac", 0.0), BadAudio, "no decodable audio"),
    ("flac signature then garbage", _after(b"fLaC"), BadAudio, "FLAC"),
    ("ogg signature then garbage", _after(b"OggS\x00\x02"), BadAudio, "OGG"),
    ("webm cut in the middle", _cut(_encoded("webm_opus")), BadAudio, "cut off"),
    ("aiff cut in the middle", _cut(_encoded("aiff")), BadAudio, "cut off"),
    ("aiff stating zero frames", _with_zero_aiff_frames, BadAudio, "zero seconds"),
]


@pytest.mark.parametrize(
    ("make", "fmt", "codec", "rate", "channels", "duration"),
    [row[1:] for row in GOOD],
    ids=[row[0] for row in GOOD],
)
def test_describes_decodable_audio(
    make: Callable[[], bytes],
    fmt: str,
    codec: str,
    rate: int,
    channels: int,
    duration: float | None,
) -> None:
    info = _probe(make())
    assert (info.format, info.codec, info.sample_rate, info.channels) == (
        fmt,
        codec,
        rate,
        channels,
    )
    if duration is None:
        assert info.duration_seconds is None
    else:
        assert info.duration_seconds == pytest.approx(duration, abs=0.05)


@pytest.mark.parametrize(
    ("make", "error", "words"), [row[1:] for row in BAD], ids=[row[0] for row in BAD]
)
def test_refuses_what_is_not_whole_audio(
    make: Callable[[], bytes], error: type[ValueError], words: str
) -> None:
    with pytest.raises(error, match=words):
        _probe(make())


def test_as_many_negative_rows_as_positive() -> None:
    assert len(BAD) >= len(GOOD)


def test_not_audio_and_bad_audio_are_distinct_value_errors() -> None:
    assert issubclass(NotAudio, ValueError)
    assert issubclass(BadAudio, ValueError)
    assert not issubclass(NotAudio, BadAudio)
    assert not issubclass(BadAudio, NotAudio)


MARKER = b"Ayse Yilmaz 4111 1111 1111 1111"


@pytest.mark.parametrize(
    "data",
    [
        MARKER * 4,
        b"\xff\xfb\x90\x64" + MARKER * 40,
        b"OggS\x00\x02" + MARKER * 40,
        b"\x00\x00\x00\x18ftypM4A \x00\x00\x02\x00isommp42" + MARKER * 40,
        make_wav(1.0)[:1000] + MARKER,
    ],
    ids=["text", "mp3 sync", "ogg", "m4a", "cut wav"],
)
def test_error_messages_quote_nothing_from_the_file(data: bytes) -> None:
    with pytest.raises(ValueError) as caught:
        _probe(data)
    for text in (str(caught.value), repr(caught.value)):
        assert "Ayse" not in text
        assert "4111" not in text


def test_ffmpeg_prints_nothing_about_damaged_input(capfd: pytest.CaptureFixture[str]) -> None:
    for data in (_after(b"\xff\xfb\x90\x64")(), _cut(_encoded("m4a"))(), _after(b"fLaC")()):
        with pytest.raises(BadAudio):
            _probe(data)
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def test_reads_an_open_file(tmp_path: Path) -> None:
    path = tmp_path / "call.m4a"
    path.write_bytes(_encoded("m4a")())
    with path.open("rb") as f:
        info = probe(f, size=path.stat().st_size)
    assert (info.format, info.codec) == ("m4a", "aac")


@pytest.mark.parametrize("path", ["call.wav", Path("call.wav"), b"call.wav"])
def test_never_takes_a_path(path: object) -> None:
    with pytest.raises(TypeError, match="never a path"):
        probe(path, size=100)  # type: ignore[arg-type]


def test_a_file_that_needs_more_reading_than_allowed_is_refused() -> None:
    data = _encoded("m4a", 30.0)()
    with pytest.raises(BadAudio, match="too long"):
        probe(io.BytesIO(data), size=len(data), read_limit=4096)


def test_a_file_that_needs_more_time_than_allowed_is_refused() -> None:
    data = _encoded("mp3", 3.0)()
    with pytest.raises(BadAudio, match="too long"):
        probe(io.BytesIO(data), size=len(data), time_limit_seconds=0.0)


class _FailingReader(io.BytesIO):
    """A stored-object reader whose storage fails past `fail_at` (say, a tampered segment)."""

    def __init__(self, data: bytes, fail_at: int) -> None:
        super().__init__(data)
        self.fail_at = fail_at

    def read(self, size: int | None = -1) -> bytes:
        if self.tell() >= self.fail_at:
            raise OSError("segment 7 failed authentication")
        return super().read(size)


def test_a_failing_reader_is_not_mistaken_for_bad_audio() -> None:
    data = _encoded("m4a", 30.0)()  # moov at the end: FFmpeg must read there
    with pytest.raises(OSError, match="segment 7"):
        probe(_FailingReader(data, fail_at=len(data) // 2), size=len(data))
    # Nothing of that failure lingers in PyAV to surface in the next probe.
    assert _probe(data).format == "m4a"


def test_audio_info_is_a_frozen_value() -> None:
    info = _probe(make_wav(0.5))
    assert info == AudioInfo("wav", "pcm_s16le", 16000, 1, 0.5)
    with pytest.raises(FrozenInstanceError):
        info.channels = 2  # type: ignore[misc]
