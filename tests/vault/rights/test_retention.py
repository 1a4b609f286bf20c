"""Retention with a clock the test sets: policies by call date (per queue and by default), by
end of subscription, legal holds skipped and counted, a subject erased once nothing of theirs
is left, a second sweep that finds nothing to do, and the destruction report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from models.retention import DEFAULT_QUEUE, Basis
from models.schemas import Status
from models.tables import AuditEntry, Erasure, Recording, Subject
from tests.vault.rights.calls import (
    CALL_DAY,
    OTHER,
    add_call,
    object_keys,
    opened,
    status_of,
    subject_of,
)
from vault.config import Settings
from vault.db import transaction
from vault.errors import InvalidInput, KeyDestroyed, NotFound
from vault.keys import service as keys
from vault.rights import holds, retention
from vault.rights.destruction import destruction_report
from vault.runtime import Vault

DAY = timedelta(days=1)


@pytest.fixture
def vault(settings: Settings) -> Iterator[Vault]:
    """On SQLite and on PostgreSQL."""
    yield from opened(settings)


def _policy(vault: Vault, queue: str, days: int, basis: Basis = Basis.CALL_DATE) -> str:
    with transaction(vault.factory) as session:
        policy = retention.set_policy(
            session, queue=queue, basis=basis, days=days, actor="admin", now=CALL_DAY
        )
        return policy.id


def _sweep(vault: Vault, now: datetime, batch: int = retention.BATCH) -> retention.SweepReport:
    return retention.sweep(vault, now=now, batch=batch)


def _audit(vault: Vault) -> list[AuditEntry]:
    with vault.factory() as session:
        return list(
            session.scalars(select(AuditEntry).where(AuditEntry.action == retention.ACTION))
        )


def test_policies_are_upserted_listed_resolved_and_deleted(vault: Vault) -> None:
    first = _policy(vault, "billing", 30)
    again = _policy(vault, "billing", 90, Basis.SUBSCRIPTION_END)
    default = _policy(vault, DEFAULT_QUEUE, 365)
    assert again == first
    with vault.factory() as session:
        listed = [(p.queue, p.basis, p.days) for p in retention.list_policies(session)]
        assert listed == [("*", "call_date", 365), ("billing", "subscription_end", 90)]
        own = retention.policy_for(session, queue="billing")
        assert own is not None
        assert own.id == first
        fallback = retention.policy_for(session, queue="sales")
        assert fallback is not None
        assert fallback.id == default
        none_queue = retention.policy_for(session, queue=None)
        assert none_queue is not None
        assert none_queue.id == default
    with transaction(vault.factory) as session:
        retention.delete_policy(session, queue=DEFAULT_QUEUE)
        with pytest.raises(NotFound):
            retention.delete_policy(session, queue="sales")
        with pytest.raises(InvalidInput):
            retention.set_policy(
                session, queue="x", basis=Basis.CALL_DATE, days=0, actor="admin", now=CALL_DAY
            )
    with vault.factory() as session:
        assert retention.policy_for(session, queue="sales") is None  # kept: no policy at all


def test_without_a_policy_nothing_is_ever_due(vault: Vault) -> None:
    rid = add_call(vault)
    report = _sweep(vault, CALL_DAY + 3650 * DAY)
    assert report.erased == 0
    assert status_of(vault, rid) == Status.READY.value


def test_call_date_policy_per_queue_and_by_default(vault: Vault) -> None:
    billing = add_call(vault, queue="billing")
    sales = add_call(vault, queue="sales", subject=OTHER)
    no_queue = add_call(vault, queue=None, subject=OTHER)
    billing_policy = _policy(vault, "billing", 30)
    default_policy = _policy(vault, DEFAULT_QUEUE, 180)

    # Day 30 exactly: not yet (the period must have ended).
    report = _sweep(vault, CALL_DAY + 30 * DAY)
    assert report.erased == 0

    report = _sweep(vault, CALL_DAY + 31 * DAY)
    assert report.erased == 1
    assert status_of(vault, billing) == Status.ERASED.value
    assert object_keys(vault, billing) == []
    assert status_of(vault, sales) == Status.READY.value
    assert status_of(vault, no_queue) == Status.READY.value
    # Billing's subject has nothing left: erased too, key and all.
    assert report.subjects_erased == 1
    subject = subject_of(vault)
    assert subject.erased_at is not None
    with vault.factory() as session:
        tombstones = session.scalars(select(Erasure).order_by(Erasure.scope)).all()
        assert [(t.scope, t.trigger) for t in tombstones] == [
            ("recording", "retention"),
            ("subject", "retention"),
        ]
        assert tombstones[0].policy_id == billing_policy
        assert json.loads(tombstones[0].recording_ids) == [billing]
        with pytest.raises(KeyDestroyed):
            keys.open_key(session, keyring=vault.keyring, key_id=subject.key_id)

    report = _sweep(vault, CALL_DAY + 181 * DAY)
    assert report.erased == 2
    assert status_of(vault, sales) == Status.ERASED.value
    assert status_of(vault, no_queue) == Status.ERASED.value
    with vault.factory() as session:
        latest = session.scalars(
            select(Erasure).where(Erasure.scope == "recording").order_by(Erasure.erased_at.desc())
        ).first()
        assert latest is not None
        assert latest.policy_id == default_policy


def test_subscription_end_counts_only_once_the_subscription_ended(vault: Vault) -> None:
    rid = add_call(vault, queue="fiber")
    _policy(vault, "fiber", 60, Basis.SUBSCRIPTION_END)
    assert _sweep(vault, CALL_DAY + 5000 * DAY).erased == 0  # still a subscriber

    ended = CALL_DAY + 400 * DAY
    with transaction(vault.factory) as session:
        subject = session.get(Subject, subject_of(vault).id)
        assert subject is not None
        subject.subscription_ended_at = ended
    assert _sweep(vault, ended + 59 * DAY).erased == 0
    report = _sweep(vault, ended + 61 * DAY)
    assert report.erased == 1
    assert report.subjects_erased == 1
    assert status_of(vault, rid) == Status.ERASED.value


def test_by_subscription_end_a_call_without_a_customer_counts_from_the_call(
    vault: Vault,
) -> None:
    anonymous = add_call(vault, subject=None, queue="fiber")
    customer = add_call(vault, queue="fiber")
    _policy(vault, "fiber", 60, Basis.SUBSCRIPTION_END)
    assert _sweep(vault, CALL_DAY + 59 * DAY).erased == 0
    assert _sweep(vault, CALL_DAY + 61 * DAY).erased == 1
    assert status_of(vault, anonymous) == Status.ERASED.value
    assert status_of(vault, customer) == Status.READY.value  # still a subscriber


def test_held_recordings_are_skipped_and_counted(vault: Vault) -> None:
    held_call, free_call = add_call(vault), add_call(vault)
    other = add_call(vault, subject=OTHER)
    _policy(vault, DEFAULT_QUEUE, 30)
    with transaction(vault.factory) as session:
        recording = session.get(Recording, held_call)
        assert recording is not None
        holds.place(
            session,
            recording=recording,
            reference="COURT-7",
            reason="dispute",
            actor="admin",
            now=CALL_DAY,
        )
        other_subject = subject_of(vault, OTHER)
        subject = session.get(Subject, other_subject.id)
        hold = holds.place(
            session, subject=subject, reference="COURT-8", reason="x", actor="admin", now=CALL_DAY
        )
        subject_hold = hold.id
    now = CALL_DAY + 31 * DAY

    report = _sweep(vault, now, batch=1)  # one by one: held ones must not block the rest

    assert report.erased == 1
    assert report.held == 2
    assert report.subjects_erased == 0  # the held call keeps its subject
    assert status_of(vault, free_call) == Status.ERASED.value
    assert status_of(vault, held_call) == Status.READY.value
    assert status_of(vault, other) == Status.READY.value
    assert len(object_keys(vault, held_call)) == 4
    with vault.factory() as session:
        assert retention.held_back(session, now=now) == 2

    with transaction(vault.factory) as session:
        holds.release(session, hold_id=subject_hold, actor="admin", now=now)
    report = _sweep(vault, now)
    assert report.erased == 1
    assert report.held == 1
    assert report.subjects_erased == 1  # OTHER's only call went


def test_a_second_sweep_finds_nothing_to_do(vault: Vault) -> None:
    ids = [add_call(vault), add_call(vault), add_call(vault, subject=OTHER)]
    _policy(vault, DEFAULT_QUEUE, 30)
    now = CALL_DAY + 31 * DAY
    first = _sweep(vault, now, batch=2)
    assert first.erased == 3
    assert first.subjects_erased == 2
    assert first.objects_deleted == 12
    assert object_keys(vault) == []
    entries = _audit(vault)
    assert len(entries) == len(first.tombstones) == 4  # two batches, two subjects
    assert {e.actor for e in entries} == {retention.SYSTEM_ACTOR}
    assert {e.resource_type for e in entries} == {"erasure", "subject"}
    assert all(e.detail and "objects=" in e.detail for e in entries)

    second = _sweep(vault, now + DAY)
    assert (second.erased, second.held, second.subjects_erased) == (0, 0, 0)
    assert second.tombstones == []
    assert len(_audit(vault)) == 4
    with vault.factory() as session:
        assert len(session.scalars(select(Erasure)).all()) == 4
    assert all(status_of(vault, rid) == Status.ERASED.value for rid in ids)


def test_the_sweep_deletes_objects_a_worker_left_under_an_erased_prefix(vault: Vault) -> None:
    rid = add_call(vault)
    _policy(vault, DEFAULT_QUEUE, 30)
    now = CALL_DAY + 31 * DAY
    _sweep(vault, now)
    # A worker that died mid-write leaves an object no row refers to.
    stray = f"recordings/{rid}/transcript-raw.7"
    vault.store.put(stray, _Bytes(b"sealed bytes"))
    report = _sweep(vault, now + DAY)
    assert report.objects_deleted == 1
    assert object_keys(vault, rid) == []


class _Bytes:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def read(self, size: int = -1, /) -> bytes:
        body, self.body = self.body, b""
        return body


def test_the_destruction_report_covers_one_period(vault: Vault) -> None:
    early = add_call(vault, queue="billing")
    late = add_call(vault, queue="sales", subject=OTHER)
    held = add_call(vault, queue="sales", subject=OTHER)
    billing_policy = _policy(vault, "billing", 30)
    _policy(vault, "sales", 90)
    with transaction(vault.factory) as session:
        recording = session.get(Recording, held)
        assert recording is not None
        holds.place(
            session, recording=recording, reference="C-1", reason="x", actor="a", now=CALL_DAY
        )
    january = CALL_DAY + 31 * DAY
    april = CALL_DAY + 91 * DAY
    _sweep(vault, january)
    _sweep(vault, april)

    with vault.factory() as session:
        first = destruction_report(session, since=january - DAY, until=january + DAY)
        second = destruction_report(session, since=january + DAY, until=april + DAY)
        everything = destruction_report(session, since=CALL_DAY, until=april + DAY)
        with pytest.raises(InvalidInput):
            destruction_report(session, since=april, until=january)

    assert first.erasures == 2
    assert first.by_trigger == {"retention": 2}
    assert first.by_scope == {"recording": 1, "subject": 1}
    assert first.recordings_destroyed == 1
    assert first.objects_destroyed == 4
    assert first.held_back == 0
    assert {t.policy_id for t in first.tombstones} == {billing_policy, None}
    assert all(t.request_ref is None for t in first.tombstones)

    assert second.erasures == 1
    assert second.recordings_destroyed == 1
    assert [t.recording_ids for t in second.tombstones] == [[late]]
    assert second.held_back == 1  # the held sales call: due, kept

    assert everything.erasures == 3
    assert everything.recordings_destroyed == 2
    dumped = repr(everything)
    for value in ("Ahmet", "CUST-884120", "Zeynep", "CUST-100200"):
        assert value not in dumped
    assert early in {rid for t in everything.tombstones for rid in t.recording_ids}
