"""People's names: after a cue ("adım", "ismim", "ben", "my name is", "this is"), before an
honorific ("Ayşe Hanım", "Mehmet Bey") or "soyadı", and capitalised given name + surname
pairs from the name lexicons anywhere. Turkish suffixes after an apostrophe stay with the name.

Strong cues take any capitalised words that follow (an unseen name is still a name); weak cues
("ben", "this is") need the first word to be a known name. Names that are also ordinary words
("Umut", "Deniz", "Will", "Hope") are taken only after a cue or with a surname.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import regex

from vault.redaction import lexicon
from vault.redaction.base import Recognizer
from vault.redaction.document import TIMEOUT, Document
from vault.redaction.types import EntityType, Finding

_WORD = regex.compile(r"[\p{Lu}][\p{L}\p{M}]*(?:['’][\p{L}]+)?", regex.VERSION1)
_NAME_WORD = regex.compile(
    r"\G\s*([\p{Lu}][\p{L}\p{M}]*(?:[-][\p{Lu}][\p{L}\p{M}]*)?(?:['’]\p{L}+)?)"
)

STRONG = {
    "tr": r"(?:benim\s+)?ad[ıi]m|ismim|ad[ıi]\s+soyad[ıi]m|ad\s+soyad[ıi]m",
    "en": r"my\s+name\s+is|my\s+name's|name\s+is|i\s+am\s+called|call\s+me",
}
WEAK = {
    "tr": r"ben|sayın|ile\s+görüşüyorum|kendisi",
    "en": (
        r"this\s+is|it's|it\s+is|i'm|i\s+am|speaking\s+to|hi|hello|thanks|thank\s+you|"
        r"dear|mr|mrs|ms|miss|dr"
    ),
}
AFTER = {"tr": r"bey|hanım|hanımefendi|beyefendi|soyadı|soyadını|soyadıyla", "en": r"speaking|here"}
MAX_WORDS = 3


def _strip(word: str) -> str:
    return regex.split(r"['’]", word, maxsplit=1)[0]


class PersonRecognizer(Recognizer):
    name = "person"
    entities: ClassVar[tuple[EntityType, ...]] = (EntityType.PERSON,)

    def analyze(self, doc: Document) -> Iterator[Finding]:
        langs = (doc.lang, "en") if doc.lang != "en" else ("en",)
        for lang in langs:
            yield from self._after_cue(doc, STRONG[lang], strong=True, lang=lang)
            yield from self._after_cue(doc, WEAK[lang], strong=False, lang=lang)
            yield from self._before_honorific(doc, AFTER[lang], lang)
        yield from self._pairs(doc)

    def _names_at(
        self, text: str, position: int, *, strong: bool, lang: str
    ) -> tuple[int, int] | None:
        """The span of up to MAX_WORDS capitalised name words starting at ``position``."""
        words: list[tuple[int, int, str]] = []
        at = position
        while len(words) < MAX_WORDS:
            match = _NAME_WORD.match(text, at, timeout=TIMEOUT)
            if match is None:
                break
            word = _strip(match.group(1))
            known = lexicon.is_name(word, _lang(lang))
            if not known and lexicon.is_common_word(word, _lang(lang)):
                break
            if not words and not strong and not known:
                return None
            if words and not (known or strong):
                break
            words.append((match.start(1), match.end(1), word))
            at = match.end()
        if not words:
            return None
        return words[0][0], words[-1][1]

    def _after_cue(self, doc: Document, cue: str, *, strong: bool, lang: str) -> Iterator[Finding]:
        pattern = regex.compile(rf"(?<!\p{{L}})(?:{cue})(?!\p{{L}})[,:]?", regex.VERSION1)
        for match in pattern.finditer(doc.folded, timeout=TIMEOUT):
            span = self._names_at(doc.text, match.end(), strong=strong, lang=lang)
            if span is not None:
                yield Finding(
                    span[0], span[1], EntityType.PERSON, 0.9 if strong else 0.8, self.name
                )

    def _before_honorific(self, doc: Document, honorific: str, lang: str) -> Iterator[Finding]:
        """``Ayşe Hanım``, ``Mehmet Yılmaz Bey``, ``Arslan soyadı``: the names just before."""
        pattern = regex.compile(
            rf"((?:[\p{{Lu}}][\p{{L}}\p{{M}}]*\s+){{0,2}}[\p{{Lu}}][\p{{L}}\p{{M}}]*)"
            rf"\s+(?i:{honorific})(?!\p{{L}})",
            regex.VERSION1,
        )
        for match in pattern.finditer(doc.text, timeout=TIMEOUT):
            words = list(regex.finditer(r"\S+", match.group(1)))
            kept = []
            for index, word in enumerate(reversed(words)):
                text = _strip(word.group())
                nearest = index == 0
                if lexicon.is_name(text, _lang(lang)) or (
                    nearest and not lexicon.is_common_word(text, _lang(lang))
                ):
                    kept.append(word)
                    continue
                break
            if kept:
                base = match.start(1)
                start, end = base + kept[-1].start(), base + kept[0].end()
                yield Finding(start, end, EntityType.PERSON, 0.85, self.name)

    def _pairs(self, doc: Document) -> Iterator[Finding]:
        lang = _lang(doc.lang)
        words = list(_WORD.finditer(doc.text, timeout=TIMEOUT))
        for index, match in enumerate(words):
            word = _strip(match.group())
            if word.isupper() or len(word) < 2 or not lexicon.is_given_name(word, lang):
                continue
            end = match.end()
            following = words[index + 1] if index + 1 < len(words) else None
            gap = doc.text[end : following.start()] if following else ""
            if (
                following
                and gap.strip() == ""
                and lexicon.is_surname(_strip(following.group()), lang)
            ):
                yield Finding(match.start(), following.end(), EntityType.PERSON, 0.85, self.name)
            elif not lexicon.is_ambiguous(word, lang) and not _sentence_start(
                doc.text, match.start()
            ):
                yield Finding(match.start(), end, EntityType.PERSON, 0.7, self.name)


def _lang(lang: str) -> lexicon.Lang | None:
    return "tr" if lang == "tr" else "en" if lang == "en" else None


def _sentence_start(text: str, offset: int) -> bool:
    before = text[:offset].rstrip()
    return not before or before[-1] in '.?!:"“'
