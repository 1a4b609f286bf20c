"""People's names, from what is said around them rather than from a list alone.

- After a cue: strong ones ("adım", "ismim", "soyadım", "my name is", "surname", "speaking
  with", "müşteri temsilcisi") take any capitalised words that follow, so an unseen name is
  still a name; weak ones ("ben", "this is", "it's", "Mr") need the first word to be a known
  name, or (titles) take any capitalised word.
- The answer to a name question ("kiminle görüşüyorum?", "adınız?", "who am I speaking to?",
  "can I take your name?"): the capitalised words that open the answer.
- Before a marker: honorifics ("Ayşe Hanım", "Mehmet Bey"), "soyadı", "ben, dinliyorum",
  "speaking", "here", "adına", "ile görüşüyorsunuz".
- Lexicon pairs anywhere: a known given name and the capitalised word after it; a known given
  name alone mid-sentence (unless it is also an ordinary word); a capitalised name with a
  Turkish suffix after an apostrophe ("Derya'dan": Turkish writes that only after proper nouns).
- Surnames spelled out letter by letter ("that's G I B B S").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import regex

from vault.redaction import lexicon, places
from vault.redaction.base import Recognizer
from vault.redaction.document import TIMEOUT, Document
from vault.redaction.text import fold, normalise
from vault.redaction.types import EntityType, Finding

_WORD = regex.compile(r"[\p{Lu}][\p{L}\p{M}]*(?:['’][\p{L}]+)?", regex.VERSION1)
_NAME_WORD = regex.compile(
    r"\G\s*([\p{Lu}][\p{L}\p{M}]*(?:[-][\p{Lu}][\p{L}\p{M}]*)?(?:['’]\p{L}+)?)", regex.VERSION1
)

STRONG = {
    "tr": (
        r"(?:benim\s+)?ad[ıi]m|ismim|ad[ıi]\s+soyad[ıi]m|ad\s+soyad[ıi]m|soyad[ıi]m|"
        r"temsilcisi|temsilciniz|yetkilisi"
    ),
    "en": (
        r"my\s+name\s+is|my\s+name's|name\s+is|name's|i\s+am\s+called|surname(?:'s|\s+is)?|"
        r"last\s+name(?:'s|\s+is)?|first\s+name(?:'s|\s+is)?|speaking\s+(?:with|to)|"
        r"you're\s+speaking\s+(?:with|to)|on\s+behalf\s+of(?:\s+my\s+\p{L}+)?|"
        r"account(?:'s|\s+is)\s+(?:under|in\s+the\s+name\s+of)|in\s+the\s+name\s+of"
    ),
}
# Weak cues: the speaker names themself ("ben", "I'm": an unseen name counts if it closes the
# phrase), or greets or mentions someone (a known name only: "Hello, Octopus Chat" is not one).
SELF = {"tr": r"ben|kendisi", "en": r"this\s+is|it's|it\s+is|i'm|i\s+am"}
WEAK = {
    "tr": r"sayın|eşim|annem|babam|oğlum|kızım|merhaba|teşekkürler|hoş\s+geldiniz",
    "en": (
        r"hi|hello|hiya|morning|afternoon|thanks|thank\s+you|dear|"
        r"my\s+(?:husband|wife|partner|son|daughter|mother|father|mum|dad)"
    ),
}
TITLES = r"mr|mrs|ms|miss|mx|dr|prof|sir|madam"
_TITLE = regex.compile(rf"\G\s*(?i:{TITLES}|bay|bayan|sayın)\.?(?=\s)", regex.VERSION1)
_MONTH_NAMES = frozenset(
    [
        "ocak",
        "şubat",
        "mart",
        "nisan",
        "mayıs",
        "haziran",
        "temmuz",
        "ağustos",
        "eylül",
        "ekim",
        "kasım",
        "aralık",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)
BEFORE = {
    "tr": (
        r"bey|hanım|hanımefendi|beyefendi|soyadı|soyadını|soyadıyla|adına|"
        r"ben\s*[,.]|konuşuyor|ile\s+görüşüyorsunuz|ile\s+görüşüyorum"
    ),
    "en": r"speaking|here|at\s+octopus|calling",
}
QUESTIONS = {
    "tr": (
        r"kiminle\s+görüşüyorum|ad[ıi]n[ıi]z|isminiz|soyad[ıi]n[ıi]z|kimsiniz|"
        r"ad[ıi]n[ıi]z[ıi]|isminizi"
    ),
    "en": (
        r"who\s+am\s+i\s+(?:speaking|talking)\s+(?:to|with)|your\s+(?:full\s+|first\s+|last\s+)?"
        r"name|who's\s+calling|who\s+is\s+calling|may\s+i\s+ask\s+who"
    ),
}
_FILLERS = regex.compile(
    r"\G(?:\s*(?:tabii|tabi|evet|tamam|elbette|hemen|sure|yeah|yes|yep|of\s+course|certainly|"
    r"okay|ok|it's|its|i'm|this\s+is|my\s+name\s+is|adım|ismim|ben|benim)[,.!]?)*",
    regex.IGNORECASE | regex.VERSION1,
)
_SPELLED = regex.compile(r"(?<![\p{L}])(?:[\p{Lu}][\s.-]+){2,}[\p{Lu}](?![\p{L}])", regex.VERSION1)
_SPELL_CUE = regex.compile(
    r"(?:spell|spelt|spelled|that's|that\s+is|surname|soyad|harf|yani|şöyle)\p{L}*[\s,:]*$",
    regex.IGNORECASE | regex.VERSION1,
)
MAX_WORDS = 3
# "Ramazan Bayramı", "Christmas Eve": a name before these is a holiday, not a person.
_HOLIDAY = regex.compile(
    r"(?:Christmas|New\s+Year's|Boxing|Valentine's|Halloween)\s*$", regex.VERSION1
)
_OCCASION = regex.compile(r"(?:Bayram\p{L}*|Kandil\p{L}*|Eve|Day|Holiday|Bank)\b", regex.VERSION1)


def _strip(word: str) -> str:
    return regex.split(r"['’]", word, maxsplit=1)[0]


def _lang(lang: str) -> lexicon.Lang | None:
    return "tr" if lang == "tr" else "en" if lang == "en" else None


KIN = frozenset(
    normalise(word)
    for word in [
        "annem",
        "babam",
        "eşim",
        "oğlum",
        "kızım",
        "kardeşim",
        "ablam",
        "abim",
        "ağabeyim",
        "annemin",
        "babamın",
        "eşimin",
        "annesi",
        "babası",
        "eşi",
        "oğlu",
        "kızı",
        "müşteri",
        "müşterimiz",
        "temsilci",
        "şirketim",
        "firmam",
        "işyerim",
        "ailem",
        "kayıtlarda",
        "kayıtta",
        "mum",
        "dad",
        "mother",
        "father",
        "husband",
        "wife",
        "partner",
        "son",
        "daughter",
        "brother",
        "sister",
        "customer",
    ]
)


def _ordinary(word: str, lang: lexicon.Lang | None) -> bool:
    """A word that is not a name: an everyday word, a kinship word, or a place."""
    if normalise(word) in KIN or fold(word) in _MONTH_NAMES:
        return True
    if lexicon.is_name(word, lang):
        return False
    return (
        lexicon.is_common_word(word, lang) or places.is_province(word) or places.is_district(word)
    )


_CLOSE = regex.compile(
    r"\G(?:\s+[\p{Lu}][\p{L}\p{M}]*)?(?:\s*[,.!?]|\s+(?:here|speaking|at|from|ben|"
    r"konuşuyor|buyurun))",
    regex.VERSION1,
)


def _named(text: str, end: int) -> bool:
    """After a weak cue, an unknown capitalised word that closes the phrase ("I'm Yashoda,",
    "it's Harshil Karpe here", "ben Ilgaz, buyurun") is a name too."""
    return _CLOSE.match(text, end) is not None


def _sentence_start(text: str, offset: int) -> bool:
    before = text[:offset].rstrip()
    return not before or before[-1] in '.?!:"“'


class PersonRecognizer(Recognizer):
    name = "person"
    entities: ClassVar[tuple[EntityType, ...]] = (EntityType.PERSON,)

    def analyze(self, doc: Document) -> Iterator[Finding]:
        langs = (doc.lang, "en") if doc.lang != "en" else ("en",)
        for lang in langs:
            yield from self._after_cue(doc, STRONG[lang], strong=True, lang=lang)
            yield from self._after_cue(doc, SELF[lang], strong=False, lang=lang, closing=True)
            yield from self._after_cue(doc, WEAK[lang], strong=False, lang=lang)
            yield from self._after_cue(doc, TITLES, strong=True, lang=lang, dot=True)
            yield from self._answers(doc, QUESTIONS[lang], lang)
            yield from self._before(doc, BEFORE[lang], lang)
        yield from self._pairs(doc)
        yield from self._spelled(doc)

    def _names_at(
        self, text: str, position: int, *, strong: bool, lang: str, closing: bool = False
    ) -> tuple[int, int] | None:
        """The span of up to MAX_WORDS capitalised name words starting at ``position``."""
        words: list[tuple[int, int]] = []
        at = position
        code = _lang(lang)
        title = _TITLE.match(text, at)
        if title is not None:
            at = title.end()
        while len(words) < MAX_WORDS:
            match = _NAME_WORD.match(text, at, timeout=TIMEOUT)
            if match is None:
                break
            word = _strip(match.group(1))
            known = lexicon.is_name(word, code)
            if not known and _ordinary(word, code):
                break
            if (
                not words
                and not strong
                and not known
                and not (closing and _named(text, match.end()))
            ):
                return None
            words.append((match.start(1), match.end(1)))
            at = match.end()
        if not words:
            return None
        return words[0][0], words[-1][1]

    def _after_cue(
        self,
        doc: Document,
        cue: str,
        *,
        strong: bool,
        lang: str,
        dot: bool = False,
        closing: bool = False,
    ) -> Iterator[Finding]:
        tail = r"\.?" if dot else ""
        pattern = regex.compile(
            rf"(?<!\p{{L}})(?:{cue}){tail}(?!\p{{L}})[,:]?", regex.VERSION1 | regex.IGNORECASE
        )
        for match in pattern.finditer(doc.folded, timeout=TIMEOUT):
            span = self._names_at(doc.text, match.end(), strong=strong, lang=lang, closing=closing)
            if span is not None:
                score = 0.9 if strong else 0.8
                yield Finding(span[0], span[1], EntityType.PERSON, score, self.name)

    def _answers(self, doc: Document, question: str, lang: str) -> Iterator[Finding]:
        pattern = regex.compile(rf"(?<!\p{{L}})(?:{question})[^?]{{0,60}}\?", regex.VERSION1)
        for match in pattern.finditer(doc.folded, timeout=TIMEOUT):
            skip = _FILLERS.match(doc.text, match.end(), timeout=TIMEOUT)
            start = skip.end() if skip else match.end()
            span = self._names_at(doc.text, start, strong=True, lang=lang)
            if span is not None:
                yield Finding(span[0], span[1], EntityType.PERSON, 0.85, self.name)

    def _before(self, doc: Document, marker: str, lang: str) -> Iterator[Finding]:
        """``Ayşe Hanım``, ``Arslan soyadı``, ``Esra ben, dinliyorum``: the names just before."""
        code = _lang(lang)
        pattern = regex.compile(
            rf"((?:[\p{{Lu}}][\p{{L}}\p{{M}}]*\s+){{0,2}}[\p{{Lu}}][\p{{L}}\p{{M}}]*)"
            rf"\s+(?i:{marker})(?!\p{{L}})",
            regex.VERSION1,
        )
        for match in pattern.finditer(doc.text, timeout=TIMEOUT):
            words = list(regex.finditer(r"\S+", match.group(1)))
            kept: list[regex.Match[str]] = []
            for word in reversed(words):
                text = _strip(word.group())
                nearest = len(kept) < 2  # a first name and a surname, both unseen
                if lexicon.is_name(text, code) or (nearest and not _ordinary(text, code)):
                    if text.isupper() and len(text) > 1:
                        break  # an acronym ("SMS", "IBAN")
                    kept.append(word)
                    continue
                break
            if kept:
                base = match.start(1)
                start, end = base + kept[-1].start(), base + kept[0].end()
                yield Finding(start, end, EntityType.PERSON, 0.85, self.name)

    def _pairs(self, doc: Document) -> Iterator[Finding]:
        code = _lang(doc.lang)
        words = list(_WORD.finditer(doc.text, timeout=TIMEOUT))
        for index, match in enumerate(words):
            raw = match.group()
            word = _strip(raw)
            if word.isupper() or len(word) < 2:
                continue
            suffixed = raw != word
            if suffixed and lexicon.is_name(word, code) and not places.is_province(word):
                # Turkish puts an apostrophe before a suffix only on proper nouns.
                yield Finding(
                    match.start(), match.start() + len(word), EntityType.PERSON, 0.75, self.name
                )
                continue
            if not lexicon.is_given_name(word, code):
                continue
            following = words[index + 1] if index + 1 < len(words) else None
            gap = doc.text[match.end() : following.start()] if following else ""
            occasion = following is not None and bool(_OCCASION.match(following.group()))
            holiday = bool(_HOLIDAY.search(doc.text, max(0, match.start() - 16), match.start()))
            if occasion or holiday or places.is_en_city(word):
                continue
            if following and gap.strip() == "":
                nxt = _strip(following.group())
                if lexicon.is_surname(nxt, code) or not (_ordinary(nxt, code) or nxt.isupper()):
                    yield Finding(
                        match.start(), following.end(), EntityType.PERSON, 0.85, self.name
                    )
                    continue
            if (
                not lexicon.is_ambiguous(word, code)
                and not places.is_ambiguous_place(word)
                and not places.is_district(word)
                and not _sentence_start(doc.text, match.start())
            ):
                yield Finding(match.start(), match.end(), EntityType.PERSON, 0.7, self.name)

    def _spelled(self, doc: Document) -> Iterator[Finding]:
        for match in _SPELLED.finditer(doc.text, timeout=TIMEOUT):
            before = doc.text[max(0, match.start() - 40) : match.start()]
            if _SPELL_CUE.search(before):
                yield Finding(match.start(), match.end(), EntityType.PERSON, 0.8, self.name)
