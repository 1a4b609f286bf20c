"""The request register: due dates, open and overdue lists, closing, redacted notes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from models.rights import Kind, RequestStatus
from models.tables import Key, RightsRequest, Subject
from vault.db import transaction
from vault.errors import Conflict, InvalidInput, NotFound
from vault.rights import requests as register

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _subject(session: Session) -> Subject:
    key = Key(purpose="subject", wrapped=b"x", master_key_id="m")
    session.add(key)
    session.flush()
    subject = Subject(key_id=key.id)
    session.add(subject)
    session.flush()
    return subject


def _register(
    session: Session, reference: str, *, days_ago: int, kind: Kind = Kind.ACCESS, **extra: object
) -> RightsRequest:
    return register.register(
        session,
        reference=reference,
        kind=kind,
        received_at=NOW - timedelta(days=days_ago),
        subject=extra.get("subject"),  # type: ignore[arg-type]
        handler=None,
        notes=extra.get("notes"),  # type: ignore[arg-type]
        actor="hukuk",
        due_days=30,
        now=NOW,
    )


def test_a_request_is_due_thirty_days_after_it_was_received(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as session:
        row = _register(session, "KVKK-1", days_ago=3)
        assert row.due_at == NOW - timedelta(days=3) + timedelta(days=30)
        assert row.status == RequestStatus.OPEN.value


def test_references_are_unique_and_requests_cannot_come_from_the_future(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as session:
        _register(session, "KVKK-1", days_ago=3)
        with pytest.raises(Conflict, match="already registered"):
            _register(session, "KVKK-1", days_ago=1)
        with pytest.raises(InvalidInput, match="future"):
            _register(session, "KVKK-2", days_ago=-2)


def test_open_and_overdue_lists(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as session:
        late = _register(session, "LATE", days_ago=40)
        _register(session, "DUE-SOON", days_ago=25)
        done = _register(session, "DONE", days_ago=45)
        register.update(
            session, request=done, status=RequestStatus.COMPLETED, handler=None, notes=None, now=NOW
        )
        late_id = late.id
    with session_factory() as session:
        overdue = register.list_page(session, now=NOW, overdue=True).items
        assert [r.id for r in overdue] == [late_id]
        open_ = register.list_page(session, now=NOW, open_only=True).items
        assert [r.reference for r in open_] == ["LATE", "DUE-SOON"]
        everything = register.list_page(session, now=NOW).items
        assert [r.reference for r in everything] == ["DONE", "LATE", "DUE-SOON"]
        # Ten days later the second one is overdue too.
        later = register.list_page(session, now=NOW + timedelta(days=10), overdue=True).items
        assert [r.reference for r in later] == ["LATE", "DUE-SOON"]


def test_pages_follow_the_cursor(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as session:
        for n in range(7):
            _register(session, f"R-{n}", days_ago=20 - n)
    seen: list[str] = []
    cursor = None
    with session_factory() as session:
        while True:
            page = register.list_page(session, now=NOW, cursor=cursor, limit=3)
            seen += [r.reference for r in page.items]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        with pytest.raises(InvalidInput):
            register.list_page(session, now=NOW, cursor="not-a-cursor")
    assert seen == [f"R-{n}" for n in range(7)]


def test_a_closed_request_stays_closed(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as session:
        row = _register(session, "KVKK-1", days_ago=3)
        register.update(
            session, request=row, status=RequestStatus.REJECTED, handler=None, notes=None, now=NOW
        )
        assert row.closed_at == NOW
        with pytest.raises(Conflict, match="cannot be reopened"):
            register.update(
                session, request=row, status=RequestStatus.OPEN, handler=None, notes=None, now=NOW
            )


def test_notes_are_redacted_before_they_are_stored(session_factory: sessionmaker[Session]) -> None:
    notes = "Müşteri Ahmet Yılmaz aradı, numarası 0532 418 27 90, e-posta ahmet@example.com"
    with transaction(session_factory) as session:
        row = _register(session, "KVKK-1", days_ago=1, notes=notes)
        stored = row.notes
    assert stored is not None
    for value in ("Ahmet", "Yılmaz", "418 27 90", "ahmet@example.com"):
        assert value not in stored
    assert "[PHONE_NUMBER]" in stored
    assert "[EMAIL_ADDRESS]" in stored
    assert "aradı" in stored


def test_an_action_needs_the_right_kind_of_open_request_for_the_subject(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as session:
        subject, other = _subject(session), _subject(session)
        _register(session, "ERASE", days_ago=1, kind=Kind.ERASURE)
        _register(session, "ACCESS", days_ago=1, kind=Kind.ACCESS, subject=other)
        with pytest.raises(NotFound, match="register it first"):
            register.for_action(session, reference="NOPE", kinds={Kind.ERASURE}, subject=subject)
        with pytest.raises(Conflict, match="access request"):
            register.for_action(session, reference="ACCESS", kinds={Kind.ERASURE}, subject=other)
        with pytest.raises(Conflict, match="another data subject"):
            register.for_action(session, reference="ACCESS", kinds={Kind.ACCESS}, subject=subject)
        row = register.for_action(session, reference="ERASE", kinds={Kind.ERASURE}, subject=subject)
        assert row.subject_id == subject.id  # linked on first use
        assert row.status == RequestStatus.IN_PROGRESS.value
        register.update(
            session, request=row, status=RequestStatus.COMPLETED, handler=None, notes=None, now=NOW
        )
        with pytest.raises(Conflict, match="completed"):
            register.for_action(session, reference="ERASE", kinds={Kind.ERASURE}, subject=subject)
