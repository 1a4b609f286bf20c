"""Turkish addresses: neighbourhood, avenue, street and boulevard forms with their names, door
and flat numbers, districts and provinces (``Cumhuriyet Mahallesi No 98 Daire 15 Karşıyaka
İzmir``, ``Atatürk Cad. No: 12/4 Çankaya/Ankara``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import regex

from vault.redaction import lexicon, places
from vault.redaction.base import Recognizer
from vault.redaction.document import TIMEOUT, Document
from vault.redaction.text import fold
from vault.redaction.types import EntityType, Finding

_CAP = r"[\p{Lu}0-9][\p{L}\p{M}0-9.]*"
_KEYWORD = (
    r"mahalle(?:si)?|mah\.|cadde(?:si)?|cad\.|sokak|sokağı|sok\.|sk\.|bulvar(?:ı)?|blv\.|"
    r"meydanı|yolu|site(?:si)?|apartman(?:ı)?|apt\.|köyü|mevkii|küme\s+evler"
)
_NUMBER_WORDS = (
    r"sıfır|bir|iki|üç|dört|beş|altı|yedi|sekiz|dokuz|on|yirmi|otuz|kırk|elli|altmış|"
    r"yetmiş|seksen|doksan|yüz|bin"
)
_TAIL_WORD = (
    r"no|numara|kat|daire|d|blok|apt|apartman(?:ı)?|site(?:si)?|posta\s+kodu|"
    + _NUMBER_WORDS
    + "|"
    + _KEYWORD
)
_ADDRESS = regex.compile(
    rf"(?:(?<![\p{{L}}]){_CAP}\s+){{1,4}}(?i:{_KEYWORD})(?!\p{{L}})"
    rf"(?:[\s,:/.-]+(?:(?i:{_TAIL_WORD})(?!\p{{L}})\.?|\d+[\p{{L}}]?|[\p{{Lu}}][\p{{L}}\p{{M}}]*))*",
    regex.VERSION1,
)
_CAPITAL_START = regex.compile(r"[\p{Lu}0-9]", regex.VERSION1)
_ABBREVIATIONS = {"mah", "cad", "sok", "sk", "blv", "apt", "no", "d", "k", "bl", "nr"}
_SENTENCE_BREAK = regex.compile(r"([\p{L}0-9]*)\.\s+", regex.VERSION1)


_NEXT_PART = regex.compile(rf"(?i:{_KEYWORD}|{_TAIL_WORD})(?!\p{{L}})", regex.VERSION1)


def _cut_at_sentence_end(text: str) -> str:
    """The address ends where its sentence does (``… İzmir. Kargo…``), not at ``Mah. `` nor
    at a numbered street (``1374. Sokak``)."""
    for match in _SENTENCE_BREAK.finditer(text):
        word = match.group(1)
        if word.casefold() in _ABBREVIATIONS:
            continue
        if _NEXT_PART.match(text, match.end()):
            continue
        return text[: match.start() + len(word)]
    return text


def _opening_words(text: str) -> int:
    """How many leading characters are ordinary words ("Adresim", "Teslimat") to skip."""
    skipped = 0
    for match in regex.finditer(r"\S+\s+", text):
        word = match.group().strip()
        if fold(word).startswith(("adres", "teslimat", "gönderim", "kargo")):
            skipped = match.end()
            continue
        break
    return skipped


_KEYWORD_AT = regex.compile(rf"(?i:{_KEYWORD})(?!\p{{L}})", regex.VERSION1)


def _sentence_opener(full: str, start: int, text: str) -> int:
    """A sentence's capitalised first word is not part of the address after it ("Modemi
    Yıldız Sitesi…") unless it is a name or a place; and a lower-case keyword ("yolu",
    "sitesi") after nothing but that word is no address at all. Returns characters to skip,
    or the whole length to drop the match."""
    before = full[:start].rstrip()
    if before and before[-1] not in ".?!:":
        return 0
    keyword = _KEYWORD_AT.search(text)
    if keyword is None:
        return 0
    words = text[: keyword.start()].split()
    first = words[0] if words else ""
    if (
        not first
        or lexicon.is_name(first)
        or places.is_province(first)
        or places.is_district(first)
    ):
        return 0
    if len(words) >= 2:
        return text.index(words[1])
    return len(text) if keyword.group()[0].islower() else 0


class TurkishAddressRecognizer(Recognizer):
    name = "address_tr"
    entities: ClassVar[tuple[EntityType, ...]] = (EntityType.ADDRESS,)
    languages: ClassVar[frozenset[str]] = frozenset({"tr"})

    def analyze(self, doc: Document) -> Iterator[Finding]:
        for match in _ADDRESS.finditer(doc.text, timeout=TIMEOUT):
            start, end = match.span()
            # IGNORECASE lets the keywords match in any case; the name before them must still
            # start with a capital (or a digit), so ordinary words do not open an address.
            while start < end and not _CAPITAL_START.match(doc.text, start):
                nxt = doc.text.find(" ", start, end)
                if nxt < 0:
                    break
                start = nxt + 1
            text = _cut_at_sentence_end(doc.text[start:end])
            skip = _opening_words(text) or _sentence_opener(doc.text, start, text)
            start, text = start + skip, text[skip:].rstrip(" ,.-/:")
            if len(text) >= 8 and regex.search(_KEYWORD, fold(text)):
                yield Finding(start, start + len(text), EntityType.ADDRESS, 0.9, self.name)
