"""The domain's exceptions: the API maps each to one HTTP status; messages hold no personal data."""

from __future__ import annotations


class VaultError(Exception):
    """Base class: ``str(error)`` is safe to show a user and to log."""


class InvalidInput(VaultError):
    """The request's data is malformed or inconsistent (HTTP 422)."""


class NotFound(VaultError):
    """No such resource, or not visible to the caller (HTTP 404)."""


class Forbidden(VaultError):
    """The caller may not do this (HTTP 403)."""


class Conflict(VaultError):
    """The request contradicts the current state (HTTP 409)."""


class NotReady(Conflict):
    """The resource exists but this variant has not been produced yet (HTTP 409)."""


class LegalHoldActive(Conflict):
    """A legal hold keeps this data from erasure (HTTP 409); the message names the hold."""

    def __init__(self, hold_id: str, reference: str) -> None:
        super().__init__(
            f"legal hold {hold_id} (reference {reference}) keeps this data; "
            "an admin must release it before it can be erased"
        )
        self.hold_id = hold_id
        self.reference = reference


class Gone(VaultError):
    """The resource existed but is no longer available: expired or erased (HTTP 410)."""


class TooLarge(VaultError):
    """The upload exceeds the configured limit (HTTP 413)."""


class KeyDestroyed(VaultError):
    """The key that opens this data was destroyed by an erasure: it is gone (HTTP 410)."""


class ConfigurationError(VaultError):
    """The vault is misconfigured; the message says which setting to fix."""


class PurposeRequired(VaultError):
    """Reading originals, raw transcripts or exports needs a stated purpose (HTTP 400)."""
