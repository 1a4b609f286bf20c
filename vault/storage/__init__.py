"""Blob storage: one interface (`BlobStore`), a local directory and an S3 bucket behind it."""

from __future__ import annotations

from vault.config import BlobBackend, Settings
from vault.storage.base import BlobNotFound, BlobStore, StorageError, StorageUnavailable
from vault.storage.local import LocalBlobStore
from vault.storage.s3 import S3BlobStore

__all__ = [
    "BlobNotFound",
    "BlobStore",
    "LocalBlobStore",
    "S3BlobStore",
    "StorageError",
    "StorageUnavailable",
    "open_blob_store",
]


def open_blob_store(settings: Settings) -> BlobStore:
    """The blob store the settings choose: ``VAULT_BLOB_BACKEND`` is ``local`` or ``s3``."""
    if settings.blob_backend is BlobBackend.S3:
        return S3BlobStore.from_settings(settings)
    return LocalBlobStore(settings.resolved_blob_dir)
