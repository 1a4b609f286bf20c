"""Free text an officer types (notes, reasons) is redacted before it is stored.

Officers are told to keep personal values out of notes; this makes sure of it, with the same
engine that redacts transcripts, so that the register and the tombstones can be kept for years
without holding anything an erasure would have to find.
"""

from __future__ import annotations

from vault.errors import InvalidInput
from vault.redaction.engine import shared_redactor

MAX_TEXT = 4000


def redacted(text: str | None, *, what: str) -> str | None:
    """``text`` with personal values replaced by entity tags; None stays None."""
    if text is None:
        return None
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"the {what} is longer than {MAX_TEXT} characters")
    if not text:
        return None
    return shared_redactor().redact(text).text
