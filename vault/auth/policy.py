"""The permission table: one place that says which role may do what, deny by default.

Each action maps roles to a *scope*: everything, only the caller's own calls, or counts only.
A role absent from an action's row may not perform it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

from vault.auth.roles import Principal, Role


class Action(StrEnum):
    RECORDING_UPLOAD = "recording.upload"
    RECORDING_LIST = "recording.list"
    RECORDING_STATS = "recording.stats"
    RECORDING_READ = "recording.read"
    AUDIO_ORIGINAL = "recording.audio.original"
    AUDIO_REDACTED = "recording.audio.redacted"
    TRANSCRIPT_RAW = "recording.transcript.raw"
    TRANSCRIPT_REDACTED = "recording.transcript.redacted"
    SEARCH = "recording.search"
    AUDIT_READ = "audit.read"
    AUDIT_VERIFY = "audit.verify"
    # Rights requests (KVKK): finding a subject, the request register, export, correction,
    # erasure; retention policies and legal holds; the destruction report.
    SUBJECT_LOOKUP = "subject.lookup"
    SUBJECT_EXPORT = "subject.export"
    EXPORT_READ = "export.read"
    EXPORT_DOWNLOAD = "export.download"
    SUBJECT_CORRECT = "subject.correct"
    RECORDING_CORRECT = "recording.correct"
    SUBJECT_ERASE = "subject.erase"
    SUBJECT_SUBSCRIPTION = "subject.subscription"
    REQUEST_READ = "request.read"
    REQUEST_WRITE = "request.write"
    RETENTION_READ = "retention.read"
    RETENTION_WRITE = "retention.write"
    HOLD_READ = "hold.read"
    HOLD_WRITE = "hold.write"
    DESTRUCTION_REPORT = "retention.report"


class Scope(IntEnum):
    """Wider scopes compare greater, so a caller with several roles gets the widest."""

    OWN = 1
    ALL = 2


@dataclass(frozen=True)
class Rule:
    scope: Scope
    needs_purpose: bool = False
    sees_subject: bool = False


_OWN = Rule(Scope.OWN, sees_subject=True)
_ALL = Rule(Scope.ALL)
_ALL_SUBJECT = Rule(Scope.ALL, sees_subject=True)

POLICY: dict[Action, dict[Role, Rule]] = {
    Action.RECORDING_UPLOAD: {Role.AGENT: _OWN, Role.INGEST: _ALL},
    Action.RECORDING_LIST: {Role.AGENT: _OWN, Role.QA: _ALL, Role.RIGHTS_OFFICER: _ALL_SUBJECT},
    Action.RECORDING_STATS: {
        Role.AGENT: _OWN,
        Role.QA: _ALL,
        Role.RIGHTS_OFFICER: _ALL,
        Role.ADMIN: _ALL,
    },
    Action.RECORDING_READ: {Role.AGENT: _OWN, Role.QA: _ALL, Role.RIGHTS_OFFICER: _ALL_SUBJECT},
    Action.AUDIO_ORIGINAL: {
        Role.AGENT: Rule(Scope.OWN, needs_purpose=True),
        Role.RIGHTS_OFFICER: Rule(Scope.ALL, needs_purpose=True),
    },
    Action.AUDIO_REDACTED: {Role.AGENT: _OWN, Role.QA: _ALL, Role.RIGHTS_OFFICER: _ALL},
    Action.TRANSCRIPT_RAW: {
        Role.AGENT: Rule(Scope.OWN, needs_purpose=True),
        Role.RIGHTS_OFFICER: Rule(Scope.ALL, needs_purpose=True),
    },
    Action.TRANSCRIPT_REDACTED: {Role.AGENT: _OWN, Role.QA: _ALL, Role.RIGHTS_OFFICER: _ALL},
    Action.SEARCH: {Role.AGENT: _OWN, Role.QA: _ALL, Role.RIGHTS_OFFICER: _ALL},
    Action.AUDIT_READ: {Role.AUDITOR: _ALL},
    Action.AUDIT_VERIFY: {Role.AUDITOR: _ALL},
    Action.SUBJECT_LOOKUP: {Role.RIGHTS_OFFICER: _ALL_SUBJECT},
    Action.SUBJECT_EXPORT: {Role.RIGHTS_OFFICER: Rule(Scope.ALL, needs_purpose=True)},
    Action.EXPORT_READ: {Role.RIGHTS_OFFICER: _ALL},
    Action.EXPORT_DOWNLOAD: {Role.RIGHTS_OFFICER: Rule(Scope.ALL, needs_purpose=True)},
    Action.SUBJECT_CORRECT: {Role.RIGHTS_OFFICER: _ALL_SUBJECT},
    Action.RECORDING_CORRECT: {Role.RIGHTS_OFFICER: _ALL_SUBJECT},
    Action.SUBJECT_ERASE: {Role.RIGHTS_OFFICER: _ALL},
    # The CRM (through the ingest service account) or an admin says when a subscription ended.
    Action.SUBJECT_SUBSCRIPTION: {Role.ADMIN: _ALL, Role.INGEST: _ALL},
    Action.REQUEST_READ: {Role.RIGHTS_OFFICER: _ALL},
    Action.REQUEST_WRITE: {Role.RIGHTS_OFFICER: _ALL},
    Action.RETENTION_READ: {Role.ADMIN: _ALL, Role.RIGHTS_OFFICER: _ALL, Role.AUDITOR: _ALL},
    Action.RETENTION_WRITE: {Role.ADMIN: _ALL},
    Action.HOLD_READ: {Role.ADMIN: _ALL, Role.RIGHTS_OFFICER: _ALL, Role.AUDITOR: _ALL},
    Action.HOLD_WRITE: {Role.ADMIN: _ALL},
    Action.DESTRUCTION_REPORT: {Role.ADMIN: _ALL, Role.RIGHTS_OFFICER: _ALL, Role.AUDITOR: _ALL},
}


@dataclass(frozen=True)
class Grant:
    """Why a caller may act: the role that allowed it and on what terms."""

    role: Role
    rule: Rule

    @property
    def scope(self) -> Scope:
        return self.rule.scope


def decide(principal: Principal, action: Action) -> Grant | None:
    """The widest grant any of the caller's roles gives for ``action``, or None (deny)."""
    row = POLICY.get(action, {})
    grants = [Grant(role, row[role]) for role in principal.roles if role in row]
    if not grants:
        return None
    return max(grants, key=lambda g: (g.rule.scope, g.rule.sees_subject, g.role.value))
