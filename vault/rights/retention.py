"""Retention: how long each queue's calls are kept, and the sweep that erases them afterwards.

A policy belongs to a queue (``*``: every queue without one of its own) and counts its days from
the call (``call_date``) or from the end of the customer's subscription (``subscription_end``,
only once the CRM has said it ended). A queue with no policy and no default keeps its calls.

The sweep erases what is due through the one erasure path (``vault.rights.erasure``), batch by
batch, each batch committing its tombstones and their audit entries together. A recording under
a legal hold is skipped and counted; a subject left with no live call is erased too, key and
all. After the commits it deletes the objects, retries deletions a store outage left behind,
and deletes the exports past their keeping period (``export.sweep``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from models.retention import DEFAULT_QUEUE, MAX_DAYS, Basis
from models.schemas import Status
from models.tables import LegalHold, Recording, RetentionPolicy, Subject
from vault.audit import service as audit
from vault.db import lock_for_write, transaction
from vault.errors import InvalidInput, LegalHoldActive, NotFound
from vault.rights import erasure, export, holds
from vault.rights.erasure import Trigger
from vault.runtime import Vault

log = logging.getLogger(__name__)

SYSTEM_ACTOR = "system:retention"
ACTION = "retention.erase"
BATCH = 200


# Policies.


def list_policies(session: Session) -> list[RetentionPolicy]:
    return list(session.scalars(select(RetentionPolicy).order_by(RetentionPolicy.queue)))


def set_policy(
    session: Session, *, queue: str, basis: Basis, days: int, actor: str, now: datetime
) -> RetentionPolicy:
    """Create or replace the policy of ``queue`` (``*``: the default)."""
    queue = queue.strip()
    if not queue or len(queue) > 128:
        raise InvalidInput("a policy names a queue of 1-128 characters, or '*' for the default")
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"a retention period is 1 to {MAX_DAYS} days")
    policy = session.scalars(
        select(RetentionPolicy).where(RetentionPolicy.queue == queue).with_for_update()
    ).first()
    if policy is None:
        policy = RetentionPolicy(queue=queue, created_at=now)
        session.add(policy)
    policy.basis = Basis(basis).value
    policy.days = days
    policy.updated_by = actor
    policy.updated_at = now
    session.flush()
    return policy


def delete_policy(session: Session, *, queue: str) -> RetentionPolicy:
    """Remove the policy of ``queue``; its calls fall back on the default (or are kept)."""
    policy = session.scalars(select(RetentionPolicy).where(RetentionPolicy.queue == queue)).first()
    if policy is None:
        raise NotFound("no retention policy for this queue")
    session.delete(policy)
    session.flush()
    return policy


def policy_for(session: Session, *, queue: str | None) -> RetentionPolicy | None:
    """The policy a queue's calls fall under: its own, else the default, else none (kept)."""
    wanted = [DEFAULT_QUEUE] if queue is None else [queue, DEFAULT_QUEUE]
    found = {
        p.queue: p
        for p in session.scalars(select(RetentionPolicy).where(RetentionPolicy.queue.in_(wanted)))
    }
    return found.get(queue or DEFAULT_QUEUE) or found.get(DEFAULT_QUEUE)


# What is due.


@dataclass(frozen=True)
class Due:
    recording_id: str
    subject_id: str | None
    policy_id: str


def _ended(policy: RetentionPolicy, now: datetime) -> ColumnElement[bool]:
    """Recordings whose period under ``policy`` ended before ``now``, whatever their queue."""
    cutoff = now - timedelta(days=policy.days)
    if policy.basis == Basis.CALL_DATE.value:
        return Recording.started_at < cutoff
    ended = select(Subject.id).where(
        Subject.subscription_ended_at.is_not(None), Subject.subscription_ended_at < cutoff
    )
    # A call with no known customer has no subscription to wait for: it counts from the call.
    no_customer = and_(Recording.subject_id.is_(None), Recording.started_at < cutoff)
    return or_(Recording.subject_id.in_(ended), no_customer)


