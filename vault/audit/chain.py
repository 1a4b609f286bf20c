"""Pure hashing for the audit chain: how an entry and a checkpoint are turned into bytes.

Each entry's hash covers the previous entry's hash and every field of the entry, sequence
number and timestamp included, so changing, removing or reordering any entry breaks every
link after it. The encoding is canonical JSON (sorted keys, no spaces, UTF-8) of a fixed set
of fields, so that ``None`` and ``""`` differ and no field can bleed into its neighbour.
Changing anything here invalidates every stored chain: bump ``CHAIN_VERSION`` instead.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime

CHAIN_VERSION = 1

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of entry 1: the chain starts from nothing."""

HASHED_FIELDS = (
    "seq",
    "at",
    "actor",
    "role",
    "action",
    "resource_type",
    "resource_id",
    "variant",
    "purpose",
    "outcome",
    "reason",
    "client_addr",
    "request_id",
    "detail",
)
"""Every column of an entry except ``prev_hash`` and ``hash`` themselves."""

OPTIONAL_FIELDS = frozenset({"detail"})
"""Fields added after the chain's first entries were written: hashed only when set, so that
entries written before they existed hash exactly as they did (their value is ``None``), and
setting one on an old entry, or clearing one on a new entry, still breaks the chain."""

FieldValue = str | int | datetime | None

_ENTRY_DOMAIN = b"vault-audit-entry\n"
_CHECKPOINT_DOMAIN = b"vault-audit-checkpoint\n"


def canonical_time(at: datetime) -> str:
    """An aware timestamp as UTC ISO 8601 with microseconds (what both databases keep)."""
    if at.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _canonical_value(name: str, value: FieldValue) -> str | int | None:
    if name == "seq":
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError("seq must be a positive integer")
        return value
    if name == "at":
        if not isinstance(value, datetime):
            raise ValueError("at must be a datetime")
        return canonical_time(value)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{name} must be a string or None")
    return value


def canonical_entry(prev_hash: str, fields: Mapping[str, FieldValue]) -> bytes:
    """The bytes an entry's hash covers; ``fields`` must hold exactly ``HASHED_FIELDS`` (an
    optional field may be left out, which is the same as ``None``)."""
    fields = dict.fromkeys(OPTIONAL_FIELDS) | dict(fields)
    if set(fields) != set(HASHED_FIELDS):
        missing = sorted(set(HASHED_FIELDS) - set(fields))
        extra = sorted(set(fields) - set(HASHED_FIELDS))
        raise ValueError(f"audit entry fields do not match: missing {missing}, unexpected {extra}")
    document: dict[str, str | int | None] = {
        name: _canonical_value(name, fields[name])
        for name in HASHED_FIELDS
        if not (name in OPTIONAL_FIELDS and fields[name] is None)
    }
    document["prev_hash"] = prev_hash
    document["v"] = CHAIN_VERSION
    encoded = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return _ENTRY_DOMAIN + encoded.encode("utf-8")


def entry_hash(prev_hash: str, fields: Mapping[str, FieldValue]) -> str:
    """The SHA-256 (hex) that chains an entry to its predecessor."""
    return hashlib.sha256(canonical_entry(prev_hash, fields)).hexdigest()


def checkpoint_message(*, seq: int, hash: str, at: datetime) -> bytes:
    """What a checkpoint's signature covers: ``seq|hash|at`` under a domain separator."""
    if seq < 1:
        raise ValueError("a checkpoint's seq must be a positive integer")
    return _CHECKPOINT_DOMAIN + f"v{CHAIN_VERSION}|{seq}|{hash}|{canonical_time(at)}".encode()
