"""Turn a decoded call into a transcript: one speaker per channel, words timed, one language.

How a call is transcribed:

- **Sides.** A mono recording is one side, `Speaker.MIXED`. A stereo recording whose metadata
  says where the agent is (`agent-left`, `agent-right`) is two sides, each transcribed on its
  own channel (`AGENT`, `CUSTOMER`); their segments are merged by start time. A recording whose
  channel count does not fit what the metadata says is mixed down and transcribed as one side.
- **Language.** One per call, always one of the configured `languages`: the caller's hint when
  it is one of them; else whisper's language probabilities over the call's first 30 seconds of
  speech (both sides' speech in time order, found by the VAD), restricted to `languages`.
  Restricting matters: whisper often ranks a third language first for short or accented speech.
- **Silence.** Voice activity detection (faster-whisper's Silero VAD) finds the speech once per
  side; with `vad` on, only speech is transcribed (as faster-whisper's ``vad_filter`` would,
  without running the VAD twice), and a side without any is not transcribed at all. With
  `vad` off, whisper hears everything, except a side that is digitally silent (whisper invents
  words such as "You" out of pure silence).
- **Decoding.** Word timestamps on; `condition_on_previous_text` off, because on call audio a
  misheard window otherwise seeds the next one and whisper can loop on a phrase for minutes
  (on the benchmark's Turkish call without VAD, off took 5.8 s against 10.1 s, same words).
- **Output.** Segments in time order with stripped text and words timed to the millisecond,
  clamped into the recording; `Transcript.text` is the segments' texts joined by spaces.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.transcribe import Segment as WhisperSegment
from faster_whisper.transcribe import restore_speech_timestamps
from faster_whisper.vad import VadOptions, get_speech_timestamps

from models.schemas import Channels, Segment, Speaker, Transcript, Word
from vault.audio.decode import SAMPLE_RATE, DecodedAudio, Samples

log = logging.getLogger(__name__)

# Telephone speech: turns are short and pauses between them are short too, so a half-second
# silence ends a stretch of speech (faster-whisper's default, 2 s, would keep most pauses).
VAD_OPTIONS = VadOptions(threshold=0.5, min_silence_duration_ms=500, speech_pad_ms=300)
SILENT_PEAK = 10 ** (-60 / 20)  # -60 dBFS: a side never louder than this holds no speech
DETECT_SECONDS = 30  # whisper's window: language detection looks at this much speech

Progress = Callable[[float], None]


@dataclass(frozen=True)
class _Side:
    speaker: Speaker
    samples: Samples
    speech: list[dict[str, int]]  # VAD's stretches of speech, in samples


def transcribe(
    audio: DecodedAudio,
    *,
    model: WhisperModel,
    channels: Channels,
    languages: tuple[str, ...],
    language_hint: str | None = None,
    beam_size: int = 5,
    vad: bool = True,
    on_progress: Progress | None = None,
) -> Transcript:
    """Transcribe `audio` with `model`, in one of `languages`, labelling speakers by channel.

    `on_progress` is called with the fraction of the call's audio (over all sides) processed
    so far: non-decreasing, ending at 1.0.
    """
    if not languages:
        raise ValueError("at least one language is needed")
    if audio.sample_rate != SAMPLE_RATE:
        raise ValueError(f"whisper takes {SAMPLE_RATE} Hz audio, not {audio.sample_rate} Hz")
    sides = [
        _Side(speaker, samples, get_speech_timestamps(samples, VAD_OPTIONS))
        for speaker, samples in _split(audio, channels)
    ]
    language = _choose_language(model, sides, languages, language_hint, vad=vad)
    progress = _Tracker(on_progress, side_seconds=audio.duration, sides=len(sides))
    segments: list[Segment] = []
    for side in sides:
        if language is not None and (side.speech if vad else _audible(side.samples)):
            raw = _run(model, side, language=language, beam_size=beam_size, vad=vad)
            segments.extend(_convert(raw, side.speaker, audio.duration, progress))
        progress.side_done()
    segments.sort(key=lambda segment: (segment.start, segment.end))
    progress.finish()
    return Transcript(
        language=language,
        duration=round(audio.duration, 3),
        text=" ".join(segment.text for segment in segments),
        segments=segments,
    )


def _run(
    model: WhisperModel, side: _Side, *, language: str, beam_size: int, vad: bool
) -> Iterable[WhisperSegment]:
    """Whisper's segments for one side, lazily, on the recording's own time line.

    With `vad`, this is what faster-whisper's ``vad_filter`` does (speech cut out and joined,
    times mapped back), but with the speech found once, here, rather than a second time.
    """
    if not vad:
        samples = side.samples
    else:
        samples = np.concatenate([side.samples[c["start"] : c["end"]] for c in side.speech])
    raw: Iterable[WhisperSegment]
    raw, _ = model.transcribe(
        samples,
        language=language,
        beam_size=beam_size,
        word_timestamps=True,
        condition_on_previous_text=False,
    )
    if not vad:
        return raw
    restored: Iterable[WhisperSegment] = restore_speech_timestamps(raw, side.speech, SAMPLE_RATE)
    return restored


def _split(audio: DecodedAudio, channels: Channels) -> list[tuple[Speaker, Samples]]:
    if channels is Channels.MONO:
        return [(Speaker.MIXED, audio.downmix())]
    if len(audio.channels) != 2:
        log.warning(
            "the metadata says stereo but the audio has %d channel(s): transcribing it mixed",
            len(audio.channels),
        )
        return [(Speaker.MIXED, audio.downmix())]
    left, right = audio.channels
    agent, customer = (left, right) if channels is Channels.AGENT_LEFT else (right, left)
    return [(Speaker.AGENT, agent), (Speaker.CUSTOMER, customer)]


def _choose_language(
    model: WhisperModel,
    sides: list[_Side],
    languages: tuple[str, ...],
    hint: str | None,
    *,
    vad: bool,
) -> str | None:
    """The call's language, one of `languages`; None if there is nothing to transcribe."""
    if hint is not None and hint.lower() in languages:
        return hint.lower()
    if not model.model.is_multilingual:
        return "en" if "en" in languages else languages[0]
    clip = _first_speech(sides)
    if clip is None:
        if vad or not any(_audible(side.samples) for side in sides):
            return None  # silence: no side will be transcribed
        clip = np.mean(np.stack([side.samples for side in sides]), axis=0, dtype=np.float32)
    if len(languages) == 1:
        return languages[0]
    _, _, ranked = model.detect_language(audio=clip[: DETECT_SECONDS * SAMPLE_RATE])
    probability = dict(ranked)
    return max(languages, key=lambda language: probability.get(language, 0.0))


