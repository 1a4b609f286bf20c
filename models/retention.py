"""Pydantic schemas of retention policies, legal holds and the destruction report."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from models.rights import Reference

DEFAULT_QUEUE = "*"
"""The policy of every queue that has none of its own."""

MAX_DAYS = 100 * 366


class Basis(StrEnum):
    """What a retention period counts from."""

    CALL_DATE = "call_date"
    SUBSCRIPTION_END = "subscription_end"


QueueName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    queue: QueueName = Field(description=f"a queue's name, or {DEFAULT_QUEUE!r} for the default")
    basis: Basis
    days: int = Field(ge=1, le=MAX_DAYS, description="how many days after the basis to keep")


class PolicyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    queue: str
    basis: Basis
    days: int
    updated_by: str
    created_at: datetime
    updated_at: datetime


class HoldIn(BaseModel):
    """A hold over one data subject (their id or customer id) or one recording."""

    model_config = ConfigDict(extra="forbid")

    subject_id: Annotated[str, StringConstraints(max_length=128)] | None = None
    recording_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    reference: Reference
    reason: Annotated[str, StringConstraints(max_length=4000)] = Field(
        description="why the data is kept; redacted before it is stored"
    )

    @model_validator(mode="after")
    def _one_target(self) -> HoldIn:
        if (self.subject_id is None) == (self.recording_id is None):
            raise ValueError("give either subject_id or recording_id")
        return self


class HoldOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    subject_id: str | None
    recording_id: str | None
    reference: str
    reason: str
    placed_by: str
    placed_at: datetime
    released_by: str | None
    released_at: datetime | None


class TombstoneOut(BaseModel):
    """One erasure as the destruction report lists it: ids, time and why; no personal data."""

    id: str
    scope: str
    trigger: str
    erased_at: datetime
    subject_id: str | None
    recording_ids: list[str]
    objects_deleted: int
    request_ref: str | None
    policy_id: str | None


class DestructionReportOut(BaseModel):
    since: datetime
    until: datetime
    erasures: int
    by_trigger: dict[str, int]
    by_scope: dict[str, int]
    recordings_destroyed: int
    objects_destroyed: int
    held_back: int = Field(
        description="recordings whose retention had ended by `until` that a legal hold keeps"
    )
    tombstones: list[TombstoneOut]
