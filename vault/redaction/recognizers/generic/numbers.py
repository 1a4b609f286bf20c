"""Numbers that prove themselves: card numbers (brand, length, Luhn), T.C. kimlik numbers and
VKNs (their checksums), phone numbers (numbering plans) — written or spoken, in any reading
of a number run, with no cue needed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import ClassVar

from vault.redaction import checksums, numbers
from vault.redaction.base import Recognizer
from vault.redaction.document import Document
from vault.redaction.types import EntityType, Finding

Check = Callable[[str], bool]

# (entity, test on the digits, score): the first test a reading passes names the run.
CHECKS: tuple[tuple[EntityType, Check, float], ...] = (
    (EntityType.CARD_NUMBER, checksums.is_card_number, 1.0),
    (EntityType.NATIONAL_ID, checksums.tckn, 0.95),
    (EntityType.PHONE_NUMBER, checksums.turkish_phone, 0.9),
    (EntityType.PHONE_NUMBER, checksums.international_phone, 0.7),
    (EntityType.TAX_ID, checksums.vkn, 0.6),
)
# National plans of English-speaking countries, for English calls only.
CHECKS_EN: tuple[tuple[EntityType, Check, float], ...] = (
    (EntityType.PHONE_NUMBER, checksums.uk_phone, 0.8),
    (EntityType.PHONE_NUMBER, checksums.us_phone, 0.75),
)
MIN_DIGITS = 7


class ChecksumRecognizer(Recognizer):
    name = "checksum"
    entities: ClassVar[tuple[EntityType, ...]] = tuple(sorted({e for e, _c, _s in CHECKS}))
    threshold: ClassVar[float] = 0.7

    def analyze(self, doc: Document) -> Iterator[Finding]:
        for run in doc.runs:
            if len(run.digits) < MIN_DIGITS:
                continue
            best = self._judge(run, doc.lang)
            if best is not None:
                yield Finding(run.start, run.end, best[0], best[1], self.name)
                continue
            # A neighbouring number read into the run ("0532 418 27 90, bir de…"): try the
            # run without a chunk at either end.
            for part in numbers.subruns(run):
                best = self._judge(part, doc.lang)
                if best is not None:
                    yield Finding(part.start, part.end, best[0], best[1], self.name)
                    break

    def _judge(self, run: numbers.NumberRun, lang: str) -> tuple[EntityType, float] | None:
        checks = CHECKS + CHECKS_EN if lang == "en" else CHECKS
        best: tuple[EntityType, float] | None = None
        for reading in numbers.readings(run):
            for entity, check, score in checks:
                if score >= self.threshold and check(reading.digits):
                    if best is None or score > best[1]:
                        best = (entity, score)
                    break
        return best
