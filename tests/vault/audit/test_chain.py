"""Entry hashing is deterministic and commits to every field, the predecessor included."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest

from vault.audit.chain import (
    GENESIS_HASH,
    HASHED_FIELDS,
    FieldValue,
    canonical_entry,
    checkpoint_message,
    entry_hash,
)

AT = datetime(2026, 3, 14, 9, 26, 53, 589793, tzinfo=UTC)
PREV = "ab" * 32


def sample() -> dict[str, FieldValue]:
    return {
        "seq": 42,
        "at": AT,
        "actor": "qa-1",
        "role": "qa",
        "action": "recording.audio",
        "resource_type": "recording",
        "resource_id": "6f1c2a9e-1d4b-4c55-9a43-0c9e6b2f7d10",
        "variant": "redacted",
        "purpose": "quality-review",
        "outcome": "allowed",
        "reason": None,
        "client_addr": "10.0.0.7",
        "request_id": "req-1",
    }


def test_the_hash_is_deterministic_hex() -> None:
    digest = entry_hash(PREV, sample())
    assert digest == entry_hash(PREV, dict(reversed(sample().items())))
    assert len(digest) == 64
    assert int(digest, 16) >= 0


def test_the_encoding_is_pinned() -> None:
    """A change of encoding would invalidate every stored chain: it must be deliberate."""
    expected = (
        b"vault-audit-entry\n"
        b'{"action":"recording.audio","actor":"qa-1","at":"2026-03-14T09:26:53.589793+00:00",'
        b'"client_addr":"10.0.0.7","outcome":"allowed","prev_hash":"'
        + GENESIS_HASH.encode()
        + b'","purpose":"quality-review","reason":null,"request_id":"req-1",'
        b'"resource_id":"6f1c2a9e-1d4b-4c55-9a43-0c9e6b2f7d10","resource_type":"recording",'
        b'"role":"qa","seq":42,"v":1,"variant":"redacted"}'
    )
    assert canonical_entry(GENESIS_HASH, sample()) == expected
    assert entry_hash(GENESIS_HASH, sample()) == hashlib.sha256(expected).hexdigest()
    assert entry_hash(GENESIS_HASH, sample()) == (
        "e31e3efe420983b9230afc01e81de71573757ee379ab1fc91faf3967f0e175fc"
    )


CHANGES: list[tuple[str, FieldValue]] = [
    ("seq", 43),
    ("at", AT + timedelta(microseconds=1)),
    ("actor", "qa-2"),
    ("role", "rights_officer"),
    ("role", None),
    ("action", "recording.transcript"),
    ("resource_type", "export"),
    ("resource_id", "6f1c2a9e-1d4b-4c55-9a43-0c9e6b2f7d11"),
    ("resource_id", None),
    ("variant", "original"),
    ("purpose", "dispute"),
    ("purpose", ""),
    ("outcome", "denied"),
    ("reason", "role"),
    ("reason", ""),
    ("client_addr", "10.0.0.8"),
    ("request_id", "req-2"),
    ("detail", 'query: "iptal" [PHONE_NUMBER]'),
    ("detail", ""),
]


def test_every_field_is_covered() -> None:
    assert {name for name, _ in CHANGES} == set(HASHED_FIELDS)


@pytest.mark.parametrize(("name", "value"), CHANGES)
def test_changing_any_field_changes_the_hash(name: str, value: FieldValue) -> None:
    changed = sample() | {name: value}
    assert entry_hash(PREV, changed) != entry_hash(PREV, sample())


def test_an_entry_without_detail_hashes_as_before_detail_existed() -> None:
    """Entries written before ``detail`` was added keep verifying: an unset optional field is
    left out of the encoding, while setting it (even to "") changes the hash."""
    assert canonical_entry(PREV, sample()) == canonical_entry(PREV, sample() | {"detail": None})
    assert b"detail" not in canonical_entry(PREV, sample())
    assert b'"detail":""' in canonical_entry(PREV, sample() | {"detail": ""})


def test_the_predecessor_is_covered() -> None:
    assert entry_hash(GENESIS_HASH, sample()) != entry_hash(PREV, sample())


def test_values_cannot_bleed_into_their_neighbours() -> None:
    one = sample() | {"actor": "qa", "role": "-1"}
    other = sample() | {"actor": "qa-", "role": "1"}
    assert entry_hash(PREV, one) != entry_hash(PREV, other)


def test_the_same_instant_in_another_zone_hashes_the_same() -> None:
    istanbul = AT.astimezone(timezone(timedelta(hours=3)))
    assert entry_hash(PREV, sample() | {"at": istanbul}) == entry_hash(PREV, sample())


def test_non_ascii_is_encoded_as_utf8() -> None:
    encoded = canonical_entry(PREV, sample() | {"actor": "ayşe"})
    assert "ayşe".encode() in encoded


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({k: v for k, v in sample().items() if k != "purpose"}, "missing"),
        (sample() | {"extra": "x"}, "unexpected"),
        (sample() | {"at": datetime(2026, 3, 14, 9, 26)}, "timezone-aware"),
        (sample() | {"at": "2026-03-14"}, "at must be a datetime"),
        (sample() | {"seq": 0}, "seq must be a positive integer"),
        (sample() | {"seq": "42"}, "seq must be a positive integer"),
        (sample() | {"actor": 7}, "actor must be a string"),
    ],
)
def test_malformed_fields_are_refused(fields: dict[str, FieldValue], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        entry_hash(PREV, fields)


def test_checkpoint_messages_differ_in_each_part() -> None:
    base = checkpoint_message(seq=8, hash=PREV, at=AT)
    assert base == checkpoint_message(seq=8, hash=PREV, at=AT)
    assert base != checkpoint_message(seq=9, hash=PREV, at=AT)
    assert base != checkpoint_message(seq=8, hash=GENESIS_HASH, at=AT)
    assert base != checkpoint_message(seq=8, hash=PREV, at=AT + timedelta(microseconds=1))
    with pytest.raises(ValueError, match="positive"):
        checkpoint_message(seq=0, hash=PREV, at=AT)
