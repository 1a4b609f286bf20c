"""Engine and session factory for SQLite (embedded) and PostgreSQL (production)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from vault.config import Settings


def make_engine(settings: Settings) -> Engine:
    url = settings.resolved_database_url
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted rows are overwritten, not left in free pages: an erasure leaves nothing behind
    # in the database file (PostgreSQL's VACUUM does this for dead rows there).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def lock_for_write(session: Session) -> None:
    """Serialise this transaction with every other writer before it reads what it will change.

    PostgreSQL locks rows (``SELECT ... FOR UPDATE``), which callers do as well. SQLite has no
    row locks and ignores ``FOR UPDATE``, and its driver begins a transaction only at the first
    write, so a check followed by a write could act on a stale read: a statement that writes
    nothing takes the database's single write lock now, held until the transaction ends.
    Call it first in the transaction; rows read earlier must be refreshed after it.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE audit_head SET seq = seq WHERE id = 0"))


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on any exception."""
    with factory() as session, session.begin():
        yield session
