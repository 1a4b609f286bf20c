"""Claims, leases and re-enqueueing, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from models.base import new_id
from models.schemas import Status
from models.tables import Key, Recording
from vault.db import transaction
from vault.recordings import lifecycle

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
LEASE = 60


def add_recording(factory: sessionmaker[Session], **values: object) -> str:
    with transaction(factory) as session:
        key = Key(purpose="recording", wrapped=b"x", master_key_id="mk")
        session.add(key)
        session.flush()
        rid = new_id()
        fields: dict[str, object] = {
            "id": rid,
            "call_id": f"call-{rid[:8]}",
            "agent_id": "ayse",
            "uploaded_by": "ayse",
            "started_at": T0,
            "direction": "inbound",
            "channels": "mono",
            "key_id": key.id,
            "status": Status.STORED.value,
            "media_format": "wav",
            "codec": "pcm_s16le",
            "sample_rate": 16000,
            "channel_count": 1,
            "size_bytes": 100,
            "sha256": "0" * 64,
            "created_at": T0,
        }
        session.add(Recording(**(fields | values)))
    return rid


def claim(
    factory: sessionmaker[Session], rid: str, owner: str, now: datetime, max_attempts: int = 3
) -> lifecycle.Claim | None:
    with transaction(factory) as session:
        return lifecycle.claim(
            session,
            recording_id=rid,
            owner=owner,
            lease_seconds=LEASE,
            max_attempts=max_attempts,
            now=now,
        )


def state(factory: sessionmaker[Session], rid: str) -> Recording:
    with factory() as session:
        recording = session.get(Recording, rid)
        assert recording is not None
        return recording


def test_only_one_worker_wins_a_claim(session_factory: sessionmaker[Session]) -> None:
    rid = add_recording(session_factory)
    first = claim(session_factory, rid, "w1", T0)
    assert first == lifecycle.Claim(recording_id=rid, owner="w1", attempt=1)
    with pytest.raises(lifecycle.Busy) as busy:
        claim(session_factory, rid, "w2", T0 + timedelta(seconds=10))
    assert busy.value.until == T0 + timedelta(seconds=LEASE)
    recording = state(session_factory, rid)
    assert recording.status == "transcribing"
    assert recording.lease_owner == "w1"


def test_an_expired_lease_can_be_taken_over(session_factory: sessionmaker[Session]) -> None:
    rid = add_recording(session_factory)
    first = claim(session_factory, rid, "w1", T0)
    assert first is not None
    later = T0 + timedelta(seconds=LEASE + 1)
    second = claim(session_factory, rid, "w2", later)
    assert second is not None
    assert second.attempt == 2
    with transaction(session_factory) as session:
        assert not lifecycle.renew(
            session, claim=first, lease_seconds=LEASE, now=later, progress=0.5
        )
        assert not lifecycle.complete(session, claim=first, status=Status.READY, now=later)
        assert lifecycle.renew(session, claim=second, lease_seconds=LEASE, now=later, progress=0.25)
    assert state(session_factory, rid).progress == 0.25
    with transaction(session_factory) as session:
        assert lifecycle.complete(session, claim=second, status=Status.READY, now=later)
    done = state(session_factory, rid)
    assert (done.status, done.progress, done.lease_owner) == ("ready", 1.0, None)


@pytest.mark.parametrize("status", ["ready", "failed"])
def test_finished_work_is_not_claimed_again(
    session_factory: sessionmaker[Session], status: str
) -> None:
    rid = add_recording(session_factory, status=status)
    assert claim(session_factory, rid, "w1", T0) is None
    assert state(session_factory, rid).status == status


def test_a_worker_that_died_while_redacting_is_taken_over(
    session_factory: sessionmaker[Session],
) -> None:
    rid = add_recording(
        session_factory, status="redacting", lease_owner="w0", lease_until=T0 - timedelta(1)
    )
    taken = claim(session_factory, rid, "w1", T0)
    assert taken is not None
    with transaction(session_factory) as session:
        assert lifecycle.advance(session, claim=taken, status=Status.REDACTING, now=T0)
    assert state(session_factory, rid).status == "redacting"
    with pytest.raises(lifecycle.Busy):
        claim(session_factory, rid, "w2", T0 + timedelta(seconds=1))


def test_a_missing_recording_is_nothing_to_do(session_factory: sessionmaker[Session]) -> None:
    assert claim(session_factory, new_id(), "w1", T0) is None


def test_a_recording_that_keeps_killing_workers_fails(
    session_factory: sessionmaker[Session],
) -> None:
    rid = add_recording(session_factory)
    now = T0
    for attempt in (1, 2):
        got = claim(session_factory, rid, f"w{attempt}", now, max_attempts=2)
        assert got is not None
        now += timedelta(seconds=LEASE + 1)
    assert claim(session_factory, rid, "w3", now, max_attempts=2) is None
    failed = state(session_factory, rid)
    assert failed.status == "failed"
    assert failed.status_reason is not None
    assert "interrupted 2 times" in failed.status_reason


def test_release_lets_a_retry_claim_at_once(session_factory: sessionmaker[Session]) -> None:
    rid = add_recording(session_factory)
    first = claim(session_factory, rid, "w1", T0)
    assert first is not None
    with transaction(session_factory) as session:
        lifecycle.release(session, claim=first, now=T0 + timedelta(seconds=1))
    assert claim(session_factory, rid, "w1", T0 + timedelta(seconds=2)) is not None


def test_fail_records_the_reason(session_factory: sessionmaker[Session]) -> None:
    rid = add_recording(session_factory)
    with transaction(session_factory) as session:
        lifecycle.fail(session, recording_id=rid, reason="the audio could not be decoded", now=T0)
    failed = state(session_factory, rid)
    assert (failed.status, failed.status_reason) == ("failed", "the audio could not be decoded")


def test_due_finds_lost_messages_and_dead_workers(session_factory: sessionmaker[Session]) -> None:
    now = T0 + timedelta(hours=1)
    never = add_recording(session_factory)
    lost = add_recording(session_factory, enqueued_at=now - timedelta(minutes=30))
    queued = add_recording(session_factory, enqueued_at=now - timedelta(minutes=1))
    dead = add_recording(
        session_factory,
        status="transcribing",
        lease_owner="w9",
        lease_until=now - timedelta(seconds=5),
        enqueued_at=now - timedelta(minutes=20),
    )
    alive = add_recording(
        session_factory,
        status="transcribing",
        lease_owner="w8",
        lease_until=now + timedelta(seconds=30),
    )
    done = add_recording(session_factory, status="ready")
    with session_factory() as session:
        due = set(lifecycle.due(session, now=now, stuck_after_seconds=900))
    assert due == {never, lost, dead}
    assert not due & {queued, alive, done}
    with transaction(session_factory) as session:
        lifecycle.mark_enqueued(session, recording_ids=[never, lost, dead], now=now)
    with session_factory() as session:
        assert lifecycle.due(session, now=now, stuck_after_seconds=900) == []
