"""E-mail addresses, written (``ad.soyad@firma.com.tr``) or spoken (``ad nokta soyad at gmail
nokta com``)."""

from __future__ import annotations

from typing import ClassVar

from vault.redaction.base import Pattern, PatternRecognizer, compile_pattern
from vault.redaction.types import EntityType

_WORD = r"[\p{L}\p{M}0-9_+-]+"
_DOT = r"(?:nokta|dot|period)"
_JOIN = r"(?:nokta|dot|period|alt\s+çizgi|underscore|tire|dash|hyphen)"
_AT = r"(?:at|et|@|\(at\))"
_TLD = r"(?:com|net|org|edu|gov|info|io|co|tr|uk|de|biz|me)"


class EmailRecognizer(PatternRecognizer):
    name = "email"
    entities: ClassVar[tuple[EntityType, ...]] = (EntityType.EMAIL_ADDRESS,)
    patterns: ClassVar[tuple[Pattern, ...]] = (
        compile_pattern(
            "written",
            r"(?<![\p{L}0-9._%+-])[\p{L}0-9._%+-]+@[\p{L}0-9-]+(?:\.[\p{L}0-9-]+)*\.\p{L}{2,24}\b",
            1.0,
        ),
        compile_pattern(
            "spoken",
            rf"\b{_WORD}(?:\s+{_JOIN}\s+{_WORD})*\s+{_AT}\s+{_WORD}(?:\s+{_DOT}\s+{_WORD})*"
            rf"\s+{_DOT}\s+{_TLD}\b",
            0.9,
        ),
        compile_pattern(
            "mixed",
            rf"\b{_WORD}(?:\s*(?:\.|{_JOIN})\s*{_WORD})*\s*(?:@|\s{_AT}\s)\s*{_WORD}"
            rf"(?:\s*(?:\.|\s{_DOT}\s)\s*{_WORD})*\s*(?:\.|\s{_DOT}\s)\s*{_TLD}\b",
            0.85,
        ),
    )
