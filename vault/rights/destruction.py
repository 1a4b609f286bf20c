"""The destruction report: what was erased in a period, why, and what a legal hold kept.

Read from the tombstones (``Erasure`` rows), which hold ids, times, triggers, references and
counts only, so the report carries no personal data and can be handed to an auditor or the
data protection authority as it is.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.retention import DestructionReportOut, TombstoneOut
from models.tables import Erasure
from vault.errors import InvalidInput
from vault.rights import retention

MAX_TOMBSTONES = 10_000


def destruction_report(
    session: Session, *, since: datetime, until: datetime
) -> DestructionReportOut:
    """Every erasure in [since, until), with counts by trigger and scope.

    ``recordings_destroyed`` counts each recording once, though a subject's erasure lists the
    calls retention had already erased; ``held_back`` counts the live recordings whose retention
    had ended by ``until`` that a legal hold keeps.
    """
    if until <= since:
        raise InvalidInput("the report's period must end after it starts")
    rows = list(
        session.scalars(
            select(Erasure)
            .where(Erasure.erased_at >= since, Erasure.erased_at < until)
            .order_by(Erasure.erased_at, Erasure.id)
            .limit(MAX_TOMBSTONES + 1)
        )
    )
    if len(rows) > MAX_TOMBSTONES:
        raise InvalidInput(f"more than {MAX_TOMBSTONES} erasures in the period: shorten it")
    recordings: set[str] = set()
    tombstones = []
    for row in rows:
        ids = json.loads(row.recording_ids)
        recordings.update(ids)
        tombstones.append(
            TombstoneOut(
                id=row.id,
                scope=row.scope,
                trigger=row.trigger,
                erased_at=row.erased_at,
                subject_id=row.subject_id,
                recording_ids=ids,
                objects_deleted=row.objects_deleted,
                request_ref=row.request_ref,
                policy_id=row.policy_id,
            )
        )
    return DestructionReportOut(
        since=since,
        until=until,
        erasures=len(rows),
        by_trigger=dict(Counter(row.trigger for row in rows)),
        by_scope=dict(Counter(row.scope for row in rows)),
        recordings_destroyed=len(recordings),
        objects_destroyed=sum(row.objects_deleted for row in rows),
        held_back=retention.held_back(session, now=until),
        tombstones=tombstones,
    )
