"""Redacting a timed transcript: the text the engine reads, its words' times, the tags back in.

The engine reads one text built from the segments' words, so every character knows the word
(and so the time, and the speaker) it came from. Findings become entity tags in the segments'
text and words, and time spans padded by ``PAD_SECONDS`` for the audio rendition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from models.schemas import RedactedEntity, RedactedTranscript, Segment, Speaker, Transcript, Word
from vault.redaction.engine import Redactor, replace
from vault.redaction.types import PAYMENT_CARD, EntityType, Finding, Known, Turn

PAD_SECONDS = 0.25


@dataclass(frozen=True)
class _Placed:
    start: int
    end: int
    segment: int
    word: int


@dataclass(frozen=True)
class Layout:
    text: str
    segments: tuple[tuple[int, int], ...]  # each segment's character span
    words: tuple[_Placed, ...]
    turns: tuple[Turn, ...]


def layout(transcript: Transcript) -> Layout:
    parts: list[str] = []
    at = 0
    segments: list[tuple[int, int]] = []
    words: list[_Placed] = []
    turns: list[Turn] = []
    for s_index, segment in enumerate(transcript.segments):
        if parts:
            parts.append(" ")
            at += 1
        start = at
        pieces = segment.words or [
            Word(word=segment.text, start=segment.start, end=segment.end, probability=1.0)
        ]
        first = True
        for w_index, word in enumerate(pieces):
            token = word.word.strip()
            if not token:
                continue
            if not first:
                parts.append(" ")
                at += 1
            first = False
            parts.append(token)
            words.append(_Placed(at, at + len(token), s_index, w_index))
            at += len(token)
        segments.append((start, at))
        turns.append(Turn(start, at, segment.speaker.value))
    return Layout("".join(parts), tuple(segments), tuple(words), tuple(turns))


@dataclass(frozen=True)
class TimedFinding:
    finding: Finding
    start_time: float
    end_time: float
    speaker: Speaker


def _timed(
    transcript: Transcript, placed: Layout, findings: Sequence[Finding], pad: float
) -> list[TimedFinding]:
    out: list[TimedFinding] = []
    for finding in findings:
        hit = [w for w in placed.words if w.start < finding.end and w.end > finding.start]
        if hit:
            times = [
                transcript.segments[w.segment].words[w.word]
                if transcript.segments[w.segment].words
                else transcript.segments[w.segment]
                for w in hit
            ]
            start = min(t.start for t in times)
            end = max(t.end for t in times)
            speaker = transcript.segments[hit[0].segment].speaker
        else:
            segment_index = next(
                (i for i, (s, e) in enumerate(placed.segments) if s <= finding.start < e), 0
            )
            segment = transcript.segments[segment_index]
            start, end, speaker = segment.start, segment.end, segment.speaker
        out.append(
            TimedFinding(
                finding,
                max(0.0, round(start - pad, 3)),
                min(transcript.duration, round(end + pad, 3)),
                speaker,
            )
        )
    return out


def _segment(
    segment: Segment, span: tuple[int, int], placed: Layout, findings: Sequence[Finding], index: int
) -> Segment:
    start, end = span
    local = [
        Finding(
            max(f.start, start) - start,
            min(f.end, end) - start,
            f.entity_type,
            f.score,
            f.recognizer,
        )
        for f in findings
        if f.start < end and f.end > start
    ]
    text = replace(placed.text[start:end], local).strip()
    words: list[Word] = []
    tagged: set[int] = set()
    for place in placed.words:
        if place.segment != index or not segment.words:
            continue
        original = segment.words[place.word]
        covering = next((f for f in findings if f.start < place.end and f.end > place.start), None)
        if covering is None:
            words.append(original)
            continue
        key = id(covering)
        if key in tagged:
            words[-1] = words[-1].model_copy(update={"end": original.end})
            continue
        tagged.add(key)
        words.append(
            Word(
                word=f"[{covering.entity_type.value}]",
                start=original.start,
                end=original.end,
                probability=1.0,
            )
        )
    return Segment(
        start=segment.start, end=segment.end, speaker=segment.speaker, text=text, words=words
    )


def redact(
    transcript: Transcript,
    *,
    redactor: Redactor,
    known: Known | None = None,
    pad: float = PAD_SECONDS,
) -> tuple[RedactedTranscript, list[TimedFinding]]:
    placed = layout(transcript)
    findings = redactor.analyze(
        placed.text, lang=transcript.language, known=known, turns=placed.turns
    )
    timed = _timed(transcript, placed, findings, pad)
    segments = [
        _segment(segment, placed.segments[i], placed, findings, i)
        for i, segment in enumerate(transcript.segments)
    ]
    redacted = RedactedTranscript(
        language=transcript.language,
        duration=transcript.duration,
        text=" ".join(s.text for s in segments if s.text),
        segments=segments,
        entities=[
            RedactedEntity(
                type=t.finding.entity_type.value,
                start_time=t.start_time,
                end_time=t.end_time,
                speaker=t.speaker,
            )
            for t in timed
        ],
    )
    return redacted, timed


def card_spans(timed: Sequence[TimedFinding]) -> list[tuple[float, float]]:
    return [(t.start_time, t.end_time) for t in timed if t.finding.entity_type in PAYMENT_CARD]


def scrub_raw(
    transcript: Transcript, timed: Sequence[TimedFinding], types: frozenset[EntityType]
) -> Transcript:
    """The raw transcript with only ``types`` redacted (PCI mode: card data goes everywhere)."""
    placed = layout(transcript)
    findings = [t.finding for t in timed if t.finding.entity_type in types]
    if not findings:
        return transcript
    segments = [
        _segment(segment, placed.segments[i], placed, findings, i)
        for i, segment in enumerate(transcript.segments)
    ]
    return Transcript(
        language=transcript.language,
        duration=transcript.duration,
        text=" ".join(s.text for s in segments if s.text),
        segments=segments,
    )
