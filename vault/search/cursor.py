"""Opaque page cursors: the sort key and recording id of the last hit a page showed.

The next page continues strictly after that key in the same order, so pages neither repeat
nor skip a hit while the index is unchanged. A cursor carries no query text.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from vault.errors import InvalidInput
from vault.search.schemas import Sort

_INVALID = "the cursor is not valid; start again without one"


def encode(*, sort: Sort, key: float | datetime, recording_id: str) -> str:
    value = key.isoformat() if isinstance(key, datetime) else float(key).hex()
    raw = json.dumps([sort, value, recording_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, *, sort: Sort) -> tuple[float | datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        kind, value, recording_id = json.loads(raw)
        if not (isinstance(kind, str) and isinstance(value, str) and isinstance(recording_id, str)):
            raise InvalidInput(_INVALID)
        if kind != sort:
            raise InvalidInput("the cursor belongs to a search in another order; start again")
        if sort == "relevance":
            return float.fromhex(value), recording_id
        at = datetime.fromisoformat(value)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(_INVALID) from None
    if at.tzinfo is None:
        raise InvalidInput(_INVALID)
    return at, recording_id


def decode_date(cursor: str) -> tuple[datetime, str]:
    """A cursor of a search sorted by date: the last hit's start and recording id."""
    at, recording_id = decode(cursor, sort="date")
    if not isinstance(at, datetime):  # decode gives a datetime for a date cursor
        raise InvalidInput(_INVALID)
    return at, recording_id
