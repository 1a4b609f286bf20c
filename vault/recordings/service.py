"""Reading recordings' metadata: one, a page, counts. Scoped by the caller's grant."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.orm import Session

from models.schemas import (
    Channels,
    Direction,
    MediaOut,
    RecordingOut,
    RecordingPage,
    RecordingStats,
    Status,
    SubjectOut,
)
from models.tables import Recording, Subject
from vault.errors import InvalidInput, KeyDestroyed, NotFound
from vault.keys.keyring import MasterKeyring
from vault.subjects import service as subjects

MAX_PAGE = 200


def get(session: Session, *, recording_id: str) -> Recording:
    recording = session.get(Recording, recording_id)
    if recording is None:
        raise NotFound("no such recording")
    return recording


def present(
    session: Session, *, keyring: MasterKeyring, recording: Recording, sees_subject: bool
) -> RecordingOut:
    """The recording as the caller may see it: the customer's details only where allowed."""
    subject: SubjectOut | None = None
    if sees_subject and recording.subject_id is not None:
        row = session.get(Subject, recording.subject_id)
        subject = SubjectOut(id=recording.subject_id)
        if row is not None:
            try:
                details = subjects.read_details(session, keyring=keyring, subject=row)
            except KeyDestroyed:
                pass
            else:
                subject = SubjectOut(
                    id=row.id,
                    customer_id=details.customer_id,
                    name=details.name,
                    phone=details.phone,
                    email=details.email,
                )
    return RecordingOut(
        id=recording.id,
        call_id=recording.call_id,
        agent_id=recording.agent_id,
        started_at=recording.started_at,
        direction=Direction(recording.direction),
        queue=recording.queue,
        language=recording.language,
        channels=Channels(recording.channels),
        status=Status(recording.status),
        status_reason=recording.status_reason,
        progress=recording.progress,
        media=MediaOut(
            format=recording.media_format,
            codec=recording.codec,
            sample_rate=recording.sample_rate,
            channel_count=recording.channel_count,
            duration_seconds=recording.duration_seconds,
            size_bytes=recording.size_bytes,
        ),
        subject=subject,
        created_at=recording.created_at,
        updated_at=recording.updated_at,
    )


def _filtered(
    query: Select[Recording],
    *,
    agent_id: str | None,
    status: Status | None,
    started_from: datetime | None,
    started_to: datetime | None,
) -> Select[Recording]:
    if agent_id is not None:
        query = query.where(Recording.agent_id == agent_id)
    if status is not None:
        query = query.where(Recording.status == status.value)
    if started_from is not None:
        query = query.where(Recording.started_at >= started_from)
    if started_to is not None:
        query = query.where(Recording.started_at < started_to)
    return query


def _encode_cursor(recording: Recording) -> str:
    raw = json.dumps([recording.created_at.isoformat(), recording.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created, rid = json.loads(raw)
        return datetime.fromisoformat(created), str(rid)
    except (ValueError, TypeError, binascii.Error):
        raise InvalidInput("the cursor is not valid; start again without one") from None


def list_page(
    session: Session,
    *,
    agent_id: str | None,
    status: Status | None = None,
    started_from: datetime | None = None,
    started_to: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[Recording], str | None]:
    """Newest first, keyset-paginated by (created_at, id); ``agent_id`` scopes to one agent."""
    limit = max(1, min(limit, MAX_PAGE))
    query = _filtered(
        select(Recording),
        agent_id=agent_id,
        status=status,
        started_from=started_from,
        started_to=started_to,
    )
    if cursor is not None:
        created, rid = _decode_cursor(cursor)
        query = query.where(tuple_(Recording.created_at, Recording.id) < (created, rid))
    rows = list(
        session.scalars(
            query.order_by(Recording.created_at.desc(), Recording.id.desc()).limit(limit + 1)
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (_encode_cursor(rows[-1]) if more and rows else None)


def page(
    session: Session,
    *,
    keyring: MasterKeyring,
    sees_subject: bool,
    agent_id: str | None,
    status: Status | None = None,
    started_from: datetime | None = None,
    started_to: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> RecordingPage:
    rows, next_cursor = list_page(
        session,
        agent_id=agent_id,
        status=status,
        started_from=started_from,
        started_to=started_to,
        cursor=cursor,
        limit=limit,
    )
    items = [
        present(session, keyring=keyring, recording=r, sees_subject=sees_subject) for r in rows
    ]
    return RecordingPage(items=items, next_cursor=next_cursor)


def stats(session: Session, *, agent_id: str | None) -> RecordingStats:
    query = select(Recording.status, func.count()).group_by(Recording.status)
    if agent_id is not None:
        query = query.where(Recording.agent_id == agent_id)
    counts = {Status(status): int(n) for status, n in session.execute(query).all()}
    return RecordingStats(total=sum(counts.values()), by_status=counts)
