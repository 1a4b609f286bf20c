"""Helpers for the search tests: recordings rows, redacted transcripts, one-call searches."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from models.base import new_id
from models.schemas import RedactedEntity, RedactedTranscript, Segment, Speaker, Status
from models.tables import Key, Recording
from vault.db import transaction
from vault.search import service
from vault.search.schemas import SearchFilters, SearchPage, Sort

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SEGMENT_SECONDS = 10.0

Lines = Sequence[tuple[Speaker, str]]


def redacted(lines: Lines, *, language: str | None = "tr") -> RedactedTranscript:
    """A redacted transcript whose segment ``i`` starts at ``10 * i`` seconds."""
    segments = [
        Segment(
            start=i * SEGMENT_SECONDS,
            end=(i + 1) * SEGMENT_SECONDS,
            speaker=speaker,
            text=text,
            words=[],
        )
        for i, (speaker, text) in enumerate(lines)
    ]
    entities = [
        RedactedEntity(type=tag, start_time=s.start, end_time=s.end, speaker=s.speaker)
        for s in segments
        for tag in ("CARD_NUMBER", "PHONE_NUMBER", "PERSON", "IBAN", "EMAIL_ADDRESS")
        if f"[{tag}]" in s.text
    ]
    return RedactedTranscript(
        language=language,
        duration=len(segments) * SEGMENT_SECONDS,
        text=" ".join(s.text for s in segments),
        segments=segments,
        entities=entities,
    )


def recording_row(
    key_id: str,
    *,
    agent_id: str = "ayse",
    started_at: datetime = T0,
    language: str | None = "tr",
    status: Status = Status.READY,
) -> Recording:
    """A recordings row (not added to any session) whose blobs are sealed under ``key_id``."""
    rid = new_id()
    return Recording(
        id=rid,
        call_id=f"call-{rid[:8]}",
        agent_id=agent_id,
        uploaded_by=agent_id,
        started_at=started_at,
        direction="inbound",
        language=language,
        channels="mono",
        key_id=key_id,
        status=status.value,
        media_format="wav",
        codec="pcm_s16le",
        sample_rate=16000,
        channel_count=1,
        size_bytes=100,
        sha256="0" * 64,
        created_at=started_at,
    )


def add_recording(
    factory: sessionmaker[Session],
    *,
    agent_id: str = "ayse",
    started_at: datetime = T0,
    language: str | None = "tr",
    status: Status = Status.READY,
) -> Recording:
    with transaction(factory) as session:
        key = Key(purpose="recording", wrapped=b"x", master_key_id="mk")
        session.add(key)
        session.flush()
        recording = recording_row(
            key.id, agent_id=agent_id, started_at=started_at, language=language, status=status
        )
        session.add(recording)
    return recording


def indexed(
    factory: sessionmaker[Session],
    lines: Lines,
    *,
    language: str | None = "tr",
    agent_id: str = "ayse",
    started_at: datetime = T0,
    status: Status = Status.READY,
) -> str:
    """Add a recording and index its redacted transcript; returns its id."""
    recording = add_recording(
        factory, agent_id=agent_id, started_at=started_at, language=language, status=status
    )
    with transaction(factory) as session:
        service.index_recording(
            session, recording=recording, transcript=redacted(lines, language=language)
        )
    return recording.id


def find(
    factory: sessionmaker[Session],
    query: str = "",
    *,
    agent_id: str | None = None,
    sort: Sort = "relevance",
    cursor: str | None = None,
    limit: int = 20,
    **filters: Any,
) -> SearchPage:
    with factory() as session:
        return service.search(
            session,
            query=query,
            agent_id=agent_id,
            filters=SearchFilters(**filters),
            sort=sort,
            cursor=cursor,
            limit=limit,
        )


def ids(page: SearchPage) -> set[str]:
    return {hit.recording_id for hit in page.items}


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)
