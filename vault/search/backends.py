"""Which backend a session's database gets."""

from __future__ import annotations

from sqlalchemy.orm import Session

from vault.search.base import Backend
from vault.search.postgres import PostgresBackend
from vault.search.sqlite import SQLiteBackend

_BACKENDS: dict[str, Backend] = {"sqlite": SQLiteBackend(), "postgresql": PostgresBackend()}


def backend_for(session: Session) -> Backend:
    name = session.get_bind().dialect.name
    try:
        return _BACKENDS[name]
    except KeyError:
        raise NotImplementedError(f"no search backend for the {name} database") from None
