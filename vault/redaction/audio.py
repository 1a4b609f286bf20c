"""The redacted audio rendition: the call with every redacted span silenced (or toned).

The rendition has the same length and channels as the call, at the decoder's 16 kHz, written
as 16-bit PCM WAV in one-second chunks (the header's sizes are known in advance, so nothing
is held twice). Spans are silenced on every channel: a card number read by the customer must
not leak through the agent's microphone either.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence

import numpy as np

from vault.audio.decode import DecodedAudio

TONE_HZ = 1000.0
TONE_LEVEL = 0.1


def mask(
    audio: DecodedAudio, spans: Sequence[tuple[float, float]], *, tone: bool = False
) -> DecodedAudio:
    """A copy of ``audio`` with each ``(start, end)`` span (seconds) silenced or toned."""
    rate = audio.sample_rate
    channels = [channel.copy() for channel in audio.channels]
    for start, end in spans:
        first = max(0, int(np.floor(start * rate)))
        last = min(len(channels[0]), int(np.ceil(end * rate)))
        if last <= first:
            continue
        if tone:
            t = np.arange(first, last, dtype=np.float32) / rate
            fill = (TONE_LEVEL * np.sin(2 * np.pi * TONE_HZ * t)).astype(np.float32)
        else:
            fill = np.zeros(last - first, dtype=np.float32)
        for channel in channels:
            channel[first:last] = fill
    return DecodedAudio(channels=channels, sample_rate=rate, duration=audio.duration)


def wav_chunks(audio: DecodedAudio, *, seconds_per_chunk: float = 1.0) -> Iterator[bytes]:
    """``audio`` as a 16-bit PCM WAV file, in chunks."""
    count = len(audio.channels)
    frames = len(audio.channels[0]) if count else 0
    rate = audio.sample_rate
    data_size = frames * count * 2
    yield (
        b"RIFF"
        + struct.pack("<I", 36 + data_size)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, count, rate, rate * count * 2, count * 2, 16)
        + b"data"
        + struct.pack("<I", data_size)
    )
    step = max(1, int(rate * seconds_per_chunk))
    for offset in range(0, frames, step):
        block = np.stack([c[offset : offset + step] for c in audio.channels], axis=1)
        pcm = np.clip(np.round(block * 32767.0), -32768, 32767).astype("<i2")
        yield pcm.tobytes()
