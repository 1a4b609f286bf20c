"""Master keyrings: the JSON keyring file and the single key from the environment."""

from __future__ import annotations

import base64
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from vault.config import Settings
from vault.crypto.stream import IntegrityError
from vault.errors import ConfigurationError
from vault.keys.keyring import FileKeyring, MasterKeyring, StaticKeyring, open_keyring

KEY = bytes(range(32))
BINDING = b"vault kek:key-1"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("VAULT_"):
            monkeypatch.delenv(name)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# The keyring file.


def test_file_keyring_is_created_private(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "nested" / "master-keyring.json"
    ring = FileKeyring(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert not path.with_name(path.name + ".tmp").exists()
    body = json.loads(path.read_text())
    assert body["active"] == ring.active_id
    assert list(body["keys"]) == [ring.active_id]
    assert len(base64.b64decode(body["keys"][ring.active_id])) == 32
    assert ring.active_id.startswith("mk-")


def test_file_keyring_reloads_the_same_keys(tmp_path: Path) -> None:
    path = tmp_path / "ring.json"
    first = FileKeyring(path)
    key_id, wrapped = first.wrap(KEY, binding=BINDING)
    again = FileKeyring(path)
    assert again.active_id == first.active_id == key_id
    assert again.key_ids() == first.key_ids()
    assert again.index_key() == first.index_key()
    assert again.unwrap(key_id, wrapped, binding=BINDING) == KEY


def test_two_new_keyrings_share_nothing(tmp_path: Path) -> None:
    one, two = FileKeyring(tmp_path / "one.json"), FileKeyring(tmp_path / "two.json")
    assert one.active_id != two.active_id
    assert one.index_key() != two.index_key()
    key_id, wrapped = one.wrap(KEY, binding=BINDING)
    with pytest.raises(ConfigurationError, match="not in the keyring"):
        two.unwrap(key_id, wrapped, binding=BINDING)


def _valid() -> dict[str, Any]:
    key_id = "mk-0123456789abcdef"
    return {"active": key_id, "keys": {key_id: b64(KEY)}, "index_key": b64(bytes(32))}


def _with(**changes: Any) -> str:
    body = _valid()
    body.update(changes)
    return json.dumps(body)


CORRUPT: list[tuple[str, str]] = [
    ("empty file", ""),
    ("not json", "{not json"),
    ("truncated", _with()[:40]),
    ("null", "null"),
    ("a list", "[]"),
    ("a string", '"keys"'),
    ("no keys", json.dumps({"active": "mk-1", "index_key": b64(bytes(32))})),
    ("no active", json.dumps({"keys": {"mk-1": b64(KEY)}, "index_key": b64(bytes(32))})),
    ("no index key", json.dumps({"active": "mk-1", "keys": {"mk-1": b64(KEY)}})),
    ("active not in keys", _with(active="mk-missing")),
    ("no keys at all", _with(keys={})),
    ("key not base64", _with(keys={"mk-0123456789abcdef": "%%%not-base64%%%"})),
    ("key too short", _with(keys={"mk-0123456789abcdef": b64(KEY[:16])})),
    ("key too long", _with(keys={"mk-0123456789abcdef": b64(KEY + b"!")})),
    ("key a number", _with(keys={"mk-0123456789abcdef": 42})),
    ("keys a list", _with(keys=[b64(KEY)])),
    ("index key not base64", _with(index_key="***")),
    ("index key a number", _with(index_key=7)),
    ("index key empty", _with(index_key="")),
    ("index key too short", _with(index_key=b64(b"short"))),
]


@pytest.mark.parametrize("content", [c for _, c in CORRUPT], ids=[n for n, _ in CORRUPT])
def test_corrupt_keyring_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "ring.json"
    path.write_text(content)
    message = ""
    try:
        FileKeyring(path)
    except ConfigurationError as error:
        message = str(error)
    except Exception as error:
        pytest.fail(
            f"a corrupt keyring file must raise ConfigurationError, not {type(error).__name__}"
        )
    else:
        pytest.fail("a corrupt keyring file was accepted")
    assert b64(KEY) not in message
    # A corrupt keyring is never "repaired" by writing a fresh one over it.
    assert path.read_text() == content


def test_a_valid_hand_written_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "ring.json"
    path.write_text(_with())
    ring = FileKeyring(path)
    assert ring.active_id == "mk-0123456789abcdef"
    assert ring.index_key() == bytes(32)


def test_add_key_activates_a_new_key_and_keeps_the_old(tmp_path: Path) -> None:
    path = tmp_path / "ring.json"
    ring = FileKeyring(path)
    old = ring.active_id
    old_id, wrapped = ring.wrap(KEY, binding=BINDING)
    new = ring.add_key()
    assert new != old
    assert ring.active_id == new
    assert set(ring.key_ids()) == {old, new}
    assert ring.wrap(KEY, binding=BINDING)[0] == new
    assert ring.unwrap(old_id, wrapped, binding=BINDING) == KEY
    reloaded = FileKeyring(path)
    assert reloaded.active_id == new
    assert set(reloaded.key_ids()) == {old, new}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_index_key_survives_rotation(tmp_path: Path) -> None:
    ring = FileKeyring(tmp_path / "ring.json")
    before = ring.index_key()
    ring.add_key()
    ring.retire(set(ring.key_ids()) - {ring.active_id})
    assert ring.index_key() == before
    assert FileKeyring(tmp_path / "ring.json").index_key() == before


def test_retire_forgets_old_keys_but_never_the_active_one(tmp_path: Path) -> None:
    path = tmp_path / "ring.json"
    ring = FileKeyring(path)
    old = ring.active_id
    old_id, wrapped = ring.wrap(KEY, binding=BINDING)
    new = ring.add_key()
    ring.retire({old, new})
    assert ring.key_ids() == (new,)
    assert FileKeyring(path).key_ids() == (new,)
    with pytest.raises(ConfigurationError, match="not in the keyring"):
        ring.unwrap(old_id, wrapped, binding=BINDING)
    ring.retire({"mk-unknown"})
    assert ring.key_ids() == (new,)


# The single key from the environment.


def test_static_keyring_from_base64(tmp_path: Path, clean_env: None) -> None:
    settings = Settings(data_dir=tmp_path, master_key=SecretStr(b64(KEY)))
    ring = open_keyring(settings)
    assert isinstance(ring, StaticKeyring)
    assert ring.key_ids() == (ring.active_id,)
    assert ring.active_id == StaticKeyring(KEY).active_id
    assert ring.active_id.startswith("mk-")
    assert KEY.hex() not in ring.active_id
    # Deterministic: another process given the same secret opens what this one wrapped.
    key_id, wrapped = ring.wrap(b"k" * 32, binding=BINDING)
    assert open_keyring(settings).unwrap(key_id, wrapped, binding=BINDING) == b"k" * 32
    index = ring.index_key()
    assert len(index) == 32
    assert index != KEY
    assert index == StaticKeyring(KEY).index_key()
    # Nothing was written: the secret lives in the environment only.
    assert not settings.resolved_keyring_file.exists()


def test_static_keyring_wins_over_a_keyring_file(tmp_path: Path, clean_env: None) -> None:
    FileKeyring(tmp_path / "keys" / "master-keyring.json")
    settings = Settings(data_dir=tmp_path, master_key=SecretStr(b64(KEY)))
    assert isinstance(open_keyring(settings), StaticKeyring)


def test_without_a_master_key_the_file_is_used(tmp_path: Path, clean_env: None) -> None:
    settings = Settings(data_dir=tmp_path)
    ring = open_keyring(settings)
    assert isinstance(ring, FileKeyring)
    assert settings.resolved_keyring_file.exists()


@pytest.mark.parametrize(
    "secret",
    [b64(KEY[:16]), b64(KEY + KEY), "", "not base64!", b64(KEY)[:-2], KEY.hex()],
    ids=["16 bytes", "64 bytes", "empty", "not base64", "unpadded", "hex"],
)
def test_static_keyring_refuses_a_bad_key(tmp_path: Path, clean_env: None, secret: str) -> None:
    settings = Settings(data_dir=tmp_path, master_key=SecretStr(secret))
    with pytest.raises(ConfigurationError) as caught:
        open_keyring(settings)
    assert "VAULT_MASTER_KEY" in str(caught.value)
    if secret:
        assert secret not in str(caught.value)


def test_static_keyring_cannot_rotate() -> None:
    ring = StaticKeyring(KEY)
    with pytest.raises(ConfigurationError, match="cannot create keys"):
        ring.add_key()
    ring.retire({ring.active_id})
    assert ring.key_ids() == (ring.active_id,)


# Wrapping under either keyring.

Ring = Callable[[Path], MasterKeyring]
RINGS: list[tuple[str, Ring]] = [
    ("file", lambda tmp: FileKeyring(tmp / "ring.json")),
    ("static", lambda tmp: StaticKeyring(KEY)),
]


@pytest.fixture(params=[r for _, r in RINGS], ids=[n for n, _ in RINGS])
def ring(request: pytest.FixtureRequest, tmp_path: Path) -> MasterKeyring:
    make: Ring = request.param
    return make(tmp_path)


def test_wrap_round_trip(ring: MasterKeyring) -> None:
    key_id, wrapped = ring.wrap(KEY, binding=BINDING)
    assert key_id == ring.active_id
    assert KEY not in wrapped
    assert ring.unwrap(key_id, wrapped, binding=BINDING) == KEY
    # A fresh nonce each time: the same key wraps differently.
    assert ring.wrap(KEY, binding=BINDING)[1] != wrapped


UNWRAP_FAILURES: list[tuple[str, Callable[[str, bytes], tuple[str, bytes, bytes]]]] = [
    ("another binding", lambda k, w: (k, w, b"vault kek:key-2")),
    ("empty binding", lambda k, w: (k, w, b"")),
    ("flipped bit", lambda k, w: (k, w[:-1] + bytes([w[-1] ^ 1]), BINDING)),
    ("flipped nonce", lambda k, w: (k, bytes([w[0] ^ 1]) + w[1:], BINDING)),
    ("cut short", lambda k, w: (k, w[:20], BINDING)),
    ("empty", lambda k, w: (k, b"", BINDING)),
]


@pytest.mark.parametrize(
    "spoil", [f for _, f in UNWRAP_FAILURES], ids=[n for n, _ in UNWRAP_FAILURES]
)
def test_unwrap_refuses(
    ring: MasterKeyring, spoil: Callable[[str, bytes], tuple[str, bytes, bytes]]
) -> None:
    key_id, wrapped, binding = spoil(*ring.wrap(KEY, binding=BINDING))
    with pytest.raises(IntegrityError):
        ring.unwrap(key_id, wrapped, binding=binding)


def test_unwrap_with_an_unknown_master_key(ring: MasterKeyring) -> None:
    _, wrapped = ring.wrap(KEY, binding=BINDING)
    with pytest.raises(ConfigurationError, match="not in the keyring"):
        ring.unwrap("mk-ffffffffffffffff", wrapped, binding=BINDING)
