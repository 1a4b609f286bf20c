"""Pydantic schemas: what the API accepts and returns, shared with the workers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

# A call id is an idempotency key from the telephony system. It never becomes a path, but ids
# with path or control characters are refused outright: they are a sign of a confused client.
CallId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")]
Ident = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Channels(StrEnum):
    """How the call was recorded: one mixed channel, or stereo with the agent on one side."""

    MONO = "mono"
    AGENT_LEFT = "agent-left"
    AGENT_RIGHT = "agent-right"


class Status(StrEnum):
    STORED = "stored"
    TRANSCRIBING = "transcribing"
    REDACTING = "redacting"
    READY = "ready"
    FAILED = "failed"
    # Destroyed by a rights request or a retention policy: the row is the tombstone of its ids.
    ERASED = "erased"


def _enough_digits(value: str) -> str:
    if not 6 <= sum(c.isdigit() for c in value) <= 15:
        raise ValueError("a phone number has 6 to 15 digits")
    return value


PersonName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Phone = Annotated[
    str,
    StringConstraints(pattern=r"^\+?[0-9 ()./-]{6,32}$"),
    AfterValidator(_enough_digits),
]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,63}$")]


class SubjectIn(BaseModel):
    """What the caller's metadata says about the customer. Stored sealed, indexed blind."""

    model_config = ConfigDict(extra="forbid")

    customer_id: Ident
    name: PersonName | None = None
    phone: Phone | None = None
    email: Email | None = None


class UploadMetadata(BaseModel):
    """The ``metadata`` part of an upload."""

    model_config = ConfigDict(extra="forbid")

    call_id: CallId
    agent_id: Ident | None = Field(
        default=None, description="required for service uploads; an agent's own id otherwise"
    )
    started_at: AwareDatetime
    direction: Direction = Direction.INBOUND
    queue: Ident | None = None
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")] | None = None
    channels: Channels = Channels.MONO
    subject: SubjectIn | None = None


class MediaOut(BaseModel):
    format: str
    codec: str
    sample_rate: int
    channel_count: int
    duration_seconds: float | None
    size_bytes: int


class SubjectOut(BaseModel):
    id: str
    customer_id: str | None = None
    name: str | None = None
    phone: str | None = None
    email: str | None = None


class RecordingOut(BaseModel):
    id: str
    call_id: str
    agent_id: str
    started_at: datetime
    direction: Direction
    queue: str | None
    language: str | None
    channels: Channels
    status: Status
    status_reason: str | None
    progress: float | None
    media: MediaOut
    subject: SubjectOut | None = Field(
        default=None, description="only for roles that may see who the customer is"
    )
    created_at: datetime
    updated_at: datetime


class RecordingPage(BaseModel):
    items: list[RecordingOut]
    next_cursor: str | None


class RecordingStats(BaseModel):
    total: int
    by_status: dict[Status, int]


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    actor: str
    role: str | None
    action: str
    resource_type: str
    resource_id: str | None
    variant: str | None
    purpose: str | None
    outcome: str
    reason: str | None
    client_addr: str | None
    request_id: str | None
    detail: str | None = None
    prev_hash: str
    hash: str


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    next_after_seq: int | None


class AuditVerifyOut(BaseModel):
    ok: bool
    entries: int
    checkpoints: int
    first_bad_seq: int | None
    problem: str | None


class Speaker(StrEnum):
    AGENT = "agent"
    CUSTOMER = "customer"
    MIXED = "mixed"  # a mono recording: both sides on one channel


class Word(BaseModel):
    word: str
    start: float
    end: float
    probability: float


class Segment(BaseModel):
    start: float
    end: float
    speaker: Speaker
    text: str
    words: list[Word]


class Transcript(BaseModel):
    """A call's transcript: personal data, stored sealed with the subject's key."""

    language: str | None
    duration: float
    text: str
    segments: list[Segment]


class RedactedEntity(BaseModel):
    """Where personal data was removed: its type and, padded, when it was said."""

    type: str
    start_time: float
    end_time: float
    speaker: Speaker


class RedactedTranscript(BaseModel):
    """What the quality team reads: entity tags in place of personal data, no original words."""

    language: str | None
    duration: float
    text: str
    segments: list[Segment]
    entities: list[RedactedEntity]


class Problem(BaseModel):
    """Every error body: a sentence a person can act on."""

    detail: str


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    checks: dict[str, str] = Field(default_factory=dict)
