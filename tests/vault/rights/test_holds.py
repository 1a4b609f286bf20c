"""Legal holds: placed over a subject or one recording, redacted reasons, released once,
listed, and what they cover."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from models.tables import Recording, Subject
from tests.vault.rights.calls import OTHER, add_call, opened, subject_of
from vault.config import Settings
from vault.db import transaction
from vault.errors import Conflict, InvalidInput, NotFound
from vault.rights import holds
from vault.runtime import Vault

NOW = datetime(2026, 2, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def vault(settings: Settings) -> Iterator[Vault]:
    """On SQLite and on PostgreSQL."""
    yield from opened(settings)


def _place(vault: Vault, **target: str) -> str:
    with transaction(vault.factory) as session:
        subject = session.get(Subject, target["subject"]) if "subject" in target else None
        recording = session.get(Recording, target["recording"]) if "recording" in target else None
        hold = holds.place(
            session,
            subject=subject,
            recording=recording,
            reference="COURT-2026-9",
            reason=target.get("reason", "pending litigation"),
            actor="admin",
            now=NOW,
        )
        return hold.id


def test_a_subject_hold_covers_all_their_calls_and_a_recording_hold_one(vault: Vault) -> None:
    first, second = add_call(vault), add_call(vault)
    other = add_call(vault, subject=OTHER)
    _place(vault, subject=subject_of(vault).id)
    _place(vault, recording=other)
    with vault.factory() as session:
        held = holds.held_recordings(session, recording_ids=[first, second, other])
        assert held == {first, second, other}
        assert holds.blocking(session, subject_id=subject_of(vault, OTHER).id) is None
        found = holds.blocking(session, subject_id=None, recording_ids=[other])
        assert found is not None
        assert found.recording_id == other
        assert holds.blocking(session, subject_id=None) is None


def test_a_reason_is_redacted_before_it_is_stored(vault: Vault) -> None:
    rid = add_call(vault)
    hold_id = _place(
        vault, recording=rid, reason="Customer Ahmet Yılmaz, phone 0532 418 27 90, disputes"
    )
    with vault.factory() as session:
        [hold] = holds.list_holds(session)
    assert hold.id == hold_id
    assert "0532 418 27 90" not in hold.reason
    assert "[PHONE_NUMBER]" in hold.reason


def test_a_hold_needs_exactly_one_target_and_a_reason(vault: Vault) -> None:
    rid = add_call(vault)
    with transaction(vault.factory) as session:
        recording = session.get(Recording, rid)
        subject = session.get(Subject, subject_of(vault).id)
        for target in ({}, {"recording": recording, "subject": subject}):
            with pytest.raises(InvalidInput):
                holds.place(session, reference="R", reason="why", actor="a", now=NOW, **target)  # type: ignore[arg-type]
        with pytest.raises(InvalidInput):
            holds.place(session, recording=recording, reference="R", reason=" ", actor="a", now=NOW)


def test_release_is_recorded_once_and_the_register_keeps_it(vault: Vault) -> None:
    rid = add_call(vault)
    hold_id = _place(vault, recording=rid)
    later = NOW + timedelta(days=3)
    with transaction(vault.factory) as session:
        released = holds.release(session, hold_id=hold_id, actor="admin2", now=later)
        assert released.released_by == "admin2"
        assert released.released_at == later
    with transaction(vault.factory) as session:
        with pytest.raises(Conflict):
            holds.release(session, hold_id=hold_id, actor="admin", now=later)
        with pytest.raises(NotFound):
            holds.release(session, hold_id="no-such-hold", actor="admin", now=later)
    with vault.factory() as session:
        assert holds.list_holds(session) == []
        assert [h.id for h in holds.list_holds(session, active_only=False)] == [hold_id]
        assert holds.held_recordings(session, recording_ids=[rid]) == set()
