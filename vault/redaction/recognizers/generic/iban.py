"""IBANs, written (``TR33 0006 1005 …``, with spaces or dashes) or with the number part spoken,
confirmed by the ISO 13616 mod-97 check; an unconfirmed IBAN-shaped string after the word
IBAN is still taken (the recogniser may have misheard a digit)."""

from __future__ import annotations

from typing import ClassVar

from vault.redaction import checksums
from vault.redaction.base import Pattern, PatternRecognizer, compile_pattern
from vault.redaction.types import EntityType


class IbanRecognizer(PatternRecognizer):
    name = "iban"
    entities: ClassVar[tuple[EntityType, ...]] = (EntityType.IBAN,)
    patterns: ClassVar[tuple[Pattern, ...]] = (
        compile_pattern(
            "written",
            r"(?<![\p{L}0-9])(?i:[a-z]{2})[ -]?\d{2}(?:[ -]?[A-Z0-9]{1,4}){3,8}(?![\p{L}0-9])",
            0.6,
            ignore_case=False,
        ),
    )
    context: ClassVar[tuple[str, ...]] = ("iban",)
    threshold: ClassVar[float] = 0.75  # unconfirmed by mod-97: only next to the word IBAN

    def validate(self, matched: str) -> bool | None:
        compact = "".join(c for c in matched if c.isalnum()).upper()
        if checksums.iban(compact):
            return True
        return None if 15 <= len(compact) <= 34 else False
