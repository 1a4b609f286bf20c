"""Spoken test calls, made with espeak-ng inside the tests, so that no recording is committed.

`speak` says a sentence in Turkish or English and returns a WAV file; `place` lays utterances
out in time on one channel, `stereo` on two (the agent on one side, the customer on the
other), with silence between them. Everything is 16-bit PCM at espeak-ng's rate (22050 Hz),
so the decoder's resampling is exercised too.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

ESPEAK = "espeak-ng"
RATE = 22050  # espeak-ng's output rate

Utterance = tuple[float, bytes]  # (start in seconds, a mono WAV file)


def have_espeak() -> bool:
    return shutil.which(ESPEAK) is not None


@cache
def speak(text: str, *, lang: str, speed: int = 150, voice: str | None = None) -> bytes:
    """`text` said by espeak-ng in `lang` ("tr", "en"): a mono 16-bit WAV file, at `speed` wpm.

    Cached: tests that say the same sentence share one synthesis.
    """
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "speech.wav"
        subprocess.run(
            [ESPEAK, "-v", voice or lang, "-s", str(speed), "-w", str(out), text],
            check=True,
            capture_output=True,
            timeout=60,
        )
        return out.read_bytes()


def samples(wav: bytes) -> tuple[int, npt.NDArray[np.int16]]:
    """A WAV file's rate and 16-bit samples, shaped (frames, channels)."""
    with wave.open(io.BytesIO(wav)) as reader:
        if reader.getsampwidth() != 2:
            raise ValueError("only 16-bit WAV files are handled here")
        rate, channels = reader.getframerate(), reader.getnchannels()
        data = np.frombuffer(reader.readframes(reader.getnframes()), dtype="<i2")
    return rate, data.reshape(-1, channels)


def duration(wav: bytes) -> float:
    rate, data = samples(wav)
    return len(data) / rate


def speech_start(wav: bytes, *, threshold: int = 500) -> float:
    """Where the first sample louder than `threshold` is, in seconds: where the voice starts."""
    rate, data = samples(wav)
    loud = np.flatnonzero(np.abs(data.astype(np.int32)).max(axis=1) > threshold)
    return float(loud[0]) / rate if len(loud) else duration(wav)


def place(utterances: Sequence[Utterance], *, seconds: float | None = None) -> bytes:
    """One channel holding each utterance at its start time, silence elsewhere."""
    return _write([_track(utterances, _length(utterances, seconds))])


def stereo(
    left: Sequence[Utterance], right: Sequence[Utterance], *, seconds: float | None = None
) -> bytes:
    """A two-channel call: `left`'s utterances on the left, `right`'s on the right."""
    frames = max(_length(left, seconds), _length(right, seconds))
    return _write([_track(left, frames), _track(right, frames)])


def silence(seconds: float, *, channels: int = 1) -> bytes:
    return _write([np.zeros(round(seconds * RATE), dtype=np.int16)] * channels)


def _length(utterances: Sequence[Utterance], seconds: float | None) -> int:
    """Frames needed for `seconds`, or to the end of the last utterance plus half a second."""
    if seconds is not None:
        return round(seconds * RATE)
    ends = [start + duration(wav) for start, wav in utterances]
    return round((max(ends, default=0.0) + 0.5) * RATE)


def _track(utterances: Sequence[Utterance], frames: int) -> npt.NDArray[np.int16]:
    track = np.zeros(frames, dtype=np.int16)
    for start, wav in utterances:
        rate, data = samples(wav)
        if rate != RATE or data.shape[1] != 1:
            raise ValueError(f"utterances are mono at {RATE} Hz")
        at = round(start * RATE)
        piece = data[: max(0, frames - at), 0]
        track[at : at + len(piece)] = piece
    return track


def _write(tracks: list[npt.NDArray[np.int16]]) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as writer:
        writer.setnchannels(len(tracks))
        writer.setsampwidth(2)
        writer.setframerate(RATE)
        writer.writeframes(np.stack(tracks, axis=1).astype("<i2").tobytes())
    return buf.getvalue()
