"""The ``vault`` command, run in-process: tokens, audit verification, key rotation, migrations.

Each command reads the same ``VAULT_*`` settings as the API; the ``settings`` fixture sets
them (``VAULT_DATA_DIR`` and the database, SQLite or PostgreSQL) before ``main`` runs.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
import pytest
from alembic.script import ScriptDirectory
from jwt.types import Options
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from models.retention import Basis
from models.tables import AuditCheckpoint, AuditEntry, Blob, Key, Recording
from tests.api.conftest import Api, make_api, metadata
from tests.audio_factory import make_wav
from tests.vault.rights.calls import add_call
from vault import migrate
from vault.audit import service as audit
from vault.audit.service import AuditEvent
from vault.auth import tokens
from vault.auth.roles import Principal, Role
from vault.cli import build_parser, main
from vault.config import Settings, get_settings
from vault.db import is_sqlite, make_engine, transaction
from vault.keys.keyring import FileKeyring
from vault.rights import retention
from vault.runtime import open_vault

PURPOSE = {"X-Access-Purpose": "dispute:CASE-1"}


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Embedded mode with nothing but ``VAULT_DATA_DIR`` (SQLite inside it)."""
    for name in list(os.environ):
        if name.startswith("VAULT_"):
            monkeypatch.delenv(name)
    home = tmp_path / "data"
    monkeypatch.setenv("VAULT_DATA_DIR", str(home))
    get_settings.cache_clear()
    return home


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``vault ARGV``: its exit status, stdout and stderr."""
    get_settings.cache_clear()
    try:
        status = main(list(argv))
    except SystemExit as exit_:
        status = exit_.code if isinstance(exit_.code, int) else 1
    out, err = capsys.readouterr()
    return status, out, err


# An API over the data directory, as ``vault serve`` would run it.
running_api = contextmanager(make_api)


# vault token create


@pytest.mark.parametrize("role", list(Role))
def test_token_create_prints_the_token_alone_on_its_last_line(
    data_dir: Path, capsys: pytest.CaptureFixture[str], role: Role
) -> None:
    status, out, err = run(capsys, "token", "create", "--user", "u", "--role", role.value)
    assert status == 0, err
    last = out.rstrip("\n").splitlines()[-1]
    assert last == last.strip()
    assert " " not in last
    assert out.endswith(last + "\n")
    assert tokens.verify(get_settings(), last) == Principal(user="u", roles=frozenset({role}))
    assert err == ""


def test_token_create_honours_ttl(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "token", "create", "--user", "u", "--role", "qa", "--ttl", "90")
    assert status == 0
    unverified: Options = {"verify_signature": False}
    claims = jwt.decode(out.splitlines()[-1], options=unverified)
    assert claims["exp"] - claims["iat"] == 90


def test_tokens_from_the_command_open_the_api(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "token", "create", "--user", "denetci", "--role", "auditor")
    assert status == 0
    with running_api(settings) as api:
        headers = {"Authorization": f"Bearer {out.splitlines()[-1]}"}
        assert api.client.get("/api/v1/audit", headers=headers).status_code == 200
        assert api.client.get("/api/v1/recordings", headers=headers).status_code == 403


TOKEN_REFUSED: list[tuple[str, list[str], str]] = [
    ("unknown role", ["--user", "u", "--role", "root"], "invalid choice"),
    ("role in capitals", ["--user", "u", "--role", "QA"], "invalid choice"),
    ("empty role", ["--user", "u", "--role", ""], "invalid choice"),
    ("no role", ["--user", "u"], "required"),
    ("no user", ["--role", "qa"], "required"),
    ("ttl not a number", ["--user", "u", "--role", "qa", "--ttl", "soon"], "invalid int"),
    ("empty user", ["--user", "", "--role", "qa"], "user name"),
    ("user too long", ["--user", "u" * 129, "--role", "qa"], "user name"),
]


@pytest.mark.parametrize(
    ("argv", "why"), [r[1:] for r in TOKEN_REFUSED], ids=[r[0] for r in TOKEN_REFUSED]
)
def test_token_create_refuses(
    data_dir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], why: str
) -> None:
    status, out, err = run(capsys, "token", "create", *argv)
    assert status == 2
    assert why in err
    assert out == ""


# vault audit verify


def _populate(settings: Settings, n: int = 5) -> None:
    vault = open_vault(settings)
    try:
        for i in range(n):
            with transaction(vault.factory) as session:
                audit.record(
                    session,
                    event=AuditEvent(
                        actor=f"user-{i}",
                        role="qa",
                        action="recording.read",
                        resource_type="recording",
                        resource_id=f"rec-{i}",
                        outcome="denied" if i % 2 else "allowed",
                        reason="role" if i % 2 else None,
                    ),
                    signer=vault.signer,
                    checkpoint_every=vault.settings.audit_checkpoint_every,
                )
    finally:
        vault.close()


def _checkpoints(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(AuditCheckpoint)) or 0


def test_audit_verify_intact(
    settings: Settings, session_factory: sessionmaker[Session], capsys: pytest.CaptureFixture[str]
) -> None:
    _populate(settings)
    status, out, _ = run(capsys, "audit", "verify")
    assert status == 0
    assert "audit log intact: 5 entries" in out
    # A checkpoint was signed at the tip and anchored outside the database.
    assert _checkpoints(session_factory) == 1
    assert settings.resolved_audit_anchor_file.exists()
    status, out, _ = run(capsys, "audit", "verify", "--json")
    assert status == 0
    report = json.loads(out)
    assert (report["ok"], report["entries"], report["first_bad_seq"]) == (True, 5, None)
    assert report["checkpoints"] == 1


def test_audit_verify_of_an_empty_log(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "audit", "verify")
    assert status == 0
    assert "0 entries" in out


def test_audit_verify_without_a_checkpoint(
    settings: Settings, session_factory: sessionmaker[Session], capsys: pytest.CaptureFixture[str]
) -> None:
    _populate(settings, 3)
    status, _, _ = run(capsys, "audit", "verify", "--no-checkpoint")
    assert status == 0
    assert _checkpoints(session_factory) == 0


def test_audit_verify_covers_what_the_api_logged(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    with running_api(settings) as api:
        api.client.get("/api/v1/recordings")  # refused: still one entry
        api.client.get("/api/v1/recordings", headers=api.headers(Role.QA))
        api.client.get("/api/v1/audit/verify", headers=api.headers(Role.AUDITOR, "denetci"))
    status, out, _ = run(capsys, "audit", "verify")
    assert status == 0
    assert "3 entries" in out


def _tamper(settings: Settings, statement: str) -> None:
    """Someone with write access to the database goes around the append-only guard."""
    engine = make_engine(settings)
    try:
        with engine.begin() as conn:
            if is_sqlite(engine):
                conn.execute(text("DROP TRIGGER IF EXISTS audit_entries_no_update"))
                conn.execute(text("DROP TRIGGER IF EXISTS audit_entries_no_delete"))
            else:
                # For this transaction only: the shared test database keeps its triggers.
                conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text(statement))
    finally:
        engine.dispose()


TAMPERING: list[tuple[str, str, int]] = [
    ("actor rewritten", "UPDATE audit_entries SET actor = 'mallory' WHERE seq = 3", 3),
    ("denial turned into access", "UPDATE audit_entries SET outcome = 'allowed' WHERE seq = 2", 2),
    ("reason wiped", "UPDATE audit_entries SET reason = NULL WHERE seq = 4", 4),
    ("entry removed", "DELETE FROM audit_entries WHERE seq = 3", 3),
    ("hash recomputed by hand", "UPDATE audit_entries SET hash = prev_hash WHERE seq = 1", 1),
]


@pytest.mark.parametrize(
    ("statement", "first_bad"), [t[1:] for t in TAMPERING], ids=[t[0] for t in TAMPERING]
)
def test_audit_verify_after_tampering(
    settings: Settings,
    session_factory: sessionmaker[Session],
    capsys: pytest.CaptureFixture[str],
    statement: str,
    first_bad: int,
) -> None:
    _populate(settings)
    assert run(capsys, "audit", "verify", "--no-checkpoint")[0] == 0
    _tamper(settings, statement)

    status, out, _ = run(capsys, "audit", "verify")
    assert status == 1
    assert f"audit log BROKEN at entry {first_bad}:" in out
    # A broken chain is not vouched for with a fresh checkpoint.
    assert _checkpoints(session_factory) == 0

    status, out, _ = run(capsys, "audit", "verify", "--json")
    assert status == 1
    report = json.loads(out)
    assert (report["ok"], report["first_bad_seq"]) == (False, first_bad)
    assert report["problem"]


# vault keys rotate


def _upload_two(api: Api) -> tuple[dict[str, bytes], str]:
    """A call about a known customer and one about nobody: two key-encryption keys."""
    audio: dict[str, bytes] = {}
    for n, meta in enumerate((metadata("rotate-1"), metadata("rotate-2", subject=None))):
        wav = make_wav(0.5 + n / 4, freq=300.0 + 100 * n)
        response = api.upload(wav, meta)
        assert response.status_code == 201, response.text
        audio[response.json()["id"]] = wav
    return audio, next(iter(audio))


def _objects(api: Api) -> dict[str, bytes]:
    return {key: b"".join(api.vault.store.get(key)) for key in list(api.vault.store.keys())}


def _wrapped(factory: sessionmaker[Session]) -> dict[str, tuple[str | None, bytes | None]]:
    with factory() as session:
        return {k.id: (k.master_key_id, k.wrapped) for k in session.scalars(select(Key))}


def test_keys_rotate_rewraps_subject_keys_and_touches_no_audio(
    settings: Settings, session_factory: sessionmaker[Session], capsys: pytest.CaptureFixture[str]
) -> None:
    with running_api(settings) as api:
        audio, with_subject = _upload_two(api)
        objects = _objects(api)
    old = FileKeyring(settings.resolved_keyring_file).active_id
    keys_before = _wrapped(session_factory)
    assert len(keys_before) == 2
    assert {m for m, _ in keys_before.values()} == {old}
    with session_factory() as session:
        dek_before = {b.id: b.wrapped_dek for b in session.scalars(select(Blob))}

    status, out, err = run(capsys, "keys", "rotate")
    assert status == 0, err
    assert "re-wrapped 2 subject keys" in out
    assert "retired 0 old master key" in out

    ring = FileKeyring(settings.resolved_keyring_file)
    assert ring.active_id != old
    # The key active until now stays for one more rotation (a server may still be finishing a
    # wrap under it), but nothing depends on it: drop it here and everything still plays.
    assert ring.key_ids() == (old, ring.active_id)
    ring.retire({old})
    assert ring.active_id in out
    keys_after = _wrapped(session_factory)
    assert set(keys_after) == set(keys_before)
    for key_id, (master, wrapped) in keys_after.items():
        assert master == ring.active_id
        assert wrapped != keys_before[key_id][1]
    with session_factory() as session:
        # The data keys are wrapped by the subject keys, whose values did not change.
        assert {b.id: b.wrapped_dek for b in session.scalars(select(Blob))} == dek_before

    # A vault started afresh, knowing only the new master key, plays everything back.
    with running_api(settings) as api:
        assert _objects(api) == objects
        for recording_id, wav in audio.items():
            played = api.client.get(
                f"/api/v1/recordings/{recording_id}/audio",
                params={"variant": "original"},
                headers=api.headers(Role.AGENT, **PURPOSE),
            )
            assert played.status_code == 200, played.text
            assert played.content == wav
        details = api.client.get(
            f"/api/v1/recordings/{with_subject}", headers=api.headers(Role.RIGHTS_OFFICER)
        )
        assert details.json()["subject"]["name"] == "Ahmet Yılmaz"


def test_keys_rotate_twice(
    settings: Settings, session_factory: sessionmaker[Session], capsys: pytest.CaptureFixture[str]
) -> None:
    with running_api(settings) as api:
        audio, _ = _upload_two(api)
    previous = FileKeyring(settings.resolved_keyring_file).active_id
    seen = {previous}
    for _ in range(2):
        assert run(capsys, "keys", "rotate")[0] == 0
        ring = FileKeyring(settings.resolved_keyring_file)
        assert ring.active_id not in seen
        seen.add(ring.active_id)
        # Each rotation keeps the key it replaced and retires the one before that.
        assert ring.key_ids() == (previous, ring.active_id)
        previous = ring.active_id
    with running_api(settings) as api:
        for recording_id, wav in audio.items():
            played = api.client.get(
                f"/api/v1/recordings/{recording_id}/audio",
                params={"variant": "original"},
                headers=api.headers(Role.AGENT, **PURPOSE),
            )
            assert played.content == wav


def test_keys_rotate_rewrap_only_keeps_the_master_key(
    settings: Settings, session_factory: sessionmaker[Session], capsys: pytest.CaptureFixture[str]
) -> None:
    with running_api(settings) as api:
        _upload_two(api)
    before = FileKeyring(settings.resolved_keyring_file)
    keys_before = _wrapped(session_factory)
    status, out, _ = run(capsys, "keys", "rotate", "--rewrap-only")
    assert status == 0
    assert "re-wrapped 0 subject keys" in out
    after = FileKeyring(settings.resolved_keyring_file)
    assert (after.active_id, after.key_ids()) == (before.active_id, before.key_ids())
    assert _wrapped(session_factory) == keys_before


def test_keys_rotate_with_an_empty_vault(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "keys", "rotate")
    assert status == 0
    assert "re-wrapped 0 subject keys" in out
    assert len(FileKeyring(settings.resolved_keyring_file).key_ids()) == 2


def test_keys_rotate_refuses_a_single_environment_key(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VAULT_MASTER_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
    status, out, err = run(capsys, "keys", "rotate")
    assert status == 2
    assert "cannot create keys" in err
    assert "AAECAwQF" not in out + err


def test_keys_rotate_while_the_api_runs_keeps_new_calls_readable(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """The operator rotates while ``vault serve`` keeps taking calls, then restarts it."""
    with running_api(settings) as api:
        assert api.upload(make_wav(0.5), metadata("before-rotation")).status_code == 201
        assert run(capsys, "keys", "rotate")[0] == 0
        # A new customer after the rotation: the running server creates their subject key.
        later = metadata("after-rotation")
        later["subject"] = {"customer_id": "CUST-NEW-1", "name": "Elif Demir"}
        wav = make_wav(0.75)
        response = api.upload(wav, later)
        assert response.status_code == 201, response.text
        recording_id = response.json()["id"]
    with running_api(settings) as restarted:
        played = restarted.client.get(
            f"/api/v1/recordings/{recording_id}/audio",
            params={"variant": "original"},
            headers=restarted.headers(Role.AGENT, **PURPOSE),
        )
    assert played.status_code == 200, (
        "a call stored by the running API after `vault keys rotate` is unreadable once the API "
        "restarts: its subject key was wrapped under the master key that the rotation retired "
        f"from the keyring file (status {played.status_code}: {played.text})"
    )
    assert played.content == wav


# vault db upgrade


def _head(settings: Settings) -> str:
    engine = make_engine(settings)
    try:
        head = ScriptDirectory.from_config(migrate.alembic_config(engine)).get_current_head()
        assert head is not None
        return head
    finally:
        engine.dispose()


def _version(settings: Settings) -> Any:
    engine = make_engine(settings)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def test_retention_sweep_erases_what_has_expired(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    vault = open_vault(settings)
    try:
        old = add_call(vault, queue="billing", started_at=datetime(2020, 1, 1, tzinfo=UTC))
        recent = add_call(vault, queue="billing", started_at=datetime.now(UTC))
        with transaction(vault.factory) as session:
            retention.set_policy(
                session,
                queue="*",
                basis=Basis.CALL_DATE,
                days=365,
                actor="admin",
                now=datetime.now(UTC),
            )
    finally:
        vault.close()
    status, out, err = run(capsys, "retention", "sweep")
    assert status == 0, err
    assert "1 calls erased" in out
    engine = make_engine(settings)
    try:
        with engine.connect() as conn:
            statuses = dict(conn.execute(select(Recording.id, Recording.status)).all())
    finally:
        engine.dispose()
    assert statuses == {old: "erased", recent: "ready"}
    assert run(capsys, "retention", "sweep")[1].startswith("retention sweep: 0 calls erased")


def test_db_upgrade_is_idempotent(
    settings: Settings, session_factory: sessionmaker[Session], capsys: pytest.CaptureFixture[str]
) -> None:
    _populate(settings, 2)
    for _ in range(2):
        status, out, err = run(capsys, "db", "upgrade")
        assert status == 0, err
        assert "up to date" in out
        assert _version(settings) == _head(settings)
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 2
    assert run(capsys, "audit", "verify")[0] == 0


def test_db_upgrade_creates_a_fresh_database(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert not (data_dir / "vault.db").exists()
    for _ in range(2):
        status, out, _ = run(capsys, "db", "upgrade")
        assert status == 0
        assert "up to date" in out
    settings = get_settings()
    assert (data_dir / "vault.db").exists()
    assert _version(settings) == _head(settings)


# --data-dir: the global option and serve's own one.

DATA_DIR_FORMS: list[tuple[str, list[str]]] = [
    ("serve --data-dir D", ["serve", "--data-dir", "{d}"]),
    ("--data-dir D serve", ["--data-dir", "{d}", "serve"]),
    ("--data-dir D token create", ["--data-dir", "{d}", "token", "create", "--user", "u"]),
]


@pytest.mark.parametrize("argv", [f[1] for f in DATA_DIR_FORMS], ids=[f[0] for f in DATA_DIR_FORMS])
def test_the_data_dir_option_is_honoured(tmp_path: Path, argv: list[str]) -> None:
    wanted = str(tmp_path / "elsewhere")
    parsed = build_parser().parse_args(
        [a.format(d=wanted) for a in argv] + (["--role", "qa"] if "token" in argv else [])
    )
    assert parsed.data_dir == wanted, (
        f"`vault {' '.join(argv).format(d='D')}` ignores the data directory it was given"
    )


def test_the_data_dir_option_reaches_the_command(
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    elsewhere = tmp_path / "elsewhere"
    # main() writes VAULT_DATA_DIR into the environment; monkeypatch puts it back afterwards.
    monkeypatch.setenv("VAULT_DATA_DIR", str(data_dir))
    status, out, _ = run(
        capsys, "--data-dir", str(elsewhere), "token", "create", "--user", "u", "--role", "qa"
    )
    assert status == 0
    assert (elsewhere / "keys" / "jwt-secret").exists()
    assert not (data_dir / "keys" / "jwt-secret").exists()
    assert tokens.verify(Settings(data_dir=elsewhere), out.splitlines()[-1]).user == "u"
