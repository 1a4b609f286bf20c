"""The redacted rendition: same length, spans silenced on every channel, a valid WAV."""

from __future__ import annotations

import io
import wave

import numpy as np

from vault.audio.decode import DecodedAudio
from vault.redaction.audio import mask, wav_chunks


def tone(seconds: float, channels: int = 2) -> DecodedAudio:
    t = np.arange(int(seconds * 16000), dtype=np.float32) / 16000
    wave_ = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    return DecodedAudio(channels=[wave_.copy() for _ in range(channels)], duration=seconds)


def test_spans_are_silenced_on_every_channel_and_nothing_else() -> None:
    audio = tone(3.0)
    out = mask(audio, [(1.0, 1.5)])
    for channel, source in zip(out.channels, audio.channels, strict=True):
        assert len(channel) == len(source)
        assert np.all(channel[16000:24000] == 0)
        assert np.array_equal(channel[:16000], source[:16000])
        assert np.array_equal(channel[24000:], source[24000:])
    assert np.any(audio.channels[0][16000:24000] != 0)  # the input is left alone


def test_tone_replaces_speech_with_a_beep() -> None:
    out = mask(tone(2.0, channels=1), [(0.5, 1.0)], tone=True)
    span = out.channels[0][8000:16000]
    assert 0.05 < float(np.max(np.abs(span))) <= 0.1001


def test_spans_outside_the_audio_are_clipped() -> None:
    out = mask(tone(1.0, channels=1), [(-1.0, 0.1), (0.9, 5.0), (2.0, 3.0)])
    assert np.all(out.channels[0][:1600] == 0)
    assert np.all(out.channels[0][14400:] == 0)
    assert len(out.channels[0]) == 16000


def test_the_rendition_is_a_wav_of_the_same_length() -> None:
    audio = mask(tone(2.5), [(1.0, 2.0)])
    data = b"".join(wav_chunks(audio))
    with wave.open(io.BytesIO(data)) as reader:
        assert reader.getnchannels() == 2
        assert reader.getframerate() == 16000
        assert reader.getnframes() == 40000
        frames = np.frombuffer(reader.readframes(40000), dtype="<i2").reshape(-1, 2)
    assert np.all(frames[16000:32000] == 0)
    assert np.max(np.abs(frames[:16000])) > 10000
