"""UK National Insurance numbers: two prefix letters (the disallowed ones excluded), six
digits and a suffix A–D, written (``QQ 12 34 56 C``) or spelled with the digits spoken."""

from __future__ import annotations

from typing import ClassVar

from vault.redaction.base import Pattern, PatternRecognizer, compile_pattern
from vault.redaction.types import EntityType

# First letter not D, F, I, Q, U, V; second not D, F, I, O, Q, U, V; BG, GB, NK, KN, TN, NT,
# ZZ are never issued.
_PREFIX = r"(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"


class NationalInsuranceRecognizer(PatternRecognizer):
    name = "ni_number"
    entities: ClassVar[tuple[EntityType, ...]] = (EntityType.NATIONAL_ID,)
    patterns: ClassVar[tuple[Pattern, ...]] = (
        compile_pattern(
            "written",
            rf"(?<![\p{{L}}0-9]){_PREFIX}\s?\d{{2}}\s?\d{{2}}\s?\d{{2}}\s?[A-D](?![\p{{L}}0-9])",
            0.9,
            ignore_case=False,
        ),
    )
