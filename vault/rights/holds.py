"""Legal holds: an admin keeps a subject's or one recording's data from erasure and retention.

A hold is never deleted; releasing it records who and when, so the register of holds is itself
part of the audit trail. Reasons are redacted before they are stored.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models.schemas import Status
from models.tables import LegalHold, Recording, Subject
from vault.db import lock_for_write
from vault.errors import Conflict, Gone, InvalidInput, NotFound
from vault.rights._text import redacted


def place(
    session: Session,
    *,
    subject: Subject | None = None,
    recording: Recording | None = None,
    reference: str,
    reason: str,
    actor: str,
    now: datetime,
) -> LegalHold:
    """Hold one subject (with all their calls) or one recording.

    The subject's row (and the recording's) is locked first, the order erasure locks in, so
    an erasure under way either finishes first (and this refuses: ``Gone``) or sees the hold.
    """
    if (subject is None) == (recording is None):
        raise InvalidInput("a hold covers either a data subject or one recording")
    lock_for_write(session)
    subject_id = subject.id if subject is not None else recording.subject_id if recording else None
    if subject_id is not None:
        locked = session.scalars(
            select(Subject)
            .where(Subject.id == subject_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        if subject is not None and locked.erased_at is not None:
            raise Gone("this data subject was erased: there is nothing left to hold")
    if recording is not None:
        recording = session.scalars(
            select(Recording)
            .where(Recording.id == recording.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        if recording.status == Status.ERASED.value:
            raise Gone("this recording was erased: there is nothing left to hold")
    text = redacted(reason, what="reason")
    if not text:
        raise InvalidInput("a hold needs a reason")
    hold = LegalHold(
        subject_id=subject.id if subject is not None else None,
        recording_id=recording.id if recording is not None else None,
        reference=reference,
        reason=text,
        placed_by=actor,
        placed_at=now,
    )
    session.add(hold)
    session.flush()
    return hold


def release(session: Session, *, hold_id: str, actor: str, now: datetime) -> LegalHold:
    hold = session.get(LegalHold, hold_id)
    if hold is None:
        raise NotFound("no such legal hold")
    if hold.released_at is not None:
        raise Conflict(f"legal hold {hold.id} was already released")
    hold.released_by = actor
    hold.released_at = now
    session.flush()
    return hold


def list_holds(session: Session, *, active_only: bool = True, limit: int = 500) -> list[LegalHold]:
    query = select(LegalHold)
    if active_only:
        query = query.where(LegalHold.released_at.is_(None))
    return list(session.scalars(query.order_by(LegalHold.placed_at, LegalHold.id).limit(limit)))


def blocking(
    session: Session, *, subject_id: str | None, recording_ids: Collection[str] = ()
) -> LegalHold | None:
    """The first active hold over the subject or any of these recordings, if any."""
    scope = []
    if subject_id is not None:
        scope.append(LegalHold.subject_id == subject_id)
    if recording_ids:
        scope.append(LegalHold.recording_id.in_(list(recording_ids)))
    if not scope:
        return None
    return session.scalars(
        select(LegalHold)
        .where(LegalHold.released_at.is_(None), or_(*scope))
        .order_by(LegalHold.placed_at, LegalHold.id)
    ).first()


def held_recordings(session: Session, *, recording_ids: Collection[str]) -> set[str]:
    """Which of these recordings an active hold covers, directly or through their subject."""
    if not recording_ids:
        return set()
    ids = list(recording_ids)
    direct = select(LegalHold.recording_id).where(
        LegalHold.released_at.is_(None), LegalHold.recording_id.in_(ids)
    )
    through_subject = (
        select(Recording.id)
        .join(LegalHold, LegalHold.subject_id == Recording.subject_id)
        .where(LegalHold.released_at.is_(None), Recording.id.in_(ids))
    )
    held = {row for row in session.scalars(direct) if row is not None}
    held.update(session.scalars(through_subject))
    return held
