"""English addresses: a house number, a street name and its kind (``87 High Street``,
``19 Church Lane``), flats, towns, and UK postcodes or US states and ZIP codes."""

from __future__ import annotations

from typing import ClassVar

from vault.redaction.base import Pattern, PatternRecognizer, compile_pattern
from vault.redaction.types import EntityType

_KIND = (
    r"street|st|road|rd|lane|ln|avenue|ave|drive|dr|close|way|place|pl|court|ct|crescent|"
    r"terrace|gardens|grove|park|square|sq|hill|row|mews|boulevard|blvd|parkway|walk"
)
_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}"
_US = r"(?:[A-Z]{2}\s+)?\d{5}(?:-\d{4})?"


class EnglishAddressRecognizer(PatternRecognizer):
    name = "address_en"
    entities: ClassVar[tuple[EntityType, ...]] = (EntityType.ADDRESS,)
    patterns: ClassVar[tuple[Pattern, ...]] = (
        compile_pattern(
            "street",
            rf"(?:(?i:flat|apartment|apt|unit|suite)\s+\w+,?\s+)?"
            rf"(?:(?:[A-Z][\p{{L}}'-]+\s+){{1,2}}(?:House|Court|Building|Lodge|Mansions|Tower|"
            rf"Apartments|Block),?\s+)?"
            rf"\b\d{{1,5}}[A-Za-z]?,?\s+(?:[A-Z][\p{{L}}'-]+\s+){{1,3}}(?i:{_KIND})\b"
            rf"(?:,?\s+(?i:flat|apartment|apt|unit|suite)\s+\w+)?"
            rf"(?:,?\s+(?!(?:It|The|And|But|My|I|We)\b)[A-Z][\p{{L}}-]+){{0,2}}"
            rf"(?:,?\s+(?:{_POSTCODE}|{_US}))?",
            0.85,
            ignore_case=False,
        ),
        compile_pattern("postcode", rf"\b{_POSTCODE}\b", 0.5, ignore_case=False),
    )
    context: ClassVar[tuple[str, ...]] = ("address", "postcode", "post code", "ship", "deliver")
