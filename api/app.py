"""The application factory.

Every ``/api/v1`` route hangs under one router whose routes each pass a permission gate
(``api.deps``). The public routes are listed here, and only here:
- ``/healthz`` and ``/readyz``: the orchestrator's probes, which carry no data;
- ``/metrics``: counters labelled by route template, for the scraper inside the network;
- ``/docs``, ``/redoc``, ``/openapi.json``: FastAPI's description of the API, which holds no data.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from api import errors
from api.observability import AccessLog
from api.routers import (
    audio,
    audit,
    corrections,
    exports,
    health,
    recordings,
    requests,
    retention,
    search,
    subjects,
    transcripts,
)
from vault.config import Settings, get_settings
from vault.queue import Dispatcher
from vault.runtime import Vault, open_vault
from workers.app import make_celery
from workers.dispatch import CeleryDispatcher
from workers.embedded import EmbeddedWorker


def create_app(
    settings: Settings | None = None,
    *,
    vault: Vault | None = None,
    dispatcher: Dispatcher | None = None,
    embedded_worker: bool = False,
) -> FastAPI:
    """An app over ``vault`` (opened from settings at start-up when not given).

    ``embedded_worker`` runs the Celery worker and the reconciler inside this process, on the
    broker in the data directory: ``vault serve``'s embedded mode.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = vault or open_vault(settings or get_settings())
        app.state.vault = opened
        worker = EmbeddedWorker(opened) if embedded_worker else None
        if worker is not None:
            worker.start()
        app.state.dispatcher = dispatcher or (
            worker.dispatcher
            if worker is not None
            else CeleryDispatcher(make_celery(opened.settings), opened.settings)
        )
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()
            if vault is None:
                opened.close()

    app = FastAPI(
        title="Call-recording vault",
        version="0.1.0",
        lifespan=lifespan,
        description="Encrypted call recordings, redacted transcripts and an audited access path.",
        # Once an operator configures a provider, FastAPI's own OpenTelemetry spans record each
        # request's query string (a search's words, in clear) and its logs each unhandled
        # exception's message (a database error's quotes the values): both stay off. Its
        # metrics, labelled by route template, follow the meter provider.
        telemetry={"tracing": False, "logs": False},
    )
    if vault is not None:
        app.state.vault = vault
    errors.install(app)

    v1 = APIRouter(prefix="/api/v1")
    v1.include_router(recordings.router)
    v1.include_router(audio.router)
    v1.include_router(transcripts.router)
    v1.include_router(search.router)
    v1.include_router(audit.router)
    v1.include_router(subjects.router)
    v1.include_router(requests.router)
    v1.include_router(exports.router)
    v1.include_router(corrections.router)
    v1.include_router(retention.router)
    app.include_router(v1)

    app.include_router(health.router)  # public: see the module docstring

    app.add_middleware(AccessLog)
    return app
