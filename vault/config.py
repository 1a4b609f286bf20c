"""Settings read from ``VAULT_*`` environment variables, one class for every command."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MiB = 1024 * 1024


class BlobBackend(StrEnum):
    LOCAL = "local"
    S3 = "s3"


DEFAULT_PURPOSES = (
    "quality-review",
    "customer-complaint",
    "dispute",
    "fraud-investigation",
    "rights-request",
    "legal-claim",
    "regulator-request",
)


class Settings(BaseSettings):
    """Everything the vault can be told. Secrets are ``SecretStr`` and never printed."""

    model_config = SettingsConfigDict(env_prefix="VAULT_", extra="ignore")

    data_dir: Path = Field(default=Path("vault-data"), description="embedded mode's home")

    # Metadata, audit and search.
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; SQLite in the data directory when unset"
    )
    search_relevance_window: int = Field(
        default=500,
        ge=20,
        le=100_000,
        description="relevance ranks the newest this many matches of a search (cost grows with it)",
    )

    # Blobs.
    blob_backend: BlobBackend = BlobBackend.LOCAL
    blob_dir: Path | None = Field(default=None, description="local backend; <data_dir>/blobs")
    s3_endpoint: str = "127.0.0.1:9000"
    s3_access_key: SecretStr = SecretStr("")
    s3_secret_key: SecretStr = SecretStr("")
    s3_secret_key_file: Path | None = Field(default=None, description="read the secret from here")
    s3_bucket: str = "recordings"
    s3_region: str | None = None
    s3_secure: bool = False
    s3_part_size: int = Field(default=16 * MiB, ge=5 * MiB)

    # Encryption.
    master_key: SecretStr | None = Field(
        default=None,
        description="base64 of a 32-byte key; for a single-key deployment with no keyring file",
    )
    master_keyring_file: Path | None = Field(
        default=None, description="JSON keyring; <data_dir>/keys/master-keyring.json"
    )
    segment_size: int = Field(default=64 * 1024, ge=4096, le=16 * MiB)

    # Authentication.
    jwt_secret: SecretStr | None = Field(
        default=None, description="HS256 secret; generated into the data directory when unset"
    )
    jwt_secret_file: Path | None = Field(default=None, description="read the secret from here")
    jwks_url: str | None = Field(default=None, description="production: the identity provider")
    jwt_issuer: str = "call-vault"
    jwt_audience: str = "call-vault"
    jwt_roles_claim: str = "roles"
    token_ttl_seconds: int = Field(default=8 * 3600, gt=0)

    # Uploads and access.
    max_upload_bytes: int = Field(default=2 * 1024 * MiB, gt=0)
    access_purposes: tuple[str, ...] = DEFAULT_PURPOSES

    # Audit.
    audit_checkpoint_every: int = Field(default=256, gt=0)
    audit_signing_key_file: Path | None = Field(
        default=None, description="Ed25519 key; <data_dir>/keys/audit-signing.pem"
    )
    audit_anchor_file: Path | None = Field(
        default=None, description="the last verified checkpoint; <data_dir>/keys/audit-anchor.json"
    )

    # Queue (workers).
    broker_url: str | None = Field(
        default=None, description="Redis URL in production; an embedded queue when unset"
    )
    task_max_retries: int = Field(default=5, ge=0)
    task_retry_backoff_seconds: int = Field(default=10, ge=1)
    task_retry_backoff_max_seconds: int = Field(default=600, ge=1)
    stuck_after_seconds: int = Field(
        default=900, gt=0, description="a queued recording not started this long is re-enqueued"
    )
    task_lease_seconds: int = Field(
        default=120, gt=0, description="a worker holding a recording renews its claim this often"
    )
    progress_every_seconds: float = Field(
        default=5.0, gt=0, description="how often a worker records progress and renews its lease"
    )
    worker_concurrency: int = Field(default=1, gt=0)
    queue_name: str = "vault"
    reconcile_every_seconds: int = Field(default=60, gt=0)
    broker_visibility_timeout_seconds: int = Field(default=3600, gt=0)

    # Transcription.
    whisper_model: str = Field(
        default="base",
        description="'base': the bundled offline model; else a faster-whisper name or directory",
    )
    whisper_device: str = "cpu"
    whisper_compute_type: str = "int8"
    whisper_threads: int = Field(default=0, ge=0, description="0: one per core")
    whisper_beam_size: int = Field(default=5, ge=1)
    whisper_vad: bool = True
    model_cache_dir: Path | None = Field(default=None, description="<data_dir>/models")
    languages: tuple[str, ...] = ("tr", "en")

    # Redaction.
    pci_mode: bool = Field(
        default=True,
        description="also remove card number, expiry and CVV from the stored original audio",
    )
    redaction_tone: bool = Field(default=False, description="tone instead of silence")
    redaction_pad_seconds: float = Field(default=0.25, ge=0, le=2)

    # Rights requests, exports, retention (KVKK).
    rights_due_days: int = Field(default=30, gt=0, description="a request's answer is due in")
    export_download_hours: int = Field(
        default=72, gt=0, description="how long a finished export can be downloaded"
    )
    export_keep_hours: int = Field(
        default=14 * 24, gt=0, description="when a finished export is deleted from the store"
    )
    export_texts_file: Path | None = Field(
        default=None,
        description="JSON with the export summary's texts (categories, purposes, recipients, "
        "retention) per language; the built-in texts when unset",
    )
    retention_sweep_every_seconds: int = Field(default=3600, gt=0)

    log_level: str = "INFO"

    @model_validator(mode="after")
    def _read_secret_files(self) -> Settings:
        """``*_FILE`` settings (container secrets) fill in the secret they name."""
        if self.s3_secret_key_file is not None:
            self.s3_secret_key = SecretStr(_read_secret(self.s3_secret_key_file))
        if self.jwt_secret_file is not None:
            self.jwt_secret = SecretStr(_read_secret(self.jwt_secret_file))
        return self

    @model_validator(mode="after")
    def _check_s3(self) -> Settings:
        if self.blob_backend is BlobBackend.S3 and not self.s3_access_key.get_secret_value():
            raise ValueError("VAULT_S3_ACCESS_KEY is required when VAULT_BLOB_BACKEND=s3")
        return self

    @property
    def resolved_model_cache_dir(self) -> Path:
        return self.model_cache_dir or self.data_dir / "models"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'vault.db'}"

    @property
    def resolved_blob_dir(self) -> Path:
        return self.blob_dir or self.data_dir / "blobs"

    @property
    def resolved_keyring_file(self) -> Path:
        return self.master_keyring_file or self.keys_dir / "master-keyring.json"

    @property
    def resolved_audit_anchor_file(self) -> Path:
        return self.audit_anchor_file or self.keys_dir / "audit-anchor.json"

    @property
    def resolved_audit_signing_key_file(self) -> Path:
        return self.audit_signing_key_file or self.keys_dir / "audit-signing.pem"


def _read_secret(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError as error:
        raise ValueError(f"cannot read the secret file {path}: {error.strerror}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings; tests call ``get_settings.cache_clear()`` after changing them."""
    return Settings()
