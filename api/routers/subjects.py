"""Data subjects: finding one by an identifier, erasing one, recording the end of a subscription."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy import func, select

from api.access import Gate, reason_code
from api.deps import EraseGate, LookupGate, SubscriptionGate, VaultDep
from models.rights import (
    REFERENCE_PATTERN,
    ErasureOut,
    Kind,
    SubjectFound,
    SubjectLookup,
    SubscriptionIn,
)
from models.schemas import Problem, SubjectIn
from models.tables import Recording, Subject
from vault.db import lock_for_write, transaction
from vault.errors import InvalidInput, KeyDestroyed, VaultError
from vault.rights import erasure
from vault.rights import requests as register
from vault.rights.erasure import Trigger
from vault.runtime import Vault
from vault.subjects import service as subjects

router = APIRouter(tags=["subjects"])

_REFERENCE = re.compile(REFERENCE_PATTERN)


async def request_ref(request: Request) -> str | None:
    """``request_ref`` from the query or the JSON body, as given; checked once the caller is
    known, so that a malformed request is refused and audited like any other."""
    value: Any = request.query_params.get("request_ref")
    if value is None and request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = await request.json()
        except ValueError:
            return ""
        value = body.get("request_ref") if isinstance(body, dict) else ""
    return value if isinstance(value, str) or value is None else ""


RequestRef = Annotated[str | None, Depends(request_ref)]


def checked_ref(gate: Gate, value: str | None) -> str:
    """The request reference, or a refusal (audited) saying what is wrong with it."""
    if value is None:
        gate.deny("request_ref_missing", InvalidInput("a request_ref naming the request is needed"))
    if not _REFERENCE.fullmatch(value):
        gate.deny(
            "request_ref_invalid",
            InvalidInput("request_ref must be 1-64 letters, digits or . _ : / - characters"),
        )
    return value


def _found(session: Any, vault: Vault, subject: Subject) -> SubjectFound:
    count = session.scalar(select(func.count()).where(Recording.subject_id == subject.id))
    details = None
    if subject.erased_at is None:
        read = subjects.read_details(session, keyring=vault.keyring, subject=subject)
        details = SubjectIn(
            customer_id=read.customer_id, name=read.name, phone=read.phone, email=read.email
        )
    return SubjectFound(
        id=subject.id,
        details=details,
        erased_at=subject.erased_at,
        recordings=count or 0,
        created_at=subject.created_at,
    )


@router.post(
    "/subjects/lookup",
    response_model=list[SubjectFound],
    responses={422: {"model": Problem}},
    summary="Find data subjects by customer id, phone number or e-mail (blind indexes)",
)
def lookup(gate: LookupGate, vault: VaultDep, body: SubjectLookup) -> list[SubjectFound]:
    with vault.factory() as session:
        try:
            found = subjects.find(
                session,
                keyring=vault.keyring,
                customer_id=body.customer_id,
                phone=body.phone,
                email=body.email,
            )
        except ValueError:
            gate.deny(
                "invalid_input",
                InvalidInput("the phone number or e-mail address cannot be read"),
            )
        # Whose details were shown: the subject itself when one, else every id found.
        asked = ",".join(k for k in ("customer_id", "phone", "email") if getattr(body, k))
        gate.resource_id = found[0].id if len(found) == 1 else None
        gate.detail = f"by={asked} found={','.join(s.id for s in found)}"[:1000]
        gate.allow()
        return [_found(session, vault, subject) for subject in found]


@router.delete(
    "/subjects/{subject_id}",
    response_model=ErasureOut,
    responses={
        404: {"model": Problem, "description": "no such subject or request"},
        409: {
            "model": Problem,
            "description": "a legal hold keeps the data, or the request does not fit",
        },
        422: {"model": Problem},
    },
    summary="Erase everything held on a data subject (request_ref in the query or JSON body)",
)
def erase(opened: EraseGate, ref: RequestRef, vault: VaultDep) -> ErasureOut:
    gate = opened.gate
    reference = checked_ref(gate, ref)
    gate.detail = f"request_ref={reference}"
    assert gate.principal is not None
    try:
        with transaction(vault.factory) as session:
            subject = session.get(Subject, opened.subject.id)
            assert subject is not None
            if subject.erased_at is None:
                register.for_action(
                    session, reference=reference, kinds={Kind.ERASURE}, subject=subject
                )
            erased = erasure.erase_subject(
                session,
                subject=subject,
                trigger=Trigger.REQUEST,
                actor=gate.principal.user,
                now=datetime.now(UTC),
                request_ref=reference,
            )
            gate.record_in(session, "allowed", "already_erased" if erased.repeated else None)
            out = ErasureOut.of(erased.tombstone, repeated=erased.repeated)
    except VaultError as error:
        gate.deny(reason_code(error), error)
    erasure.finish(vault.store, vault.factory, recording_ids=out.recording_ids)
    return out


@router.put(
    "/subjects/{subject_id}/subscription",
    status_code=204,
    responses={410: {"model": Problem}},
    summary="Record when the customer's subscription ended (retention counts from it)",
)
def set_subscription(opened: SubscriptionGate, vault: VaultDep, body: SubscriptionIn) -> None:
    gate = opened.gate
    ended = body.ended_at.isoformat() if body.ended_at is not None else "none"
    gate.detail = f"ended_at={ended}"
    try:
        with transaction(vault.factory) as session:
            lock_for_write(session)
            subject = session.get(Subject, opened.subject.id, populate_existing=True)
            assert subject is not None
            if subject.erased_at is not None:
                raise KeyDestroyed("this customer's data was erased")
            subject.subscription_ended_at = body.ended_at
            gate.record_in(session, "allowed")
    except VaultError as error:
        gate.deny(reason_code(error), error)
