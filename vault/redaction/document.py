"""A transcript prepared once for every recognizer: folded views, sentences, turns, numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import regex

from vault.redaction import numbers
from vault.redaction.text import ascii_fold, fold
from vault.redaction.types import Known, Turn

TIMEOUT = 2.0
"""Seconds any one regular expression may run over a document (hostile input cannot stall us)."""

_SENTENCE_END = regex.compile(r"[.?!…]+(?=\s|$)")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int  # exclusive, after the closing punctuation
    question: bool


@dataclass
class Document:
    text: str = field(repr=False)
    lang: str = "tr"
    known: Known = field(default_factory=Known)
    turns: tuple[Turn, ...] = field(default=(), repr=False)

    @cached_property
    def folded(self) -> str:
        """Lower-cased with Turkish rules; offsets equal the text's."""
        return fold(self.text, turkish=self.lang != "en")

    @cached_property
    def folded_en(self) -> str:
        """Lower-cased with English rules (``IBAN`` → ``iban``, not ``ıban``); same offsets."""
        return fold(self.text, turkish=False)

    @cached_property
    def plain(self) -> str:
        """Lower-cased and without diacritics; offsets equal the text's."""
        return ascii_fold(self.text)

    @cached_property
    def sentences(self) -> tuple[Sentence, ...]:
        out: list[Sentence] = []
        start = 0
        for match in _SENTENCE_END.finditer(self.text, timeout=TIMEOUT):
            end = match.end()
            if self.text[start:end].strip():
                out.append(Sentence(start, end, "?" in match.group()))
            start = end
        if self.text[start:].strip():
            out.append(Sentence(start, len(self.text), False))
        return tuple(out)

    @cached_property
    def runs(self) -> tuple[numbers.NumberRun, ...]:
        return tuple(numbers.number_runs(self.text, lang=self.lang))

    def sentence_at(self, offset: int) -> Sentence | None:
        for sentence in self.sentences:
            if sentence.start <= offset < sentence.end:
                return sentence
        return None

    def speaker_at(self, offset: int) -> str | None:
        for turn in self.turns:
            if turn.start <= offset < turn.end:
                return turn.speaker
        return None
