"""The roles of DESIGN.md, plus the telephony system's upload-only service role."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    AGENT = "agent"
    QA = "qa"
    RIGHTS_OFFICER = "rights_officer"
    ADMIN = "admin"
    AUDITOR = "auditor"
    # The telephony system: uploads calls on behalf of any agent, reads nothing.
    INGEST = "ingest"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a user (or service) name and the vault roles its token grants."""

    user: str
    roles: frozenset[Role]
