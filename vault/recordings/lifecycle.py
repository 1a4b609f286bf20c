"""A recording's work state: claims with leases, heartbeats, completion, failure, re-enqueueing.

The database is the source of truth. A worker *claims* a recording with a conditional update
(only one can win) and holds a lease it renews while it works; a lease that runs out means the
worker died, and another may claim the recording. The reconciler re-enqueues recordings whose
message was lost. Queue messages only say "look at this recording".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from models.schemas import Status
from models.tables import Recording


@dataclass(frozen=True)
class Claim:
    recording_id: str
    owner: str
    attempt: int


class Busy(Exception):
    """Another worker holds a live lease on the recording until ``until``."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"held by another worker until {until.isoformat()}")
        self.until = until


def claim(
    session: Session,
    *,
    recording_id: str,
    owner: str,
    lease_seconds: int,
    max_attempts: int,
    now: datetime,
) -> Claim | None:
    """Take the recording for transcription, or None when there is nothing to do.

    Raises Busy while another worker's lease is alive. A recording whose work was interrupted
    ``max_attempts`` times (a file that kills workers) is failed instead of tried again.
    """
    claimable = or_(
        Recording.status == Status.STORED.value,
        and_(
            Recording.status.in_(WORKING),
            or_(Recording.lease_until.is_(None), Recording.lease_until < now),
        ),
    )
    result = session.execute(
        update(Recording)
        .where(Recording.id == recording_id, claimable, Recording.attempts < max_attempts)
        .values(
            status=Status.TRANSCRIBING.value,
            status_reason=None,
            progress=0.0,
            lease_owner=owner,
            lease_until=now + timedelta(seconds=lease_seconds),
            attempts=Recording.attempts + 1,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    recording = session.get(Recording, recording_id, populate_existing=True)
    if recording is None:
        return None
    if getattr(result, "rowcount", 0) == 1:
        return Claim(recording_id=recording_id, owner=owner, attempt=recording.attempts)
    if recording.status in WORKING:
        if recording.lease_until is not None and recording.lease_until >= now:
            raise Busy(recording.lease_until)
        recording.status = Status.FAILED.value
        recording.status_reason = (
            f"transcription was interrupted {recording.attempts} times (a worker stopped while "
            "working on this call each time); it will not be tried again automatically"
        )
        recording.lease_owner = None
        recording.lease_until = None
        recording.updated_at = now
    elif recording.status == Status.STORED.value:
        recording.status = Status.FAILED.value
        recording.status_reason = f"transcription was attempted {recording.attempts} times"
        recording.updated_at = now
    return None


def renew(
    session: Session, *, claim: Claim, lease_seconds: int, now: datetime, progress: float | None
) -> bool:
    """Extend the lease (and record progress); False if the claim was lost to another worker."""
    values: dict[str, object] = {
        "lease_until": now + timedelta(seconds=lease_seconds),
        "updated_at": now,
    }
    if progress is not None:
        values["progress"] = round(min(max(progress, 0.0), 1.0), 4)
    result = session.execute(
        update(Recording)
        .where(_held(claim))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1


def complete(session: Session, *, claim: Claim, status: Status, now: datetime) -> bool:
    """Move a claimed recording on to ``status``; False if the claim was lost meanwhile."""
    result = session.execute(
        update(Recording)
        .where(_held(claim))
        .values(
            status=status.value,
            progress=1.0,
            lease_owner=None,
            lease_until=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1


def release(session: Session, *, claim: Claim, now: datetime) -> None:
    """Give the claim back after a transient error, so a retry can claim it at once."""
    session.execute(
        update(Recording)
        .where(_held(claim))
        .values(lease_until=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )


def fail(session: Session, *, recording_id: str, reason: str, now: datetime) -> None:
    """Mark the recording failed with a reason a person understands (and no personal data)."""
    session.execute(
        update(Recording)
        .where(
            Recording.id == recording_id,
            Recording.status.in_([Status.STORED.value, *WORKING]),
        )
        .values(
            status=Status.FAILED.value,
            status_reason=reason,
            lease_owner=None,
            lease_until=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )


WORKING = (Status.TRANSCRIBING.value, Status.REDACTING.value)
"""The states a worker holds a recording in, under a lease."""


def _held(claim: Claim) -> ColumnElement[bool]:
    return and_(
        Recording.id == claim.recording_id,
        Recording.status.in_(WORKING),
        Recording.lease_owner == claim.owner,
    )


def advance(session: Session, *, claim: Claim, status: Status, now: datetime) -> bool:
    """Move a held recording to another working state (``redacting``); False if lost."""
    result = session.execute(
        update(Recording)
        .where(_held(claim))
        .values(status=status.value, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1


def mark_enqueued(session: Session, *, recording_ids: list[str], now: datetime) -> None:
    if recording_ids:
        session.execute(
            update(Recording)
            .where(Recording.id.in_(recording_ids))
            .values(enqueued_at=now)
            .execution_options(synchronize_session=False)
        )


def due(
    session: Session, *, now: datetime, stuck_after_seconds: int, limit: int = 500
) -> list[str]:
    """Recordings whose work should be (re-)enqueued: never queued, queued long ago and not
    started (a lost message), or held under a lease that ran out (a dead worker)."""
    stale = now - timedelta(seconds=stuck_after_seconds)
    waiting = and_(
        Recording.status == Status.STORED.value,
        or_(Recording.enqueued_at.is_(None), Recording.enqueued_at < stale),
    )
    abandoned = and_(
        Recording.status.in_(WORKING),
        Recording.lease_until < now,
        or_(Recording.enqueued_at.is_(None), Recording.enqueued_at < Recording.lease_until),
    )
    query = (
        select(Recording.id)
        .where(or_(waiting, abandoned))
        .order_by(Recording.created_at)
        .limit(limit)
    )
    return list(session.scalars(query))
