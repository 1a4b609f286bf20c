"""UK National Insurance numbers: two prefix letters (the disallowed ones excluded), six
digits and a suffix A–D, written (``QQ 12 34 56 C``) or spelled with the digits spoken."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import regex

from vault.redaction import numbers
from vault.redaction.base import Pattern, PatternRecognizer, Recognizer, compile_pattern
from vault.redaction.document import TIMEOUT, Document
from vault.redaction.types import EntityType, Finding

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


_SPOKEN_HEAD = regex.compile(r"(?<![\p{L}])([A-Z])[\s,.]+([A-Z])[\s,.]+", regex.VERSION1)
_SPOKEN_TAIL = regex.compile(r"\G[\s,.]+([A-D])(?![\p{L}])", regex.VERSION1)


class SpokenNationalInsuranceRecognizer(Recognizer):
    """A National Insurance number read out: letters spelled, digits spoken
    ("C P, six oh seven double nine eight, D")."""

    name = "ni_number_spoken"
    entities: ClassVar[tuple[EntityType, ...]] = (EntityType.NATIONAL_ID,)
    languages: ClassVar[frozenset[str]] = frozenset({"en"})

    def analyze(self, doc: Document) -> Iterator[Finding]:
        runs = {run.start: run for run in doc.runs}
        for head in _SPOKEN_HEAD.finditer(doc.text, timeout=TIMEOUT):
            run = runs.get(head.end())
            if run is None:
                continue
            if not any(len(r.digits) == 6 for r in numbers.readings(run)):
                continue
            tail = _SPOKEN_TAIL.match(doc.text, run.end)
            if tail is not None:
                yield Finding(head.start(), tail.end(), EntityType.NATIONAL_ID, 0.9, self.name)
