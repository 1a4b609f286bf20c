"""Pydantic schemas of the rights-request API: the register, subjects, erasure tombstones."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from models.schemas import Direction, Email, Ident, PersonName, Phone, SubjectIn
from models.tables import Erasure

REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$"
"""A request's reference, as the officer's ticketing system writes it: no spaces, no personal
data (it is shown in tombstones and audit entries)."""


class Kind(StrEnum):
    ACCESS = "access"
    CORRECTION = "correction"
    ERASURE = "erasure"
    OBJECTION = "objection"


class RequestStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    REJECTED = "rejected"


Reference = Annotated[str, StringConstraints(pattern=REFERENCE_PATTERN)]
Note = Annotated[str, StringConstraints(max_length=4000)]


class RequestIn(BaseModel):
    """A request as the officer registers it. Notes are redacted before they are stored."""

    model_config = ConfigDict(extra="forbid")

    reference: Reference
    kind: Kind
    received_at: AwareDatetime
    subject_id: Annotated[str, StringConstraints(max_length=128)] | None = Field(
        default=None, description="the subject's id or customer id, when already known"
    )
    handler: Annotated[str, StringConstraints(max_length=128)] | None = None
    notes: Note | None = None


class RequestPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: RequestStatus | None = None
    handler: Annotated[str, StringConstraints(max_length=128)] | None = None
    notes: Note | None = None


class RequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    reference: str
    kind: Kind
    subject_id: str | None
    received_at: datetime
    due_at: datetime
    overdue: bool = False
    status: RequestStatus
    handler: str | None
    notes: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None


class RequestPage(BaseModel):
    items: list[RequestOut]
    next_cursor: str | None


class SubjectLookup(BaseModel):
    """Any of the customer's identifiers; sent in a body, so they stay out of URLs and logs."""

    model_config = ConfigDict(extra="forbid")

    customer_id: Annotated[str, StringConstraints(strip_whitespace=True, max_length=128)] | None = (
        None
    )
    phone: Annotated[str, StringConstraints(max_length=32)] | None = None
    email: Annotated[str, StringConstraints(max_length=320)] | None = None

    @model_validator(mode="after")
    def _one_at_least(self) -> SubjectLookup:
        if not (self.customer_id or self.phone or self.email):
            raise ValueError("give a customer id, a phone number or an e-mail address")
        return self


class SubjectFound(BaseModel):
    id: str
    details: SubjectIn | None = Field(description="null once the subject was erased")
    erased_at: datetime | None
    recordings: int
    created_at: datetime


class ErasureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    request_ref: Reference


class ErasureOut(BaseModel):
    """A tombstone: ids, time, trigger and reference; never personal data."""

    id: str
    scope: str
    subject_id: str | None
    recording_ids: list[str]
    trigger: str
    request_ref: str | None
    policy_id: str | None
    actor: str
    objects_deleted: int
    erased_at: datetime
    repeated: bool = Field(default=False, description="the subject had already been erased")

    @classmethod
    def of(cls, row: Erasure, *, repeated: bool = False) -> ErasureOut:
        return cls(
            id=row.id,
            scope=row.scope,
            subject_id=row.subject_id,
            recording_ids=json.loads(row.recording_ids),
            trigger=row.trigger,
            request_ref=row.request_ref,
            policy_id=row.policy_id,
            actor=row.actor,
            objects_deleted=row.objects_deleted,
            erased_at=row.erased_at,
            repeated=repeated,
        )


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ended_at: AwareDatetime | None = Field(description="null: the subscription is active again")


class SubjectCorrectionIn(BaseModel):
    """New values for the subject's details; the earlier ones are kept sealed."""

    model_config = ConfigDict(extra="forbid")

    request_ref: Reference
    reason: Annotated[str, StringConstraints(min_length=1, max_length=4000)]
    name: PersonName | None = None
    phone: Phone | None = None
    email: Email | None = None


class TranscriptEditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    index: Annotated[int, Field(ge=0, description="the segment's position in the transcript")]
    text: Annotated[str, StringConstraints(min_length=1, max_length=20000)]


class MetadataCorrectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agent_id: Ident | None = None
    started_at: AwareDatetime | None = None
    direction: Direction | None = None
    queue: Ident | None = None
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")] | None = None


class RecordingCorrectionIn(BaseModel):
    """A correction of a call's metadata, of its transcript's segments, or both."""

    model_config = ConfigDict(extra="forbid")

    request_ref: Reference
    reason: Annotated[str, StringConstraints(min_length=1, max_length=4000)]
    metadata: MetadataCorrectionIn | None = None
    transcript: Annotated[list[TranscriptEditIn], Field(max_length=2000)] | None = None

    @model_validator(mode="after")
    def _something(self) -> RecordingCorrectionIn:
        if self.metadata is None and not self.transcript:
            raise ValueError("give the metadata or the transcript segments to correct")
        return self


class CorrectionOut(BaseModel):
    id: str
    at: datetime
    actor: str
    target: str
    request_ref: str
    recording_id: str | None
    fields: list[str]
    reason: str
    earlier: dict[str, Any] | None = Field(
        default=None,
        description="the values before the correction (details or metadata); null once erased "
        "or for a transcript, whose earlier version is kept as a variant",
    )
    earlier_variant: str | None = None