def _conditions(
    policies: Iterable[RetentionPolicy], now: datetime
) -> list[tuple[str, ColumnElement[bool]]]:
    """For each policy, the recordings it governs whose period ended: (policy id, condition)."""
    policies = list(policies)
    own = [p.queue for p in policies if p.queue != DEFAULT_QUEUE]
    conditions = []
    for policy in policies:
        if policy.queue == DEFAULT_QUEUE:
            governed = or_(Recording.queue.is_(None), Recording.queue.not_in(own))
        else:
            governed = Recording.queue == policy.queue
        conditions.append((policy.id, and_(governed, _ended(policy, now))))
    return conditions


def _held() -> ColumnElement[bool]:
    active = LegalHold.released_at.is_(None)
    return or_(
        exists().where(active, LegalHold.recording_id == Recording.id),
        exists().where(active, LegalHold.subject_id == Recording.subject_id),
    )


def due(
    session: Session,
    *,
    now: datetime,
    limit: int = BATCH,
    after: str | None = None,
    lock: bool = False,
) -> list[Due]:
    """Live recordings whose retention ended before ``now``, by id (held ones included).

    ``lock`` takes the rows (PostgreSQL), skipping those another sweep holds, so that two
    sweeps running at once never erase the same recording twice.
    """
    conditions = _conditions(list_policies(session), now)
    if not conditions:
        return []
    query = (
        select(Recording.id, Recording.subject_id, case(*((c, p) for p, c in conditions)))
        .where(Recording.status != Status.ERASED.value, or_(*(c for _, c in conditions)))
        .order_by(Recording.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(Recording.id > after)
    if lock:
        query = query.with_for_update(skip_locked=True, of=Recording)
    return [Due(row[0], row[1], row[2]) for row in session.execute(query)]


def held_back(session: Session, *, now: datetime) -> int:
    """How many recordings whose retention ended before ``now`` a legal hold keeps."""
    conditions = _conditions(list_policies(session), now)
    if not conditions:
        return 0
    query = select(func.count(Recording.id)).where(
        Recording.status != Status.ERASED.value, or_(*(c for _, c in conditions)), _held()
    )
    return session.scalar(query) or 0


# The sweep.


@dataclass
class SweepReport:
    """What one sweep did: counts and tombstone ids only."""

    erased: int = 0
    held: int = 0
    subjects_erased: int = 0
    subjects_held: int = 0
    objects_deleted: int = 0
    exports_expired: int = 0
    tombstones: list[str] = field(default_factory=list)


def _record(
    session: Session,
    vault: Vault,
    *,
    actor: str,
    resource_type: str,
    resource_id: str,
    detail: str,
) -> None:
    audit.record(
        session,
        event=audit.AuditEvent(
            actor=actor,
            action=ACTION,
            resource_type=resource_type,
            resource_id=resource_id,
            outcome="allowed",
            detail=detail,
        ),
        signer=vault.signer,
        checkpoint_every=vault.settings.audit_checkpoint_every,
    )


def _erase_batch(
    vault: Vault, report: SweepReport, *, now: datetime, actor: str, batch: int, after: str | None
) -> tuple[list[str], str | None]:
    """One batch of due recordings, erased policy by policy in one transaction with its audit
    entries. Returns the ids erased and where the next batch starts (None: nothing left)."""
    erased: list[str] = []
    tombstones: list[str] = []
    with transaction(vault.factory) as session:
        lock_for_write(session)
        page = due(session, now=now, limit=batch, after=after, lock=True)
        if not page:
            return [], None
        held = holds.held_recordings(session, recording_ids=[d.recording_id for d in page])
        by_policy: dict[str, list[str]] = {}
        for item in page:
            if item.recording_id not in held:
                by_policy.setdefault(item.policy_id, []).append(item.recording_id)
        for policy_id, ids in sorted(by_policy.items()):
            tombstone = erasure.erase_recordings(
                session,
                recording_ids=ids,
                trigger=Trigger.RETENTION,
                actor=actor,
                now=now,
                policy_id=policy_id,
            )
            if tombstone is None:
                continue
            _record(
                session,
                vault,
                actor=actor,
                resource_type="erasure",
                resource_id=tombstone.id,
                detail=f"policy={policy_id} recordings={len(json.loads(tombstone.recording_ids))} "
                f"objects={tombstone.objects_deleted}",
            )
            tombstones.append(tombstone.id)
            erased.extend(json.loads(tombstone.recording_ids))
    report.tombstones.extend(tombstones)
    report.erased += len(erased)
    report.held += len(held)
    return erased, page[-1].recording_id


def _emptied_subjects(session: Session, *, limit: int, after: str | None) -> list[str]:
    """Subjects not yet erased whose every recording is: nothing of theirs is kept any more."""
    has_any = exists().where(Recording.subject_id == Subject.id)
    has_live = exists().where(
        Recording.subject_id == Subject.id, Recording.status != Status.ERASED.value
    )
    query = (
        select(Subject.id)
        .where(Subject.erased_at.is_(None), has_any, ~has_live)
        .order_by(Subject.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(Subject.id > after)
    return list(session.scalars(query))


def _erase_subjects(
    vault: Vault, report: SweepReport, *, now: datetime, actor: str, batch: int
) -> None:
    after: str | None = None
    while True:
        with vault.factory() as session:
            candidates = _emptied_subjects(session, limit=batch, after=after)
        if not candidates:
            return
        for subject_id in candidates:
            _erase_subject(vault, report, subject_id, now=now, actor=actor)
        after = candidates[-1]


def _erase_subject(
    vault: Vault, report: SweepReport, subject_id: str, *, now: datetime, actor: str
) -> None:
    try:
        with transaction(vault.factory) as session:
            # Checked again under the subject's lock: a call that arrived since the listing
            # keeps the subject.
            erased = erasure.erase_subject_if_empty(
                session, subject_id=subject_id, trigger=Trigger.RETENTION, actor=actor, now=now
            )
            if erased is None or erased.repeated:
                return
            tombstone = erased.tombstone
            _record(
                session,
                vault,
                actor=actor,
                resource_type="subject",
                resource_id=subject_id,
                detail=f"erasure={tombstone.id} reason=no_live_recording "
                f"objects={tombstone.objects_deleted}",
            )
    except LegalHoldActive:
        report.subjects_held += 1
        return
    report.tombstones.append(tombstone.id)
    report.subjects_erased += 1


def sweep(
    vault: Vault, *, now: datetime, actor: str = SYSTEM_ACTOR, batch: int = BATCH
) -> SweepReport:
    """Erase everything whose retention ended before ``now``; safe to run again at any time."""
    report = SweepReport()
    erased: list[str] = []
    after: str | None = None
    retries = 0
    while True:
        try:
            ids, after_next = _erase_batch(
                vault, report, now=now, actor=actor, batch=batch, after=after
            )
        except LegalHoldActive:
            # A hold placed between the check and the erasure: the batch rolled back; the
            # next look sees the hold.
            retries += 1
            if retries > 3:
                raise
            continue
        erased.extend(ids)
        if after_next is None:
            break
        after = after_next
    _erase_subjects(vault, report, now=now, actor=actor, batch=batch)
    with vault.factory() as session:
        recent = erasure.recently_erased(session, since=now - erasure.PREFIX_RECHECK)
    report.objects_deleted = erasure.finish(
        vault.store, vault.factory, recording_ids=sorted(set(erased) | set(recent))
    )
    report.exports_expired = export.sweep(vault, now=now).expired
    log.info(
        "retention sweep done",
        extra={
            "erased": report.erased,
            "held": report.held,
            "subjects_erased": report.subjects_erased,
            "objects_deleted": report.objects_deleted,
            "exports_expired": report.exports_expired,
        },
    )
    return report
