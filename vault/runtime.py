"""The vault's parts, built once from settings and shared by the API, the workers and the CLI."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from vault import migrate
from vault.audit.signing import AuditSigner, load_or_create_signing_key
from vault.config import Settings
from vault.db import make_engine, make_session_factory
from vault.keys.keyring import MasterKeyring, open_keyring
from vault.storage import S3BlobStore, StorageUnavailable, open_blob_store
from vault.storage.base import BlobStore

log = logging.getLogger(__name__)


@dataclass
class Vault:
    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    store: BlobStore
    keyring: MasterKeyring
    signer: AuditSigner

    def close(self) -> None:
        self.engine.dispose()


def open_vault(settings: Settings, *, upgrade_schema: bool = True) -> Vault:
    """Connect to the database and the blob store; bring the schema up to date if asked."""
    engine = make_engine(settings)
    if upgrade_schema:
        migrate.upgrade(engine)
    store = open_blob_store(settings)
    if isinstance(store, S3BlobStore):
        try:
            store.ensure_bucket()
        except StorageUnavailable:
            # Start anyway: /readyz reports the store, and uploads answer 503 until it is back.
            log.warning("the object store is unreachable at start-up")
    return Vault(
        settings=settings,
        engine=engine,
        factory=make_session_factory(engine),
        store=store,
        keyring=open_keyring(settings),
        signer=load_or_create_signing_key(settings.resolved_audit_signing_key_file),
    )
