"""The recognizer contract, and the pattern recognizer most recognizers are built from.

A recognizer declares the entity types it finds and returns ``Finding`` values for a
``Document``; it never changes the text. A ``PatternRecognizer`` runs regular expressions
(with a timeout), raises or lowers a score by context words around the match, and calls its
``validate`` hook (a checksum) that can confirm (True), reject (False) or abstain (None).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar

import regex

from vault.redaction.document import TIMEOUT, Document
from vault.redaction.types import EntityType, Finding


class Recognizer(ABC):
    """Finds entities of ``entities`` in a document."""

    name: ClassVar[str]
    entities: ClassVar[tuple[EntityType, ...]]
    languages: ClassVar[frozenset[str]] = frozenset({"tr", "en"})

    def supports(self, lang: str) -> bool:
        return lang in self.languages

    @abstractmethod
    def analyze(self, doc: Document) -> Iterable[Finding]:
        """Every entity this recognizer finds in ``doc``."""


@dataclass(frozen=True)
class Pattern:
    name: str
    regex: regex.Pattern[str]
    score: float


def compile_pattern(
    name: str, expression: str, score: float, *, ignore_case: bool = True
) -> Pattern:
    flags = regex.VERSION1 | (regex.IGNORECASE if ignore_case else 0)
    return Pattern(name, regex.compile(expression, flags), score)


class PatternRecognizer(Recognizer):
    """Regular expressions, context words and a validation hook."""

    patterns: ClassVar[tuple[Pattern, ...]]
    context: ClassVar[tuple[str, ...]] = ()
    """Folded words that, near a match, make it more likely (e.g. ``iban``)."""
    context_window: ClassVar[int] = 60
    context_boost: ClassVar[float] = 0.3
    threshold: ClassVar[float] = 0.5

    def validate(self, matched: str) -> bool | None:
        """True: confirmed (e.g. checksum holds); False: rejected; None: cannot tell."""
        return None

    def entity_for(self, matched: str) -> EntityType:
        return self.entities[0]

    def matches(self, doc: Document) -> Iterator[tuple[Pattern, regex.Match[str]]]:
        for pattern in self.patterns:
            for match in pattern.regex.finditer(doc.text, timeout=TIMEOUT):
                yield pattern, match

    def near_context(self, doc: Document, start: int, end: int) -> bool:
        if not self.context:
            return False
        for folded in (doc.folded, doc.folded_en):
            before = folded[max(0, start - self.context_window) : start]
            after = folded[end : end + self.context_window // 2]
            if any(word in before or word in after for word in self.context):
                return True
        return False

    def analyze(self, doc: Document) -> Iterator[Finding]:
        for pattern, match in self.matches(doc):
            start, end = match.span()
            if start == end:
                continue
            matched = match.group()
            verdict = self.validate(matched)
            if verdict is False:
                continue
            score = 1.0 if verdict else pattern.score
            if verdict is None and self.near_context(doc, start, end):
                score = min(1.0, score + self.context_boost)
            if score >= self.threshold:
                yield Finding(start, end, self.entity_for(matched), score, self.name)
