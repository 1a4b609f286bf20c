"""Typed dependencies: the vault, a database session, and the permission gates of each route."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Path, Query, Request
from sqlalchemy.orm import Session

from api.access import Access, Gate
from models.tables import Export, Recording, Subject
from vault.auth.policy import Action
from vault.errors import InvalidInput
from vault.queue import Dispatcher
from vault.runtime import Vault
from vault.subjects import service as subjects


async def get_vault(request: Request) -> Vault:
    vault = request.app.state.vault
    assert isinstance(vault, Vault)
    return vault


VaultDep = Annotated[Vault, Depends(get_vault)]


async def get_dispatcher(request: Request) -> Dispatcher:
    dispatcher: Dispatcher = request.app.state.dispatcher
    return dispatcher


DispatcherDep = Annotated[Dispatcher, Depends(get_dispatcher)]


def get_session(vault: VaultDep) -> Iterator[Session]:
    with vault.factory() as session:
        yield session


DbSession = Annotated[Session, Depends(get_session)]


def allowed(action: Action, resource_type: str) -> Callable[..., Access]:
    """A dependency that lets the request through if a role allows ``action`` (audited)."""

    def dependency(request: Request, vault: VaultDep) -> Access:
        gate = Gate(request, vault, action=action, resource_type=resource_type)
        gate.authorise()
        gate.require_purpose()
        return gate.allow()

    return dependency


def upload_gate(request: Request, vault: VaultDep) -> Gate:
    """Uploads are audited once their outcome is known; only refusals are written here."""
    gate = Gate(request, vault, action=Action.RECORDING_UPLOAD, resource_type="recording")
    gate.authorise()
    return gate


UploadGate = Annotated[Gate, Depends(upload_gate)]


@dataclass(frozen=True)
class RecordingAccess:
    access: Access
    recording: Recording


# Path and query values arrive as plain strings and are parsed only after the gate has
# authenticated the caller: a malformed request from someone without a token is refused as
# unauthenticated, and audited, like any other.
RecordingId = Annotated[str, Path(max_length=64, description="the recording's id")]


def _parse_id(value: str) -> str | None:
    try:
        return str(UUID(value))
    except ValueError:
        return None


def _find_recording(session: Session, recording_id: str, gate: Gate) -> Recording:
    """The recording the path names, once the caller may reach it (refusals are audited)."""
    gate.authorise()
    parsed = _parse_id(recording_id)
    recording = session.get(Recording, parsed) if parsed is not None else None
    if recording is None:
        gate.not_found("recording")
    gate.require_owner(recording.agent_id)
    gate.require_purpose()
    return recording


def _open_recording(
    request: Request, vault: VaultDep, session: Session, recording_id: str, gate: Gate
) -> RecordingAccess:
    recording = _find_recording(session, recording_id, gate)
    return RecordingAccess(gate.allow(), recording)


def recording_access(action: Action) -> Callable[..., RecordingAccess]:
    def dependency(
        request: Request, vault: VaultDep, session: DbSession, recording_id: RecordingId
    ) -> RecordingAccess:
        gate = Gate(
            request, vault, action=action, resource_type="recording", resource_id=recording_id
        )
        return _open_recording(request, vault, session, recording_id, gate)

    return dependency


class AudioVariant(StrEnum):
    ORIGINAL = "original"
    REDACTED = "redacted"


class TranscriptVariant(StrEnum):
    RAW = "raw"
    REDACTED = "redacted"


@dataclass(frozen=True)
class VariantAccess:
    """An allowed access to one variant (original or redacted) of a recording."""

    access: Access
    recording: Recording
    variant: str


def _variant_gate(
    request: Request,
    vault: Vault,
    recording_id: str,
    value: str,
    actions: Mapping[str, Action],
) -> Gate:
    """A gate for a variant-bearing route; an unknown variant is refused once authenticated."""
    known = value in actions
    gate = Gate(
        request,
        vault,
        # Unknown variants are audited under the least sensitive action of the route.
        action=actions[value] if known else actions["redacted"],
        resource_type="recording",
        resource_id=recording_id[:64],
        variant=value[:32] if known else None,
    )
    if not known:
        gate.authorise()
        choices = ", ".join(actions)
        gate.deny("invalid_variant", InvalidInput(f"variant must be one of: {choices}"))
    return gate


VariantQuery = Annotated[
    str,
    Query(
        max_length=32,
        description="redacted (the default) for the quality team; the original audio or the "
        "raw transcript needs X-Access-Purpose",
    ),
]


def variant_access(actions: Mapping[str, Action]) -> Callable[..., VariantAccess]:
    """A dependency for ``?variant=``: the redacted variant by default, each its own action."""

    def dependency(
        request: Request,
        vault: VaultDep,
        session: DbSession,
        recording_id: RecordingId,
        variant: VariantQuery = "redacted",
    ) -> VariantAccess:
        gate = _variant_gate(request, vault, recording_id, variant, actions)
        opened = _open_recording(request, vault, session, recording_id, gate)
        return VariantAccess(opened.access, opened.recording, variant)

    return dependency


_AUDIO = {
    AudioVariant.ORIGINAL.value: Action.AUDIO_ORIGINAL,
    AudioVariant.REDACTED.value: Action.AUDIO_REDACTED,
}
_TRANSCRIPT = {
    TranscriptVariant.RAW.value: Action.TRANSCRIPT_RAW,
    TranscriptVariant.REDACTED.value: Action.TRANSCRIPT_REDACTED,
}


RecordingRead = Annotated[RecordingAccess, Depends(recording_access(Action.RECORDING_READ))]
AudioRead = Annotated[VariantAccess, Depends(variant_access(_AUDIO))]
TranscriptRead = Annotated[VariantAccess, Depends(variant_access(_TRANSCRIPT))]
ListAccess = Annotated[Access, Depends(allowed(Action.RECORDING_LIST, "recording"))]
StatsAccess = Annotated[Access, Depends(allowed(Action.RECORDING_STATS, "recording"))]
SearchAccess = Annotated[Access, Depends(allowed(Action.SEARCH, "recording"))]
AuditReadAccess = Annotated[Access, Depends(allowed(Action.AUDIT_READ, "audit"))]
AuditVerifyAccess = Annotated[Access, Depends(allowed(Action.AUDIT_VERIFY, "audit"))]


# Data subjects: ``{subject_id}`` is the subject's own id or the customer id the upload
# metadata gave. Audit entries name the subject by its own id, never by the customer id.
SubjectRef = Annotated[
    str, Path(max_length=128, description="the subject's id, or the customer id of the uploads")
]


@dataclass(frozen=True)
class SubjectGate:
    """An authorised caller and the subject the path names; the route writes the outcome
    (inside its own transaction, when it changes something)."""

    gate: Gate
    subject: Subject


def _open_subject(gate: Gate, vault: Vault, session: Session, ref: str) -> Subject:
    gate.authorise()
    subject = subjects.resolve(session, keyring=vault.keyring, ref=ref)
    if subject is None:
        gate.not_found("data subject")
    gate.resource_id = subject.id
    gate.require_purpose()
    return subject


def subject_gate(action: Action) -> Callable[..., SubjectGate]:
    def dependency(
        request: Request, vault: VaultDep, session: DbSession, subject_id: SubjectRef
    ) -> SubjectGate:
        gate = Gate(request, vault, action=action, resource_type="subject")
        return SubjectGate(gate, _open_subject(gate, vault, session, subject_id))

    return dependency


@dataclass(frozen=True)
class SubjectAccess:
    access: Access
    subject: Subject


def subject_access(action: Action) -> Callable[..., SubjectAccess]:
    """Like ``subject_gate``, with the allowed access written at once (read-only routes)."""

    def dependency(
        request: Request, vault: VaultDep, session: DbSession, subject_id: SubjectRef
    ) -> SubjectAccess:
        opened = subject_gate(action)(request, vault, session, subject_id)
        return SubjectAccess(opened.gate.allow(), opened.subject)

    return dependency


def action_gate(action: Action, resource_type: str) -> Callable[..., Gate]:
    """An authorised gate whose outcome the route writes, once it is known."""

    def dependency(request: Request, vault: VaultDep) -> Gate:
        gate = Gate(request, vault, action=action, resource_type=resource_type)
        gate.authorise()
        gate.require_purpose()
        return gate

    return dependency


EraseGate = Annotated[SubjectGate, Depends(subject_gate(Action.SUBJECT_ERASE))]
SubscriptionGate = Annotated[SubjectGate, Depends(subject_gate(Action.SUBJECT_SUBSCRIPTION))]
LookupGate = Annotated[Gate, Depends(action_gate(Action.SUBJECT_LOOKUP, "subject"))]
RequestReadAccess = Annotated[Access, Depends(allowed(Action.REQUEST_READ, "rights_request"))]
RequestWriteGate = Annotated[Gate, Depends(action_gate(Action.REQUEST_WRITE, "rights_request"))]
RequestReadGate = Annotated[Gate, Depends(action_gate(Action.REQUEST_READ, "rights_request"))]


@dataclass(frozen=True)
class RecordingGate:
    """An authorised caller and the recording the path names; the route writes the outcome."""

    gate: Gate
    recording: Recording


def recording_gate(action: Action) -> Callable[..., RecordingGate]:
    def dependency(
        request: Request, vault: VaultDep, session: DbSession, recording_id: RecordingId
    ) -> RecordingGate:
        gate = Gate(
            request, vault, action=action, resource_type="recording", resource_id=recording_id
        )
        return RecordingGate(gate, _find_recording(session, recording_id, gate))

    return dependency


SubjectCorrectGate = Annotated[SubjectGate, Depends(subject_gate(Action.SUBJECT_CORRECT))]
CorrectionsRead = Annotated[SubjectAccess, Depends(subject_access(Action.SUBJECT_CORRECT))]
RecordingCorrectGate = Annotated[RecordingGate, Depends(recording_gate(Action.RECORDING_CORRECT))]


# Exports of a subject's data (access requests). ``{export_id}`` is the export's own id.
ExportId = Annotated[str, Path(max_length=64, description="the export's id")]


@dataclass(frozen=True)
class ExportGate:
    """An authorised caller and the export the path names; the route writes the outcome."""

    gate: Gate
    export: Export


def export_gate(action: Action) -> Callable[..., ExportGate]:
    def dependency(
        request: Request, vault: VaultDep, session: DbSession, export_id: ExportId
    ) -> ExportGate:
        gate = Gate(request, vault, action=action, resource_type="export", resource_id=export_id)
        gate.authorise()
        parsed = _parse_id(export_id)
        row = session.get(Export, parsed) if parsed is not None else None
        if row is None:
            gate.not_found("export")
        gate.require_purpose()
        return ExportGate(gate, row)

    return dependency


@dataclass(frozen=True)
class ExportAccess:
    access: Access
    export: Export


def export_access(action: Action) -> Callable[..., ExportAccess]:
    """Like ``export_gate``, with the allowed access written at once (read-only routes)."""

    def dependency(
        request: Request, vault: VaultDep, session: DbSession, export_id: ExportId
    ) -> ExportAccess:
        opened = export_gate(action)(request, vault, session, export_id)
        return ExportAccess(opened.gate.allow(), opened.export)

    return dependency


SubjectExportGate = Annotated[SubjectGate, Depends(subject_gate(Action.SUBJECT_EXPORT))]
ExportRead = Annotated[ExportAccess, Depends(export_access(Action.EXPORT_READ))]
ExportDownloadGate = Annotated[ExportGate, Depends(export_gate(Action.EXPORT_DOWNLOAD))]

# Retention and legal holds: admins change them; rights officers and auditors read them.
RetentionReadAccess = Annotated[Access, Depends(allowed(Action.RETENTION_READ, "retention"))]
RetentionWriteGate = Annotated[Gate, Depends(action_gate(Action.RETENTION_WRITE, "retention"))]
DestructionReportGate = Annotated[
    Gate, Depends(action_gate(Action.DESTRUCTION_REPORT, "retention"))
]
HoldReadAccess = Annotated[Access, Depends(allowed(Action.HOLD_READ, "hold"))]
HoldWriteGate = Annotated[Gate, Depends(action_gate(Action.HOLD_WRITE, "hold"))]
