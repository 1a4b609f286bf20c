"""Pydantic schemas of a subject's export (the answer to an access request) and its states."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from models.rights import Reference
from models.tables import Export


class ExportStatus(StrEnum):
    QUEUED = "queued"
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"
    # Past its download window: a ready export whose ``expires_at`` passed is shown as this,
    # and the sweep gives the status to the row when it deletes the object.
    EXPIRED = "expired"
    # The data subject was erased: the object went with everything else (vault.rights.erasure).
    ERASED = "erased"


class ExportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    request_ref: Reference


class ExportOut(BaseModel):
    """An export's state: ids, times, sizes and a plain reason; never personal data."""

    id: str
    status: ExportStatus
    subject_id: str
    request_ref: str
    created_at: datetime
    ready_at: datetime | None
    expires_at: datetime | None = Field(description="the download is refused after this")
    size_bytes: int | None
    file_count: int | None
    status_reason: str | None

    @classmethod
    def of(cls, row: Export, *, status: str, request_ref: str) -> ExportOut:
        return cls(
            id=row.id,
            status=ExportStatus(status),
            subject_id=row.subject_id,
            request_ref=request_ref,
            created_at=row.created_at,
            ready_at=row.ready_at,
            expires_at=row.expires_at,
            size_bytes=row.size_bytes,
            file_count=row.file_count,
            status_reason=row.status_reason,
        )
