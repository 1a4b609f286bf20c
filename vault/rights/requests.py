"""The register of data subjects' requests: what was asked, when it is due, who handles it.

KVKK gives a controller 30 days to answer (``VAULT_RIGHTS_DUE_DAYS``). Every export, correction
and erasure names the request it answers by its reference, so that the register, the audit log
and the tombstones tell one story. Notes are redacted before they are stored.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from models.rights import Kind, RequestStatus
from models.tables import RightsRequest, Subject
from vault.errors import Conflict, InvalidInput, NotFound
from vault.rights._text import redacted

MAX_PAGE = 200


CLOSED = frozenset({RequestStatus.COMPLETED.value, RequestStatus.REJECTED.value})


def register(
    session: Session,
    *,
    reference: str,
    kind: Kind,
    received_at: datetime,
    subject: Subject | None,
    handler: str | None,
    notes: str | None,
    actor: str,
    due_days: int,
    now: datetime,
) -> RightsRequest:
    """A new request, due ``due_days`` after it was received. References are unique."""
    if received_at > now + timedelta(minutes=5):
        raise InvalidInput("a request cannot be received in the future")
    if session.scalars(
        select(RightsRequest.id).where(RightsRequest.reference == reference)
    ).first():
        raise Conflict(f"a request with reference {reference} is already registered")
    row = RightsRequest(
        reference=reference,
        kind=kind.value,
        subject_id=subject.id if subject is not None else None,
        received_at=received_at,
        due_at=received_at + timedelta(days=due_days),
        status=RequestStatus.OPEN.value,
        handler=handler,
        notes=redacted(notes, what="note"),
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def get(session: Session, *, request_id: str) -> RightsRequest:
    row = session.get(RightsRequest, request_id)
    if row is None:
        raise NotFound("no such request")
    return row


def by_reference(session: Session, *, reference: str) -> RightsRequest:
    row = session.scalars(select(RightsRequest).where(RightsRequest.reference == reference)).first()
    if row is None:
        raise NotFound(f"no request with reference {reference} is registered; register it first")
    return row


def for_action(
    session: Session, *, reference: str, kinds: set[Kind], subject: Subject
) -> RightsRequest:
    """The open request that an export, correction or erasure answers.

    Its kind must fit the action, it must not be closed, and it must be about this subject (a
    request registered without a subject is linked to it now). The request moves to
    ``in_progress``; the officer closes it.
    """
    row = by_reference(session, reference=reference)
    if row.kind not in {k.value for k in kinds}:
        allowed = " or ".join(sorted(k.value for k in kinds))
        raise Conflict(f"request {reference} is a {row.kind} request; this needs {allowed}")
    if row.subject_id is None:
        row.subject_id = subject.id
    elif row.subject_id != subject.id:
        raise Conflict(f"request {reference} is about another data subject")
    if row.status in CLOSED:
        raise Conflict(f"request {reference} is {row.status}; it cannot be acted on")
    if row.status == RequestStatus.OPEN.value:
        row.status = RequestStatus.IN_PROGRESS.value
    return row


def update(
    session: Session,
    *,
    request: RightsRequest,
    status: RequestStatus | None,
    handler: str | None,
    notes: str | None,
    now: datetime,
) -> RightsRequest:
    """Change a request's status, handler or notes; a closed request stays closed."""
    if request.status in CLOSED and status is not None and status.value != request.status:
        raise Conflict(f"request {request.reference} is {request.status}; it cannot be reopened")
    if status is not None:
        request.status = status.value
        if status.value in CLOSED and request.closed_at is None:
            request.closed_at = now
    if handler is not None:
        request.handler = handler
    if notes is not None:
        request.notes = redacted(notes, what="note")
    request.updated_at = now
    session.flush()
    return request


@dataclass(frozen=True)
class RequestPage:
    items: list[RightsRequest]
    next_cursor: str | None


def _cursor(row: RightsRequest) -> str:
    return base64.urlsafe_b64encode(f"{row.due_at.isoformat()}|{row.id}".encode()).decode()


def _parse_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        due, _, row_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return datetime.fromisoformat(due), row_id
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("the cursor is not one this list gave out") from None


def list_page(
    session: Session,
    *,
    now: datetime,
    status: RequestStatus | None = None,
    open_only: bool = False,
    overdue: bool = False,
    kind: Kind | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> RequestPage:
    """Requests by due date, soonest first. ``overdue``: still open past their due date."""
    query = select(RightsRequest)
    if status is not None:
        query = query.where(RightsRequest.status == status.value)
    if open_only or overdue:
        query = query.where(RightsRequest.status.not_in(CLOSED))
    if overdue:
        query = query.where(RightsRequest.due_at < now)
    if kind is not None:
        query = query.where(RightsRequest.kind == kind.value)
    if cursor is not None:
        due, row_id = _parse_cursor(cursor)
        query = query.where(
            or_(
                RightsRequest.due_at > due,
                and_(RightsRequest.due_at == due, RightsRequest.id > row_id),
            )
        )
    limit = max(1, min(limit, MAX_PAGE))
    rows = list(
        session.scalars(query.order_by(RightsRequest.due_at, RightsRequest.id).limit(limit + 1))
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return RequestPage(rows, _cursor(rows[-1]) if more and rows else None)
