"""`decode` turns a recording into 16 kHz float32, one array per channel, or refuses it."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest

import vault.audio.decode as decode_module
from tests.audio_factory import (
    ENCODED_FORMATS,
    make_encoded,
    make_riff_wav,
    make_wav,
    missing_encoder,
    tone_pcm,
)
from vault.audio import BadAudio
from vault.audio.decode import SAMPLE_RATE, DecodedAudio, decode

# Codecs that work in whole frames (AAC: 1024 samples, AMR: 160) may end a frame late.
FRAME_SLACK_SECONDS = 0.15
_EIGHT_KHZ_ONLY = {"amr"}


def _decode(data: bytes) -> DecodedAudio:
    return decode(io.BytesIO(data))


def _peak_frequency(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples))
    return float(np.fft.rfftfreq(len(samples), 1 / SAMPLE_RATE)[np.argmax(spectrum)])


@pytest.mark.parametrize("fmt", ENCODED_FORMATS)
def test_every_format_decodes_to_16_khz(fmt: str) -> None:
    reason = missing_encoder(fmt)
    if reason is not None:
        pytest.fail(reason)
    rate = 8000 if fmt in _EIGHT_KHZ_ONLY else 16000
    audio = _decode(make_encoded(fmt, 1.0, rate=rate))
    assert audio.sample_rate == SAMPLE_RATE
    assert len(audio.channels) == 1
    (samples,) = audio.channels
    assert samples.dtype == np.float32
    assert samples.ndim == 1
    assert 1.0 <= audio.duration <= 1.0 + FRAME_SLACK_SECONDS
    assert len(samples) == round(audio.duration * SAMPLE_RATE)
    assert 0.3 < float(np.max(np.abs(samples))) <= 1.0  # the half-scale tone, not silence
    assert abs(_peak_frequency(samples) - 440) < 10


@pytest.mark.parametrize("fmt", [f for f in ENCODED_FORMATS if f not in _EIGHT_KHZ_ONLY])
def test_stereo_stays_two_channels(fmt: str) -> None:
    reason = missing_encoder(fmt)
    if reason is not None:
        pytest.fail(reason)
    audio = _decode(make_encoded(fmt, 1.0, channels=2))
    assert len(audio.channels) == 2
    assert all(len(channel) == len(audio.channels[0]) for channel in audio.channels)


def _two_sides(seconds: float, *, rate: int) -> bytes:
    """Stereo PCM: a 440 Hz tone on the left, a 1000 Hz tone on the right, the right one late."""
    frames = round(seconds * rate)
    left = np.frombuffer(tone_pcm(seconds, rate=rate, channels=1), dtype="<i2")
    right = np.frombuffer(tone_pcm(seconds, rate=rate, channels=1, freq=1000.0), dtype="<i2")
    right = np.concatenate([np.zeros(frames // 2, dtype="<i2"), right[: frames - frames // 2]])
    buf = io.BytesIO()
    with wave.open(buf, "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.stack([left, right], axis=1).tobytes())
    return buf.getvalue()


def test_channels_are_not_mixed() -> None:
    left, right = _decode(_two_sides(2.0, rate=44100)).channels
    assert len(left) == len(right) == 2 * SAMPLE_RATE
    assert abs(_peak_frequency(left) - 440) < 10
    assert abs(_peak_frequency(right) - 1000) < 10
    assert float(np.max(np.abs(right[: SAMPLE_RATE - 100]))) < 0.01  # silent for its first second
    assert float(np.max(np.abs(left[: SAMPLE_RATE - 100]))) > 0.3


def test_telephone_mu_law_is_resampled_to_16_khz() -> None:
    reason = missing_encoder("wav_mulaw")
    if reason is not None:
        pytest.fail(reason)
    audio = _decode(make_encoded("wav_mulaw", 2.0, rate=8000))
    (samples,) = audio.channels
    assert len(samples) == 2 * SAMPLE_RATE
    assert audio.duration == 2.0
    assert abs(_peak_frequency(samples) - 440) < 10


def test_a_call_longer_than_its_container_says_lands_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The buffer is sized from the stated length and grows past it when the audio runs on."""
    monkeypatch.setattr(decode_module, "_stated_seconds", lambda *_: 0.5)
    data = make_riff_wav(70.0, rate=8000, channels=2, riff_size=0, data_size=0)
    audio = _decode(data)
    assert [len(channel) for channel in audio.channels] == [70 * SAMPLE_RATE] * 2
    assert audio.duration == 70.0


def test_downmix_averages_the_channels() -> None:
    audio = DecodedAudio(
        channels=[np.ones(4, dtype=np.float32), np.zeros(4, dtype=np.float32)], duration=0.00025
    )
    assert audio.downmix().tolist() == [0.5] * 4
    assert audio.downmix().dtype == np.float32


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"%PDF-1.7\n" + bytes(1000), id="not audio"),
        pytest.param(b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(200), id="damaged wav"),
        pytest.param(b"\xff\xfb\x90\x00" + bytes(range(256)) * 40, id="mp3 of noise"),
        pytest.param(b"OggS" + bytes(2000), id="ogg without pages"),
        pytest.param(b"fLaC" + bytes(100), id="flac without stream info"),
    ],
)
def test_undecodable_input_is_bad_audio(data: bytes) -> None:
    with pytest.raises(BadAudio):
        _decode(data)


def test_a_recording_too_long_is_refused() -> None:
    with pytest.raises(BadAudio, match="longer than 1 seconds"):
        decode(io.BytesIO(make_wav(2.0)), max_seconds=1.0)


def test_the_readers_own_errors_are_not_called_bad_audio() -> None:
    """A storage or integrity error of the reader must surface as itself (it is retried)."""

    class Failing(io.BytesIO):
        def read(self, n: int | None = -1) -> bytes:
            if self.tell() > 1000:
                raise OSError("the store went away")
            return super().read(n)

    with pytest.raises(OSError, match="the store went away"):
        decode(Failing(make_wav(2.0)))


def test_paths_are_refused() -> None:
    with pytest.raises(TypeError):
        decode(b"recording.wav")  # type: ignore[arg-type]
