"""The register of data subjects' requests: register, list (open, overdue), read, update."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.access import reason_code
from api.deps import DbSession, RequestReadAccess, RequestReadGate, RequestWriteGate, VaultDep
from models.rights import Kind, RequestIn, RequestOut, RequestPage, RequestPatch, RequestStatus
from models.schemas import Problem
from models.tables import RightsRequest
from vault.db import transaction
from vault.errors import NotFound, VaultError
from vault.rights import requests as register
from vault.subjects import service as subjects

router = APIRouter(tags=["rights requests"])


def _out(row: RightsRequest, now: datetime) -> RequestOut:
    out = RequestOut.model_validate(row)
    out.overdue = row.status not in register.CLOSED and row.due_at < now
    return out


@router.post(
    "/requests",
    status_code=201,
    response_model=RequestOut,
    responses={404: {"model": Problem}, 409: {"model": Problem}, 422: {"model": Problem}},
    summary="Register a data subject's request (due 30 days after it was received)",
)
def create_request(gate: RequestWriteGate, vault: VaultDep, body: RequestIn) -> RequestOut:
    assert gate.principal is not None
    now = datetime.now(UTC)
    try:
        with transaction(vault.factory) as session:
            subject = None
            if body.subject_id is not None:
                subject = subjects.resolve(session, keyring=vault.keyring, ref=body.subject_id)
                if subject is None:
                    raise NotFound("no such data subject")
            row = register.register(
                session,
                reference=body.reference,
                kind=body.kind,
                received_at=body.received_at,
                subject=subject,
                handler=body.handler,
                notes=body.notes,
                actor=gate.principal.user,
                due_days=vault.settings.rights_due_days,
                now=now,
            )
            gate.resource_id = row.id
            gate.detail = f"reference={row.reference} kind={row.kind}"
            gate.record_in(session, "allowed")
            out = _out(row, now)
    except VaultError as error:
        gate.deny(reason_code(error), error)
    return out


@router.get(
    "/requests",
    response_model=RequestPage,
    summary="Requests by due date: all, open, or open past their due date",
)
def list_requests(
    access: RequestReadAccess,
    session: DbSession,
    status: RequestStatus | None = None,
    open_only: Annotated[bool, Query(alias="open")] = False,
    overdue: bool = False,
    kind: Kind | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=register.MAX_PAGE)] = 50,
) -> RequestPage:
    now = datetime.now(UTC)
    page = register.list_page(
        session,
        now=now,
        status=status,
        open_only=open_only,
        overdue=overdue,
        kind=kind,
        cursor=cursor,
        limit=limit,
    )
    return RequestPage(items=[_out(r, now) for r in page.items], next_cursor=page.next_cursor)


RequestId = Annotated[str, Path(max_length=64)]


@router.get(
    "/requests/{request_id}",
    response_model=RequestOut,
    responses={404: {"model": Problem}},
    summary="One request",
)
def read_request(gate: RequestReadGate, session: DbSession, request_id: RequestId) -> RequestOut:
    gate.resource_id = request_id
    row = session.get(RightsRequest, request_id)
    if row is None:
        gate.not_found("request")
    gate.allow()
    return _out(row, datetime.now(UTC))


@router.patch(
    "/requests/{request_id}",
    response_model=RequestOut,
    responses={404: {"model": Problem}, 409: {"model": Problem}, 422: {"model": Problem}},
    summary="Change a request's status, handler or notes",
)
def update_request(
    gate: RequestWriteGate, vault: VaultDep, request_id: RequestId, body: RequestPatch
) -> RequestOut:
    now = datetime.now(UTC)
    gate.resource_id = request_id
    try:
        with transaction(vault.factory) as session:
            row = register.get(session, request_id=request_id)
            register.update(
                session,
                request=row,
                status=body.status,
                handler=body.handler,
                notes=body.notes,
                now=now,
            )
            gate.detail = f"status={row.status}"
            gate.record_in(session, "allowed")
            out = _out(row, now)
    except VaultError as error:
        gate.deny(reason_code(error), error)
    return out
