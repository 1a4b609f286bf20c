"""Make small test recordings inside the tests, so that no binary fixture is committed.

Tone generators for the tests of `vault.audio` and of everything that uploads a call:
`make_wav` writes PCM WAV with the standard library, `make_encoded` encodes with PyAV's
bundled FFmpeg, `make_video` makes a container with a picture, with or without sound.
`ENCODED_FORMATS` names what `make_encoded` can make; `missing_encoder` says whether this
FFmpeg build lacks the encoder a format needs, so a test can skip with a reason.
"""

from __future__ import annotations

import io
import math
import struct
import tempfile
import wave
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import cast

import av
from av.audio.stream import AudioStream
from av.video.stream import VideoStream


@dataclass(frozen=True)
class _Recipe:
    container: str  # FFmpeg muxer name
    codec: str  # FFmpeg encoder name
    options: tuple[tuple[str, str], ...] = ()  # muxer options
    rates: tuple[int, ...] = ()  # sample rates the encoder takes; () means any


_RECIPES: dict[str, _Recipe] = {
    "wav_mulaw": _Recipe("wav", "pcm_mulaw"),
    "wav_alaw": _Recipe("wav", "pcm_alaw"),
    "wav_float": _Recipe("wav", "pcm_f32le"),
    "mp3": _Recipe("mp3", "libmp3lame"),
    "ogg_opus": _Recipe("ogg", "libopus", rates=(8000, 12000, 16000, 24000, 48000)),
    "flac": _Recipe("flac", "flac"),
    "aac_adts": _Recipe("adts", "aac"),
    "m4a": _Recipe("ipod", "aac"),
    "m4a_faststart": _Recipe("ipod", "aac", options=(("movflags", "faststart"),)),
    "mp4_aac": _Recipe("mp4", "aac"),
    "webm_opus": _Recipe("webm", "libopus", rates=(8000, 12000, 16000, 24000, 48000)),
    "mka_flac": _Recipe("matroska", "flac"),
    "amr": _Recipe("amr", "libopencore_amrnb", rates=(8000,)),
    "aiff": _Recipe("aiff", "pcm_s16be"),
    "caf": _Recipe("caf", "pcm_s16le"),
}

ENCODED_FORMATS: tuple[str, ...] = tuple(_RECIPES)


def missing_encoder(fmt: str) -> str | None:
    """Why `make_encoded(fmt, ...)` cannot work with this FFmpeg build, or None if it can."""
    recipe = _RECIPES[fmt]
    try:
        av.Codec(recipe.codec, "w")
    except av.codec.codec.UnknownCodecError:
        return f"PyAV's bundled FFmpeg has no {recipe.codec} encoder (needed for {fmt})"
    if recipe.container not in av.formats_available:
        return f"PyAV's bundled FFmpeg has no {recipe.container} muxer (needed for {fmt})"
    return None


def tone_pcm(seconds: float, *, rate: int, channels: int, freq: float = 440.0) -> bytes:
    """Interleaved signed 16-bit little-endian samples of a sine tone at half scale."""
    frames = round(seconds * rate)
    out = bytearray()
    for i in range(frames):
        value = round(16383 * math.sin(2 * math.pi * freq * i / rate))
        out += struct.pack("<h", value) * channels
    return bytes(out)