def _audible(samples: Samples) -> bool:
    """Not digital silence: without the VAD, whisper would make words up out of nothing."""
    return bool(samples.size) and float(np.max(np.abs(samples))) > SILENT_PEAK


def _first_speech(sides: list[_Side]) -> Samples | None:
    """The call's first `DETECT_SECONDS` of speech, taken from every side in time order."""
    stretches = sorted(
        ((chunk["start"], chunk["end"], side.samples) for side in sides for chunk in side.speech),
        key=lambda stretch: stretch[:2],
    )
    pieces: list[Samples] = []
    wanted = DETECT_SECONDS * SAMPLE_RATE
    for start, end, samples in stretches:
        if wanted <= 0:
            break
        piece = samples[start : min(end, start + wanted)]
        pieces.append(piece)
        wanted -= len(piece)
    return np.concatenate(pieces) if pieces else None


def _convert(
    raw: Iterable[WhisperSegment], speaker: Speaker, duration: float, progress: _Tracker
) -> list[Segment]:
    """faster-whisper's segments as ours, reporting progress as each one comes out."""
    out: list[Segment] = []
    for item in raw:
        progress.reached(item.end)
        text = item.text.strip()
        if not text:
            continue
        words = [
            Word(
                word=word.word.strip(),
                start=_seconds(word.start, duration),
                end=_seconds(word.end, duration),
                probability=round(float(word.probability), 3),
            )
            for word in item.words or ()
            if word.word.strip()
        ]
        out.append(
            Segment(
                start=_seconds(item.start, duration),
                end=_seconds(item.end, duration),
                speaker=speaker,
                text=text,
                words=words,
            )
        )
    return out


def _seconds(value: float, duration: float) -> float:
    """A time in seconds, to the millisecond, inside the recording."""
    return round(min(max(float(value), 0.0), duration), 3)


class _Tracker:
    """Turns "this side is done up to t seconds" into a call-wide fraction for `on_progress`."""

    def __init__(self, callback: Progress | None, *, side_seconds: float, sides: int) -> None:
        self._callback = callback
        self._side_seconds = side_seconds
        self._total = side_seconds * sides
        self._done_sides = 0
        self._last = 0.0

    def reached(self, seconds: float) -> None:
        if self._total > 0:
            done = min(float(seconds), self._side_seconds)
            position = self._done_sides * self._side_seconds + done
            self._report(min(position / self._total, 1.0))

    def side_done(self) -> None:
        self._done_sides += 1
        self.reached(0.0)

    def finish(self) -> None:
        self._report(1.0)

    def _report(self, fraction: float) -> None:
        if self._callback is None or fraction <= self._last:
            return
        self._last = fraction
        self._callback(fraction)
