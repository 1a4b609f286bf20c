"""The gate every protected request passes: authenticate, authorise, audit, allowed or denied.

One ``Gate`` per request. Each refusal writes its audit entry before the error is raised, and
an allowed access is written before any data leaves; if the audit entry cannot be written the
request is refused (fail closed).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import NoReturn

from fastapi import Request
from sqlalchemy.orm import Session

from vault.audit import service as audit
from vault.audit.service import AuditEvent, Outcome
from vault.auth import tokens
from vault.auth.policy import Action, Grant, Scope, decide
from vault.auth.purpose import parse_purpose
from vault.auth.roles import Principal
from vault.db import transaction
from vault.errors import Forbidden, NotFound, VaultError
from vault.runtime import Vault
from vault.storage.base import StorageUnavailable

log = logging.getLogger(__name__)


class AuditUnavailable(StorageUnavailable):
    """The access could not be logged, so it is refused (HTTP 503)."""


@dataclass(frozen=True)
class Access:
    """An allowed request: who, under which grant, for what purpose."""

    principal: Principal
    grant: Grant
    action: Action
    purpose: str | None

    @property
    def own_agent(self) -> str | None:
        """The agent id to scope queries to, or None when the grant covers every call."""
        return self.principal.user if self.grant.scope is Scope.OWN else None


def request_id(request: Request) -> str | None:
    value = getattr(request.state, "request_id", None)
    return value if isinstance(value, str) else None


class Gate:
    def __init__(
        self,
        request: Request,
        vault: Vault,
        *,
        action: Action,
        resource_type: str,
        resource_id: str | None = None,
        variant: str | None = None,
    ) -> None:
        self.request = request
        self.vault = vault
        self.action = action
        self.resource_type = resource_type
        self.resource_id = resource_id
        self.variant = variant
        self.principal: Principal | None = None
        self.grant: Grant | None = None
        self.purpose: str | None = None
        self.detail: str | None = None  # vault-written words only: see AuditEvent.detail
        self.written = False
        # The error handlers find an unwritten gate here and write its refusal (api.errors).
        request.state.gate = self

    def event(self, outcome: Outcome, reason: str | None = None) -> AuditEvent:
        """This request's audit entry, for a route that records it inside its own transaction
        (so that a change and its audit entry commit together)."""
        return AuditEvent(
            actor=self.principal.user if self.principal else "anonymous",
            role=self.grant.role.value if self.grant else _roles(self.principal),
            action=self.action.value,
            resource_type=self.resource_type,
            resource_id=self.resource_id,
            variant=self.variant,
            purpose=self.purpose,
            outcome=outcome,
            reason=reason,
            client_addr=self.request.client.host if self.request.client else None,
            request_id=request_id(self.request),
            detail=self.detail,
        )

    def write(self, outcome: Outcome, reason: str | None = None) -> None:
        event = self.event(outcome, reason)
        try:
            with transaction(self.vault.factory) as session:
                audit.record(
                    session,
                    event=event,
                    signer=self.vault.signer,
                    checkpoint_every=self.vault.settings.audit_checkpoint_every,
                )
            self.written = True
        except Exception as error:
            log.error("audit write failed", extra={"action": self.action.value}, exc_info=error)
            raise AuditUnavailable("the access could not be logged, so it was refused") from None

    def record_in(self, session: Session, outcome: Outcome, reason: str | None = None) -> None:
        """Write this request's audit entry inside the caller's transaction, so that a change
        and its entry commit together. Call it last in the transaction; a route that catches
        an error after it uses ``deny``, which writes the refusal whatever came before."""
        audit.record(
            session,
            event=self.event(outcome, reason),
            signer=self.vault.signer,
            checkpoint_every=self.vault.settings.audit_checkpoint_every,
        )
        self.written = True

    def deny(self, reason: str, error: VaultError) -> NoReturn:
        self.write("denied", reason)
        raise error

    def authenticate(self) -> Principal:
        header = self.request.headers.get("authorization")
        scheme, _, token = (header or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            self.deny("no_token", tokens.InvalidToken("a bearer token is required"))
        try:
            self.principal = tokens.verify(self.vault.settings, token.strip())
        except tokens.InvalidToken as error:
            self.deny("invalid_token", error)
        except tokens.IdentityProviderUnavailable as error:
            self.write("error", "identity_provider_unavailable")
            raise error
        return self.principal

    def authorise(self) -> Grant:
        principal = self.principal or self.authenticate()
        grant = decide(principal, self.action)
        if grant is None:
            self.deny("role", Forbidden("your role may not do this"))
        self.grant = grant
        return grant

    def require_purpose(self) -> None:
        assert self.grant is not None
        if not self.grant.rule.needs_purpose:
            return
        header = self.request.headers.get("x-access-purpose")
        try:
            self.purpose = parse_purpose(header, allowed=self.vault.settings.access_purposes)
        except VaultError as error:
            self.deny("purpose_missing" if not header else "purpose_invalid", error)

    def require_owner(self, agent_id: str) -> None:
        assert self.grant is not None
        assert self.principal is not None
        if self.grant.scope is Scope.OWN and agent_id != self.principal.user:
            self.deny("not_owner", Forbidden("this is not one of your calls"))

    def not_found(self, what: str) -> NoReturn:
        self.deny("not_found", NotFound(f"no such {what}"))

    def allow(self) -> Access:
        assert self.principal is not None
        assert self.grant is not None
        self.write("allowed")
        return self.access()

    def access(self) -> Access:
        assert self.principal is not None
        assert self.grant is not None
        return Access(self.principal, self.grant, self.action, self.purpose)


def reason_code(error: BaseException) -> str:
    """A short audit code for why a request failed: ``NotAudio`` → ``not_audio``."""
    name = type(error).__name__
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")[:64]


def _roles(principal: Principal | None) -> str | None:
    if principal is None or not principal.roles:
        return None
    return ",".join(sorted(r.value for r in principal.roles))[:32]