def make_wav(
    seconds: float,
    *,
    rate: int = 16000,
    channels: int = 1,
    freq: float = 440.0,
) -> bytes:
    """A 16-bit PCM WAV file of a sine tone (the `wave` module's canonical 44-byte header)."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(tone_pcm(seconds, rate=rate, channels=channels, freq=freq))
    return buf.getvalue()


_KSDATAFORMAT_SUFFIX = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
UNKNOWN_SIZE = 0xFFFFFFFF
"""What a live recorder leaves in the RIFF and data size fields while it cannot know them."""


def make_riff_wav(
    seconds: float,
    *,
    rate: int = 8000,
    channels: int = 1,
    extensible: bool = False,
    before_data: tuple[tuple[bytes, bytes], ...] = (),
    riff_size: int | None = None,
    data_size: int | None = None,
    fmt_chunk: bytes | None = None,
    rf64: bool = False,
) -> bytes:
    """A 16-bit PCM WAV file written chunk by chunk, for the shapes `wave` does not write.

    `extensible` writes a WAVE_FORMAT_EXTENSIBLE format chunk; `before_data` adds (id, body)
    chunks between the format and data chunks, padded to an even length as RIFF requires;
    `riff_size` and `data_size` override the size fields (`UNKNOWN_SIZE` or 0 imitate a
    recorder that streamed the file); `fmt_chunk` replaces the format chunk's body; `rf64`
    writes an RF64 file, whose real sizes are in a ds64 chunk and whose size fields say
    `UNKNOWN_SIZE`.
    """
    pcm = tone_pcm(seconds, rate=rate, channels=channels)
    block_align = 2 * channels
    if fmt_chunk is None:
        tag = 0xFFFE if extensible else 1
        fmt_chunk = struct.pack("<HHIIHH", tag, channels, rate, rate * block_align, block_align, 16)
        if extensible:
            mask = (1 << channels) - 1
            subformat = struct.pack("<H", 1) + _KSDATAFORMAT_SUFFIX
            fmt_chunk += struct.pack("<HHI", 22, 16, mask) + subformat
    chunks = [(b"fmt ", fmt_chunk), *before_data]
    if rf64:
        riff_size = data_size = UNKNOWN_SIZE
        frames = len(pcm) // block_align
        # Placeholder RIFF size (patched below), data size, sample count, empty table.
        chunks.insert(0, (b"ds64", struct.pack("<QQQI", 0, len(pcm), frames, 0)))
    body = b"".join(_chunk(cid, data) for cid, data in chunks)
    data_header = b"data" + struct.pack("<I", len(pcm) if data_size is None else data_size)
    riff_body = b"WAVE" + body + data_header + pcm
    if rf64:
        ds64_riff_size = struct.pack("<Q", len(riff_body))
        riff_body = riff_body[:12] + ds64_riff_size + riff_body[20:]
    size_field = len(riff_body) if riff_size is None else riff_size
    return (b"RF64" if rf64 else b"RIFF") + struct.pack("<I", size_field) + riff_body


def _chunk(chunk_id: bytes, data: bytes) -> bytes:
    pad = b"\x00" if len(data) % 2 else b""
    return chunk_id + struct.pack("<I", len(data)) + data + pad


def make_encoded(
    fmt: str,
    seconds: float,
    *,
    rate: int = 16000,
    channels: int = 1,
    freq: float = 440.0,
) -> bytes:
    """A tone encoded by FFmpeg as `fmt`, one of `ENCODED_FORMATS`.

    Raises LookupError if this FFmpeg build lacks the encoder; call `missing_encoder` first.
    """
    reason = missing_encoder(fmt)
    if reason is not None:
        raise LookupError(reason)
    recipe = _RECIPES[fmt]
    if recipe.rates and rate not in recipe.rates:
        raise ValueError(f"{recipe.codec} takes sample rates {recipe.rates}, not {rate}")
    layout = "mono" if channels == 1 else "stereo" if channels == 2 else f"{channels}c"
    pcm = tone_pcm(seconds, rate=rate, channels=channels, freq=freq)
    with tempfile.TemporaryDirectory() as tmp:
        # A real file, not BytesIO: faststart rewrites the output by reopening it by name.
        path = Path(tmp) / f"out.{recipe.container}"
        with av.open(
            str(path), mode="w", format=recipe.container, options=dict(recipe.options)
        ) as out:
            stream = cast(AudioStream, out.add_stream(recipe.codec, rate=rate, layout=layout))
            out.start_encoding()  # writes the header even when no packet follows
            _encode_pcm(out, stream, pcm, rate=rate, layout=layout, channels=channels)
        return path.read_bytes()


def _encode_pcm(
    out: av.container.OutputContainer,
    stream: AudioStream,
    pcm: bytes,
    *,
    rate: int,
    layout: str,
    channels: int,
) -> None:
    ctx = stream.codec_context
    resampler = av.AudioResampler(format=ctx.format, layout=layout, rate=rate)
    chunk = 1024
    bytes_per_frame = 2 * channels
    pts = 0
    for start in range(0, len(pcm), chunk * bytes_per_frame):
        piece = pcm[start : start + chunk * bytes_per_frame]
        samples = len(piece) // bytes_per_frame
        frame = av.AudioFrame(format="s16", layout=layout, samples=samples)
        frame.planes[0].update(piece)
        frame.sample_rate = rate
        frame.time_base = Fraction(1, rate)
        frame.pts = pts
        pts += samples
        for converted in resampler.resample(frame):
            out.mux(stream.encode(converted))
    for converted in resampler.resample(None):
        out.mux(stream.encode(converted))
    out.mux(stream.encode(None))


def make_video(seconds: float = 0.5, *, fmt: str = "mp4", audio: bool = False) -> bytes:
    """A tiny grey video in an `fmt` container (mp4: MPEG-4 Part 2; webm: VP8).

    With `audio`, it also carries a tone (AAC in mp4, Opus in webm); without, it has no
    audio stream at all.
    """
    video_codec, audio_codec = ("mpeg4", "aac") if fmt == "mp4" else ("libvpx", "libopus")
    rate = 48000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"video.{fmt}"
        with av.open(str(path), mode="w", format=fmt) as out:
            video = cast(VideoStream, out.add_stream(video_codec, rate=10))
            video.width = 32
            video.height = 32
            video.pix_fmt = "yuv420p"
            sound = None
            if audio:
                sound = cast(AudioStream, out.add_stream(audio_codec, rate=rate, layout="mono"))
            for i in range(max(1, round(seconds * 10))):
                frame = av.VideoFrame(32, 32, "yuv420p")
                for plane in frame.planes:
                    plane.update(b"\x80" * plane.buffer_size)
                frame.pts = i
                out.mux(video.encode(frame))
            out.mux(video.encode(None))
            if sound is not None:
                pcm = tone_pcm(seconds, rate=rate, channels=1)
                _encode_pcm(out, sound, pcm, rate=rate, layout="mono", channels=1)
        return path.read_bytes()
