"""A recording's redacted transcript as one index document: metadata, segments, terms."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import NamedTuple

from models.schemas import RedactedTranscript, Speaker
from models.tables import Recording
from vault.redaction.types import EntityType
from vault.search import normalise
from vault.search.base import SPEAKERS, Document

_ENTITY_TYPES = frozenset(e.value for e in EntityType)
_SPEAKER_OF = {s.value: s for s in Speaker}


class StoredSegment(NamedTuple):
    """One stored segment, made for every segment a snippet search reads: a tuple, cheap."""

    start: float
    end: float
    speaker: Speaker
    text: str
    terms: str | None = None
    """The segment's terms, space-separated, for snippets to skip segments without a hit
    cheaply; ``None`` in documents indexed before they were stored (reindex to add them)."""


def document(*, recording: Recording, transcript: RedactedTranscript) -> Document:
    """The index document of ``recording``; only a *redacted* transcript is ever accepted."""
    if not isinstance(transcript, RedactedTranscript):
        raise TypeError("only redacted transcripts are indexed")
    code = (transcript.language or recording.language or "").lower()[:8] or None
    language = normalise.language_of(code)
    terms: dict[Speaker, list[str]] = {s: [] for s in SPEAKERS}
    stored: list[tuple[float, float, str, str, str]] = []
    types: set[str] = set()
    for segment in transcript.segments:
        if not segment.text.strip():
            continue
        found = normalise.terms(segment.text, language=language)
        terms[segment.speaker].extend(found)
        types.update(
            t.removeprefix(normalise.ENTITY_PREFIX).upper()
            for t in found
            if t.startswith(normalise.ENTITY_PREFIX)
        )
        stored.append(
            (segment.start, segment.end, segment.speaker.value, segment.text, " ".join(found))
        )
    present = {Speaker(s[2]) for s in stored}
    return Document(
        recording_id=recording.id,
        language=code,
        agent_id=recording.agent_id,
        started_at=recording.started_at,
        duration_seconds=transcript.duration,
        speakers=" ".join(s.value for s in SPEAKERS if s in present),
        entity_types=" ".join(sorted(types & _ENTITY_TYPES)),
        segments=json.dumps(stored, ensure_ascii=False, separators=(",", ":")),
        terms=terms,
    )


def segments(stored: str) -> Iterator[StoredSegment]:
    """The segments of a ``search_document_texts`` row: ``[start, end, speaker, text, terms]``
    (``terms`` missing from rows indexed before it was kept), made as they are read."""
    for row in json.loads(stored):
        yield StoredSegment(
            float(row[0]),
            float(row[1]),
            _SPEAKER_OF[row[2]],
            str(row[3]),
            str(row[4]) if len(row) > 4 else None,
        )
