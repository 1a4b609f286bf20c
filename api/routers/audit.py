"""The access log, for auditors: read it, and verify its chain."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import AuditReadAccess, AuditVerifyAccess, DbSession, VaultDep
from models.schemas import AuditEntryOut, AuditPage, AuditVerifyOut
from vault.audit import anchor
from vault.audit import service as audit

router = APIRouter(tags=["audit"])


@router.get("/audit", response_model=AuditPage, summary="Access-log entries in order")
def read_log(
    _access: AuditReadAccess,
    session: DbSession,
    after_seq: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=audit.MAX_PAGE)] = 100,
    actor: Annotated[str | None, Query(max_length=128)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    resource_id: Annotated[str | None, Query(max_length=64)] = None,
    outcome: Annotated[str | None, Query(pattern="^(allowed|denied|error)$")] = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> AuditPage:
    rows = audit.list_entries(
        session,
        after_seq=after_seq,
        limit=limit,
        actor=actor,
        action=action,
        resource_id=resource_id,
        outcome=outcome,
        since=since,
        until=until,
    )
    items = [AuditEntryOut.model_validate(r) for r in rows]
    return AuditPage(items=items, next_after_seq=items[-1].seq if len(items) == limit else None)


@router.get("/audit/verify", response_model=AuditVerifyOut, summary="Verify the hash chain")
def verify_log(_access: AuditVerifyAccess, vault: VaultDep, session: DbSession) -> AuditVerifyOut:
    report = anchor.verify(
        session, signer=vault.signer, path=vault.settings.resolved_audit_anchor_file
    )
    return AuditVerifyOut(
        ok=report.ok,
        entries=report.entries,
        checkpoints=report.checkpoints,
        first_bad_seq=report.first_bad_seq,
        problem=report.problem,
    )
