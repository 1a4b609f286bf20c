"""One HTTP status per domain error; every error body is ``{"detail": "<a sentence>"}``."""

from __future__ import annotations

import logging

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.access import AuditUnavailable, Gate, reason_code
from vault.audio import BadAudio, NotAudio
from vault.auth.tokens import IdentityProviderUnavailable, InvalidToken
from vault.crypto.stream import IntegrityError
from vault.errors import (
    ConfigurationError,
    Conflict,
    Forbidden,
    Gone,
    InvalidInput,
    KeyDestroyed,
    NotFound,
    PurposeRequired,
    TooLarge,
    VaultError,
)
from vault.storage.base import BlobNotFound, StorageError, StorageUnavailable

log = logging.getLogger(__name__)

STATUS: list[tuple[type[Exception], int]] = [
    (PurposeRequired, 400),
    (InvalidToken, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (KeyDestroyed, 410),
    (Gone, 410),
    (TooLarge, 413),
    (NotAudio, 415),
    (BadAudio, 422),
    (InvalidInput, 422),
    (StorageUnavailable, 503),
    (IdentityProviderUnavailable, 503),
]


def status_of(error: Exception) -> int:
    for kind, status in STATUS:
        if isinstance(error, kind):
            return status
    return 500


def problem(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def _headers(status: int) -> dict[str, str] | None:
    return {"WWW-Authenticate": "Bearer"} if status == 401 else None


async def _settle_gate(request: Request, status: int, reason: str) -> None:
    """A request refused after its gate let it through, but before the gate wrote its entry
    (a route that audits its outcome itself, a body that did not validate): write it now,
    so that every request leaves one audit entry."""
    gate = getattr(request.state, "gate", None)
    if not isinstance(gate, Gate) or gate.written or gate.principal is None:
        return
    try:
        await anyio.to_thread.run_sync(gate.write, "error" if status >= 500 else "denied", reason)
    except AuditUnavailable:
        log.error("the refusal could not be audited")


async def _vault_error(request: Request, error: Exception) -> JSONResponse:
    status = status_of(error)
    await _settle_gate(request, status, reason_code(error))
    if status == 500:
        return await _unexpected(request, error)
    if type(error) is StorageUnavailable:
        log.warning("blob store unavailable", exc_info=error)
        return problem(
            503, "the recording store is unavailable right now; nothing was changed, try again"
        )
    return problem(status, str(error), _headers(status))


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    await _settle_gate(request, 500, "internal_error")
    if isinstance(error, IntegrityError | BlobNotFound):
        log.error("stored object failed its integrity check", exc_info=error)
        return problem(500, "the stored recording failed its integrity check; it was not served")
    if isinstance(error, ConfigurationError):
        log.error("configuration error", exc_info=error)
        return problem(500, "the vault is misconfigured; see its log")
    log.error("unexpected error", exc_info=error)
    return problem(500, "internal error; the incident was logged")


async def _validation(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    await _settle_gate(request, 422, "invalid_input")
    # FastAPI's default body echoes the input values; this one names the fields only.
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item.get("loc", ()) if p != "body")
        parts.append(f"{where}: {item.get('msg', 'invalid')}")
    return problem(422, "invalid request: " + "; ".join(parts))


async def _http(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    return problem(error.status_code, str(error.detail), dict(error.headers or {}) or None)


def install(app: FastAPI) -> None:
    app.add_exception_handler(VaultError, _vault_error)
    app.add_exception_handler(NotAudio, _vault_error)
    app.add_exception_handler(BadAudio, _vault_error)
    app.add_exception_handler(StorageError, _vault_error)
    app.add_exception_handler(IntegrityError, _unexpected)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
