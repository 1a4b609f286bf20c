"""The purpose an access to personal data is made for (``X-Access-Purpose``).

A purpose is a code from a configured list, optionally with a case or ticket reference:
``dispute`` or ``dispute:CASE-2291``. Free text is refused: it would invite customers' names
into the audit log, which must hold none.
"""

from __future__ import annotations

import regex

from vault.errors import PurposeRequired

_REFERENCE = regex.compile(r"^[A-Za-z0-9][A-Za-z0-9._/#-]{0,63}$")


def parse_purpose(value: str | None, *, allowed: tuple[str, ...]) -> str:
    """The normalised purpose, or PurposeRequired with the accepted codes."""
    codes = ", ".join(allowed)
    if value is None or not value.strip():
        raise PurposeRequired(
            f"this access needs an X-Access-Purpose header: one of {codes}, "
            "optionally followed by ':' and a case reference"
        )
    code, sep, reference = value.strip().partition(":")
    code = code.strip().lower()
    if code not in allowed:
        raise PurposeRequired(f"unknown access purpose; use one of {codes}")
    if sep:
        reference = reference.strip()
        if not _REFERENCE.match(reference):
            raise PurposeRequired(
                "a purpose reference is a case or ticket id: up to 64 letters, digits and ._/#-"
            )
        return f"{code}:{reference}"
    return code
