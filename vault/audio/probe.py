"""Stage two of the audio check: open stored audio with FFmpeg, prove it decodes, describe it.

`probe` runs once the upload's bytes are stored, on a seekable reader over them. It never
hands FFmpeg a path: FFmpeg reads through a file object, with the demuxer fixed by `sniff`
(so no playlist or concat demuxer can be chosen by the file's content and make FFmpeg open
other files or URLs), and within a budget of bytes and seconds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import BinaryIO

import av
import av.logging

from vault.audio import _wav
from vault.audio._guard import Guard
from vault.audio.errors import BadAudio, NotAudio
from vault.audio.sniff import SNIFF_BYTES, sniff

# FFmpeg is loud about damaged input, and damaged input is what we are here to catch. Our own
# exceptions say what went wrong; FFmpeg's lines would only repeat it, once per bad packet.
av.logging.set_level(None)

MAX_CHANNELS = 8
MIN_SAMPLE_RATE = 4_000
MAX_SAMPLE_RATE = 192_000
DECODE_SECONDS = 2.0  # decode this much from the start to prove the audio is real
TAIL_SECONDS = 1.0  # and seek this far before the stated end to prove the end is there
TAIL_DECODE_LIMIT_SECONDS = 10.0  # a seek that lands further back than this is a failure
# How far short of the stated length the decoded audio may end (codec delay, rounding).
END_SLACK_SECONDS = 0.25
END_SLACK_FRACTION = 0.001
READ_LIMIT = 64 * 1024 * 1024  # bytes FFmpeg may read; real files need a few MiB at most
TIME_LIMIT_SECONDS = 20.0

# Our container names (from `sniff`) and the FFmpeg demuxer that reads each.
DEMUXERS = {
    "wav": "wav",
    "mp3": "mp3",
    "aac": "aac",
    "ogg": "ogg",
    "flac": "flac",
    "m4a": "mov",
    "webm": "matroska",
    "mka": "matroska",
    "amr": "amr",
    "aiff": "aiff",
    "caf": "caf",
}

# Raw streams that state no length: FFmpeg guesses one from the bitrate, which for variable
# bitrate audio is far off, so we report none and have no stated end to check.
_LENGTH_UNSTATED = frozenset({"aac"})


@dataclass(frozen=True)
class AudioInfo:
    """What a recording is: container, codec, and the shape of its first audio stream."""

    format: str  # a `sniff` name: "wav", "mp3", "m4a", ...
    codec: str  # FFmpeg's codec name: "pcm_s16le", "mp3", "aac", "opus", ...
    sample_rate: int
    channels: int
    duration_seconds: float | None  # None where neither the container nor the header says


def probe(
    fileobj: BinaryIO,
    *,
    size: int,
    read_limit: int = READ_LIMIT,
    time_limit_seconds: float = TIME_LIMIT_SECONDS,
) -> AudioInfo:
    """Check that `fileobj` (seekable, `size` bytes) holds decodable audio, and describe it.

    Raises NotAudio if it does not start like an audio container, and BadAudio if it is
    empty, holds no audio stream, does not decode, is cut off, has a channel count or
    sample rate outside what the vault accepts, or makes FFmpeg read more than `read_limit`
    bytes or work longer than `time_limit_seconds`. An error of `fileobj` itself (storage,
    decryption) is raised as it is: it says nothing about the audio.
    """
    if isinstance(fileobj, (str, bytes, os.PathLike)):
        raise TypeError("probe() takes an open binary file object, never a path")
    if size <= 0:
        raise BadAudio("The file is empty.")
    fileobj.seek(0)
    fmt = sniff(fileobj.read(SNIFF_BYTES))
    if fmt is None:
        raise NotAudio("The file is not in an audio format we accept.")
    if fmt == "mp3":
        fmt = behind_id3(fileobj, size)
    layout = _wav.read_layout(fileobj, size=size) if fmt == "wav" else None
    if layout is not None:
        _check_shape(layout.sample_rate, layout.channels)

    guard = Guard(fileobj, max_bytes=read_limit, seconds=time_limit_seconds)
    fileobj.seek(0)
    try:
        info = _decode(guard, fmt, layout)
    except av.FFmpegError as exc:
        guard.check()
        raise BadAudio(f"The {_label(fmt)} file could not be decoded.") from exc
    guard.check()
    return info


def _decode(guard: Guard, fmt: str, layout: _wav.WavLayout | None) -> AudioInfo:
    with av.open(
        guard,
        mode="r",
        format=DEMUXERS[fmt],
        timeout=guard.seconds,
    ) as container:
        guard.check()
        if not container.streams.audio:
            raise BadAudio("The file has no audio stream.")
        stream = container.streams.audio[0]
        ctx = stream.codec_context
        head = _decode_span(container, stream, guard, seconds=DECODE_SECONDS)
        if head.samples == 0:
            raise BadAudio(f"The {_label(fmt)} file holds no decodable audio.")
        _check_shape(ctx.sample_rate, ctx.channels)  # known for sure once frames are decoded
        duration = None if fmt in _LENGTH_UNSTATED else _duration(container, stream, layout)
        if duration is not None and duration <= 0:
            raise BadAudio("The recording is zero seconds long.")
        # A WAV file's length was checked against its header already; for the others,
        # prove that the audio runs to where the container says it ends.
        if layout is None and duration is not None:
            _check_end(container, stream, guard, head=head, duration=duration, fmt=fmt)
        return AudioInfo(
            format=fmt,
            codec=ctx.codec.canonical_name,
            sample_rate=ctx.sample_rate,
            channels=ctx.channels,
            duration_seconds=duration,
        )


@dataclass
class _Span:
    samples: int = 0
    end: float | None = None  # where the last decoded frame ends, in seconds
    reached_eof: bool = False


def _decode_span(
    container: av.container.InputContainer,
    stream: av.audio.stream.AudioStream,
    guard: Guard,
    *,
    seconds: float,
) -> _Span:
    """Decode up to `seconds` of audio from where the container stands."""
    wanted = seconds * stream.codec_context.sample_rate
    span = _Span()
    for packet in container.demux(stream):
        guard.check()
        for frame in packet.decode():
            span.samples += frame.samples
            if frame.time is not None and frame.sample_rate:
                span.end = frame.time + frame.samples / frame.sample_rate
        if span.samples >= wanted:
            return span
    span.reached_eof = True
    return span


def _check_end(
    container: av.container.InputContainer,
    stream: av.audio.stream.AudioStream,
    guard: Guard,
    *,
    head: _Span,
    duration: float,
    fmt: str,
) -> None:
    """Decode the last stretch before the stated end: a cut-off file stops short of it."""
    time_base = stream.time_base
    start = stream.start_time
    stated_end = duration
    if start is not None and time_base is not None and start > 0:
        stated_end += float(start * time_base)
    tail = head
    if not head.reached_eof and time_base is not None:
        target = max(0.0, stated_end - TAIL_SECONDS)
        container.seek(int(target / time_base), stream=stream)
        stream.codec_context.flush_buffers()
        tail = _decode_span(container, stream, guard, seconds=TAIL_DECODE_LIMIT_SECONDS)
    slack = END_SLACK_SECONDS + END_SLACK_FRACTION * duration
    if tail.end is None or tail.end < stated_end - slack:
        raise BadAudio(f"The {_label(fmt)} file ends before its stated length: it was cut off.")


def _duration(
    container: av.container.InputContainer,
    stream: av.audio.stream.AudioStream,
    layout: _wav.WavLayout | None,
) -> float | None:
    if layout is not None and layout.duration_seconds is not None:
        return layout.duration_seconds
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return None


def _check_shape(sample_rate: int, channels: int) -> None:
    if not 1 <= channels <= MAX_CHANNELS:
        raise BadAudio(
            f"The recording has {channels} channels; at most {MAX_CHANNELS} are accepted."
        )
    if not MIN_SAMPLE_RATE <= sample_rate <= MAX_SAMPLE_RATE:
        raise BadAudio(
            f"The recording's sample rate is {sample_rate} Hz; "
            f"{MIN_SAMPLE_RATE}-{MAX_SAMPLE_RATE} Hz are accepted."
        )


def behind_id3(fileobj: BinaryIO, size: int) -> str:
    """The container behind a leading ID3 tag: MP3 as a rule, sometimes AAC or FLAC."""
    fileobj.seek(0)
    head = fileobj.read(10)
    if head[:3] != b"ID3" or len(head) < 10:
        return "mp3"
    tag_size = 10 + sum((b & 0x7F) << (7 * (3 - i)) for i, b in enumerate(head[6:10]))
    if head[5] & 0x10:  # footer present
        tag_size += 10
    if tag_size >= size:
        raise BadAudio("The MP3 file holds a tag but no audio.")
    fileobj.seek(tag_size)
    inner = sniff(fileobj.read(SNIFF_BYTES))
    return inner if inner in ("aac", "flac") else "mp3"


def _label(fmt: str) -> str:
    return fmt.upper() if len(fmt) <= 4 else fmt
