"""Decode a stored recording for speech recognition: 16 kHz float32 samples, one array per channel.

Stereo call recordings carry the agent on one side and the customer on the other, so channels
are never mixed here; the caller decides. Like `probe`, decoding reads through a file object
(the decrypting reader over the stored bytes) with the demuxer fixed by `sniff`, within a
budget of bytes and seconds, and streams: frames are resampled one by one into a growing
buffer, so memory holds the 16 kHz result and little else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import BinaryIO

import av
import numpy as np
import numpy.typing as npt

from vault.audio._guard import Guard
from vault.audio.errors import BadAudio
from vault.audio.probe import DEMUXERS, behind_id3
from vault.audio.sniff import SNIFF_BYTES, sniff

SAMPLE_RATE = 16_000  # what whisper and the VAD take
MAX_SECONDS = 4 * 3600.0  # a longer recording is refused rather than filling memory
READ_LIMIT = 4 * 1024 * 1024 * 1024
TIME_LIMIT_SECONDS = 900.0
_GUESS_SECONDS = 60.0  # first buffer when the container states no length

Samples = npt.NDArray[np.float32]


@dataclass(frozen=True, kw_only=True)
class DecodedAudio:
    """A recording as speech recognition wants it: mono float32 arrays in [-1, 1] per channel."""

    channels: list[Samples]
    sample_rate: int = SAMPLE_RATE
    duration: float  # seconds

    def downmix(self) -> Samples:
        """All channels mixed into one (the channel itself when there is one)."""
        if len(self.channels) == 1:
            return self.channels[0]
        mixed: Samples = np.mean(np.stack(self.channels), axis=0, dtype=np.float32)
        return mixed


def decode(
    fileobj: BinaryIO,
    *,
    max_seconds: float = MAX_SECONDS,
    read_limit: int = READ_LIMIT,
    time_limit_seconds: float = TIME_LIMIT_SECONDS,
) -> DecodedAudio:
    """Decode the recording in `fileobj` (seekable) to 16 kHz float32, one array per channel.

    Raises BadAudio if it is not in a format we accept, holds no audio stream or no samples,
    does not decode, is longer than `max_seconds`, or makes FFmpeg read more than `read_limit`
    bytes or work longer than `time_limit_seconds`. An error of `fileobj` itself (storage,
    decryption) is raised as it is.
    """
    if isinstance(fileobj, (str, bytes, os.PathLike)):
        raise TypeError("decode() takes an open binary file object, never a path")
    fileobj.seek(0)
    fmt = sniff(fileobj.read(SNIFF_BYTES))
    if fmt is None:
        raise BadAudio("The file is not in an audio format we accept.")
    if fmt == "mp3":
        fmt = behind_id3(fileobj, fileobj.seek(0, os.SEEK_END))
    guard = Guard(fileobj, max_bytes=read_limit, seconds=time_limit_seconds)
    fileobj.seek(0)
    try:
        channels = _decode(guard, fmt, max_seconds=max_seconds)
    except (av.FFmpegError, ValueError) as exc:
        guard.check()
        if isinstance(exc, BadAudio):
            raise
        raise BadAudio(f"The {fmt.upper()} file could not be decoded.") from exc
    guard.check()
    samples = channels.shape[1]
    return DecodedAudio(channels=list(channels), duration=samples / SAMPLE_RATE)


def _decode(guard: Guard, fmt: str, *, max_seconds: float) -> npt.NDArray[np.float32]:
    with av.open(guard, mode="r", format=DEMUXERS[fmt], timeout=guard.seconds) as container:
        guard.check()
        if not container.streams.audio:
            raise BadAudio("The file has no audio stream.")
        stream = container.streams.audio[0]
        buffer = _Buffer(_stated_seconds(container, stream), max_seconds=max_seconds)
        resampler: av.AudioResampler | None = None
        for packet in container.demux(stream):
            guard.check()
            for frame in packet.decode():
                if resampler is None:
                    # Planar float at 16 kHz in the source's own layout: channels stay apart.
                    resampler = av.AudioResampler(
                        format="fltp", layout=frame.layout, rate=SAMPLE_RATE
                    )
                for out in resampler.resample(frame):
                    buffer.append(out.to_ndarray().astype(np.float32, copy=False))
        if resampler is None:
            raise BadAudio(f"The {fmt.upper()} file holds no decodable audio.")
        for out in resampler.resample(None):
            buffer.append(out.to_ndarray().astype(np.float32, copy=False))
        return buffer.result()


def _stated_seconds(
    container: av.container.InputContainer, stream: av.audio.stream.AudioStream
) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return _GUESS_SECONDS


class _Buffer:
    """Rows of samples, one per channel, growing by doubling; sized from the stated length."""

    def __init__(self, seconds: float, *, max_seconds: float) -> None:
        self._max = int(max_seconds * SAMPLE_RATE)
        self._capacity = min(self._max, int((seconds + 1.0) * SAMPLE_RATE))
        self._data: npt.NDArray[np.float32] | None = None
        self._length = 0

    def append(self, block: npt.NDArray[np.float32]) -> None:
        channels, count = block.shape
        end = self._length + count
        if end > self._max:
            raise BadAudio(
                f"The recording is longer than {self._max // SAMPLE_RATE} seconds, "
                "the most the vault transcribes."
            )
        if self._data is None:
            self._data = np.empty((channels, max(self._capacity, end)), dtype=np.float32)
        elif block.shape[0] != self._data.shape[0]:
            raise BadAudio("The recording changes its number of channels part-way through.")
        elif end > self._data.shape[1]:
            grown = np.empty((channels, min(self._max, 2 * end)), dtype=np.float32)
            grown[:, : self._length] = self._data[:, : self._length]
            self._data = grown
        self._data[:, self._length : end] = block
        self._length = end

    def result(self) -> npt.NDArray[np.float32]:
        if self._data is None or self._length == 0:
            raise BadAudio("The recording holds no audio samples.")
        if self._length < self._data.shape[1]:
            # Rows of a view keep the whole buffer alive; copy when much of it is unused.
            trimmed = self._data[:, : self._length]
            return trimmed.copy() if self._length < 0.9 * self._data.shape[1] else trimmed
        return self._data
