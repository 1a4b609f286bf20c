"""docker-compose.yml describes the production topology with the settings the code reads.

Docker cannot run here, so the file is checked against the code instead: every ``VAULT_*``
variable it sets is a setting, the settings it gives validate, and every service that runs the
vault runs a command the ``vault`` CLI knows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from vault.cli import build_parser
from vault.config import BlobBackend, Settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def vault_services(compose: dict[str, Any]) -> dict[str, Any]:
    return {name: s for name, s in compose["services"].items() if "build" in s}


def test_the_topology_has_every_part(compose: dict[str, Any]) -> None:
    assert {"minio", "redis", "postgres", "api", "worker", "scheduler"} <= set(compose["services"])


def test_minio_encrypts_at_rest_too(compose: dict[str, Any]) -> None:
    minio = compose["services"]["minio"]["environment"]
    assert any(name.startswith("MINIO_KMS_") for name in minio)
    assert "encrypt set" in compose["services"]["minio-init"]["entrypoint"]


def test_every_vault_variable_is_a_setting(compose: dict[str, Any]) -> None:
    known = {f"VAULT_{name.upper()}" for name in Settings.model_fields}
    for name, service in vault_services(compose).items():
        unknown = {v for v in service["environment"] if v.startswith("VAULT_")} - known
        assert not unknown, f"{name} sets variables no setting reads: {unknown}"


def test_the_settings_validate_as_production(
    compose: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    environment = dict(vault_services(compose)["api"]["environment"])
    for name in list(environment):
        if name.endswith("_FILE") and environment[name].startswith("/run/secrets/"):
            secret = tmp_path / name
            secret.write_text("a-secret\n")
            environment[name] = str(secret)
    for name, value in environment.items():
        monkeypatch.setenv(name, str(value))
    settings = Settings()
    assert settings.blob_backend is BlobBackend.S3
    assert settings.s3_secret_key.get_secret_value() == "a-secret"
    assert settings.jwt_secret is not None
    assert settings.resolved_database_url.startswith("postgresql://")
    assert settings.broker_url is not None
    assert settings.broker_url.startswith("redis://")


def test_every_vault_service_runs_a_known_command(compose: dict[str, Any]) -> None:
    parser = build_parser()
    for name, service in vault_services(compose).items():
        command = service["command"]
        assert command[0] == "vault", name
        parser.parse_args(command[1:])
