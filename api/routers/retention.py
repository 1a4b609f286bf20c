"""Retention policies, legal holds and the destruction report (admins change them; rights
officers and auditors read them). Every change commits with its audit entry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.access import reason_code
from api.deps import (
    DbSession,
    DestructionReportGate,
    HoldReadAccess,
    HoldWriteGate,
    RetentionReadAccess,
    RetentionWriteGate,
    VaultDep,
)
from models.retention import (
    DestructionReportOut,
    HoldIn,
    HoldOut,
    PolicyIn,
    PolicyOut,
)
from models.schemas import Problem
from models.tables import Recording
from vault.db import transaction
from vault.errors import InvalidInput, NotFound, VaultError
from vault.rights import holds, retention
from vault.rights.destruction import destruction_report
from vault.subjects import service as subjects

router = APIRouter(tags=["retention and legal holds"])

_PERIOD = timedelta(days=30)
"""The destruction report's period when the caller gives none: the last 30 days."""


@router.get(
    "/retention/policies",
    response_model=list[PolicyOut],
    summary="Retention policies by queue ('*' is the default)",
)
def list_policies(access: RetentionReadAccess, session: DbSession) -> list[PolicyOut]:
    return [PolicyOut.model_validate(p) for p in retention.list_policies(session)]


@router.put(
    "/retention/policies",
    response_model=PolicyOut,
    responses={422: {"model": Problem}},
    summary="Set a queue's retention policy (or the default, queue '*')",
)
def set_policy(gate: RetentionWriteGate, vault: VaultDep, body: PolicyIn) -> PolicyOut:
    assert gate.principal is not None
    try:
        with transaction(vault.factory) as session:
            policy = retention.set_policy(
                session,
                queue=body.queue,
                basis=body.basis,
                days=body.days,
                actor=gate.principal.user,
                now=datetime.now(UTC),
            )
            gate.resource_id = policy.id
            gate.detail = f"basis={policy.basis} days={policy.days}"
            gate.record_in(session, "allowed")
            out = PolicyOut.model_validate(policy)
    except VaultError as error:
        gate.deny(reason_code(error), error)
    return out


@router.delete(
    "/retention/policies/{queue}",
    status_code=204,
    responses={404: {"model": Problem}},
    summary="Remove a queue's policy: its calls fall back on the default, or are kept",
)
def delete_policy(
    gate: RetentionWriteGate, vault: VaultDep, queue: Annotated[str, Path(max_length=128)]
) -> None:
    try:
        with transaction(vault.factory) as session:
            policy = retention.delete_policy(session, queue=queue)
            gate.resource_id = policy.id
            gate.detail = "deleted"
            gate.record_in(session, "allowed")
    except VaultError as error:
        gate.deny(reason_code(error), error)


@router.get(
    "/retention/report",
    response_model=DestructionReportOut,
    responses={422: {"model": Problem}},
    summary="The destruction report: erasures in [since, until), by trigger and scope",
)
def report(
    gate: DestructionReportGate,
    session: DbSession,
    since: Annotated[
        datetime | None,
        Query(
            description=f"start of the period, with a time zone (default: {_PERIOD.days} "
            "days before until)"
        ),
    ] = None,
    until: Annotated[
        datetime | None, Query(description="end of the period, excluded (default: now)")
    ] = None,
) -> DestructionReportOut:
    until = until or datetime.now(UTC)
    since = since or until - _PERIOD
    if since.tzinfo is None or until.tzinfo is None:
        gate.deny("invalid_period", InvalidInput("since and until need a time zone"))
    gate.detail = f"since={since.isoformat()} until={until.isoformat()}"
    try:
        found = destruction_report(session, since=since, until=until)
    except VaultError as error:
        gate.deny(reason_code(error), error)
    gate.write("allowed")
    return found


@router.post(
    "/holds",
    status_code=201,
    response_model=HoldOut,
    responses={404: {"model": Problem}, 410: {"model": Problem}, 422: {"model": Problem}},
    summary="Place a legal hold over a data subject (id or customer id) or one recording",
)
def place_hold(gate: HoldWriteGate, vault: VaultDep, body: HoldIn) -> HoldOut:
    assert gate.principal is not None
    try:
        with transaction(vault.factory) as session:
            subject = recording = None
            if body.subject_id is not None:
                subject = subjects.resolve(session, keyring=vault.keyring, ref=body.subject_id)
                if subject is None:
                    raise NotFound("no such data subject")
                target = f"subject={subject.id}"
            else:
                assert body.recording_id is not None
                recording = session.get(Recording, body.recording_id)
                if recording is None:
                    raise NotFound("no such recording")
                target = f"recording={recording.id}"
            gate.detail = f"reference={body.reference} {target}"
            hold = holds.place(
                session,
                subject=subject,
                recording=recording,
                reference=body.reference,
                reason=body.reason,
                actor=gate.principal.user,
                now=datetime.now(UTC),
            )
            gate.resource_id = hold.id
            gate.record_in(session, "allowed")
            out = HoldOut.model_validate(hold)
    except VaultError as error:
        gate.deny(reason_code(error), error)
    return out


@router.get(
    "/holds",
    response_model=list[HoldOut],
    summary="Legal holds: active ones (the default), or all of them with active=false",
)
def list_holds(access: HoldReadAccess, session: DbSession, active: bool = True) -> list[HoldOut]:
    return [HoldOut.model_validate(h) for h in holds.list_holds(session, active_only=active)]


@router.delete(
    "/holds/{hold_id}",
    response_model=HoldOut,
    responses={404: {"model": Problem}, 409: {"model": Problem, "description": "released"}},
    summary="Release a legal hold (the register keeps it, with who released it and when)",
)
def release_hold(
    gate: HoldWriteGate, vault: VaultDep, hold_id: Annotated[str, Path(max_length=64)]
) -> HoldOut:
    assert gate.principal is not None
    try:
        with transaction(vault.factory) as session:
            hold = holds.release(
                session, hold_id=hold_id, actor=gate.principal.user, now=datetime.now(UTC)
            )
            gate.resource_id = hold.id
            gate.detail = f"reference={hold.reference} released"
            gate.record_in(session, "allowed")
            out = HoldOut.model_validate(hold)
    except VaultError as error:
        gate.deny(reason_code(error), error)
    return out
