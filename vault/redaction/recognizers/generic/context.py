"""Context across turns: when someone asks for (or announces) a card number, an expiry date, a
CVV, a kimlik number, an IBAN, a code, a date of birth…, the value said next is that entity,
even where no checksum can confirm it (the recogniser misheard a digit).

A *cue* is a phrase in either language; the *value* is the first stretch of numbers (digits or
number words, read in chunks), month names and id-like tokens that starts soon after the cue,
before any other cue. Where the call has speaker turns, a value must come from the other side
or the same speaker's own announcement ("my account number is …"); both are accepted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import regex

from vault.redaction.base import Recognizer
from vault.redaction.document import TIMEOUT, Document
from vault.redaction.types import EntityType, Finding

E = EntityType


@dataclass(frozen=True)
class Cue:
    entity: EntityType
    pattern: regex.Pattern[str]
    window: int = 140


def _cue(entity: EntityType, *phrases: str, window: int = 140) -> Cue:
    body = "|".join(phrases)
    return Cue(entity, regex.compile(rf"(?<!\p{{L}})(?:{body})", regex.VERSION1), window)


# Patterns run over the folded text (lower case, Turkish rules, diacritics kept).
CUES: dict[str, tuple[Cue, ...]] = {
    "tr": (
        _cue(
            E.CARD_NUMBER,
            r"kart(?:ın(?:ız)?ın)?\s*(?:numara|no\b)",
            r"kredi kartı",
            r"kart üzerindeki",
        ),
        _cue(E.CARD_EXPIRY, r"son\s+kullan(?:ma|ım)", r"skt\b", r"geçerlilik\s+tarih"),
        _cue(E.CARD_CVV, r"güvenlik\s+kod", r"cvv", r"cvc", r"arkasındaki\s+(?:üç|3)"),
        _cue(E.NATIONAL_ID, r"kimlik\s+(?:numara|no\b)", r"t\.?\s?c\.?\s+(?:kimlik|no)", r"tckn"),
        _cue(E.TAX_ID, r"vergi\s+(?:kimlik\s+)?(?:numara|no\b)", r"vkn\b"),
        _cue(E.IBAN, r"iban"),
        _cue(E.BANK_ACCOUNT, r"hesap\s+(?:numara|no\b)", r"şube\s+kodu"),
        _cue(
            E.CUSTOMER_ID,
            r"müşteri\s+(?:numara|no\b)",
            r"abone(?:lik)?\s+(?:numara|no\b)",
            r"üyelik\s+numara",
            r"sözleşme\s+numara",
            r"sipariş\s+numara",
        ),
        _cue(
            E.VERIFICATION_CODE,
            r"doğrulama\s+kod",
            r"onay\s+kod",
            r"sms\s+kod",
            r"tek\s+kullanımlık",
            r"gelen\s+kod",
            r"şifre(?!niz\s+değiş)",
        ),
        _cue(E.DATE_OF_BIRTH, r"doğum\s+tarih", r"doğum\s+gün", r"doğduğu(?:nuz)?\s+tarih"),
        _cue(
            E.PHONE_NUMBER,
            r"telefon(?:unuz|um)?\s*(?:numara|no\b)",
            r"cep\s*(?:telefon|numara)",
            r"hat\s+sahibinin\s+numara",
            r"irtibat\s+numara",
            r"numaram(?:dan|a)?\b",
            r"numaras[ıi]\b",
            r"(?:beni\s+)?(?:arayabilir|ulaşabilir)",
        ),
    ),
    "en": (
        _cue(E.CARD_NUMBER, r"card\s+number", r"number\s+on\s+(?:the|your)\s+card", r"card\s+no\b"),
        _cue(
            E.CARD_EXPIRY, r"expiry", r"expiration", r"expires", r"valid\s+(?:thru|through|until)"
        ),
        _cue(
            E.CARD_CVV,
            r"security\s+code",
            r"cvv",
            r"cvc",
            r"(?:three|3)\s+digits\s+on\s+the\s+back",
        ),
        _cue(
            E.NATIONAL_ID,
            r"social\s+security",
            r"ssn\b",
            r"national\s+insurance",
            r"passport\s+number",
            r"(?:national\s+)?id\s+number",
            r"driving\s+licen[cs]e\s+number",
        ),
        _cue(E.TAX_ID, r"tax\s+(?:id|number|reference)", r"vat\s+number", r"utr\b"),
        _cue(E.IBAN, r"iban"),
        _cue(E.BANK_ACCOUNT, r"sort\s+code", r"bank\s+account(?:\s+number)?", r"routing\s+number"),
        _cue(
            E.CUSTOMER_ID,
            r"account\s+number",
            r"customer\s+(?:number|id|reference)",
            r"membership\s+number",
            r"reference\s+number",
            r"order\s+number",
        ),
        _cue(
            E.VERIFICATION_CODE,
            r"verification\s+code",
            r"one[\s-]time\s+(?:code|password|passcode)",
            r"(?:the\s+)?code\s+(?:we|i)\s+(?:just\s+)?(?:texted|sent)",
            r"otp\b",
            r"passcode",
            r"pin\b",
            r"read\s+me\s+the\s+code",
        ),
        _cue(
            E.DATE_OF_BIRTH,
            r"date\s+of\s+birth",
            r"birth\s*date",
            r"born\s+on",
            r"dob\b",
            r"birthday",
        ),
        _cue(
            E.PHONE_NUMBER,
            r"(?:phone|mobile|cell|contact|landline)\s+number",
            r"call\s+me\s+(?:back\s+)?on",
            r"reach\s+me\s+on",
            r"my\s+number\s+is",
            r"text\s+me\s+on",
        ),
    ),
}

_MONTHS = (
    r"ocak|şubat|mart|nisan|mayıs|haziran|temmuz|ağustos|eylül|ekim|kasım|aralık|"
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_EXTRA_VALUES = regex.compile(
    rf"(?<!\p{{L}})(?:{_MONTHS})(?!\p{{L}})"
    r"|(?<![\p{L}0-9])(?=[\p{L}0-9-]*\d)[\p{L}]{1,4}-?[0-9][\p{L}0-9-]*(?![\p{L}0-9])"
    r"|(?<![\p{L}0-9])\d+(?:st|nd|rd|th|inci|ıncı|uncu|üncü)(?!\p{L})"
    r"|(?<!\p{L})(?:first|second|third|fifth|eighth|ninth|twelfth)(?!\p{L})",
    regex.VERSION1,
)
# Between two parts of one value: separators, and "of", "the", "and" in spoken dates; never
# the end of a sentence (a period followed by a space).
_SEP = r"(?:[\s,/\-]|\.(?!\s))"
_GAP = regex.compile(rf"^{_SEP}*(?:(?:of|the|and|ve){_SEP}+)*$", regex.VERSION1)
MAX_GAP = 10


def values(doc: Document) -> list[tuple[int, int]]:
    """Stretches of the text that can be a spoken value: numbers, dates, id-like tokens."""
    pieces = [(run.start, run.end) for run in doc.runs]
    pieces += [m.span() for m in _EXTRA_VALUES.finditer(doc.folded, timeout=TIMEOUT)]
    pieces.sort()
    merged: list[tuple[int, int]] = []
    for start, end in pieces:
        if merged:
            last_start, last_end = merged[-1]
            gap = doc.folded[last_end:start]
            if start <= last_end or (len(gap) <= MAX_GAP and _GAP.match(gap)):
                merged[-1] = (last_start, max(last_end, end))
                continue
        merged.append((start, end))
    return merged


_LEAD = regex.compile(
    r"(?:(?<![\p{L}0-9])[A-Z]{2}|(?<!\p{L})(?i:the|on\s+the))\s*[,:-]?\s*$", regex.VERSION1
)


def _widen(doc: Document, start: int) -> int:
    """Take in what belongs to a value but is not a number: an IBAN's country letters
    (``TR otuz üç …``), the article of a spoken date (``the nineteenth of May``)."""
    match = _LEAD.search(doc.text, max(0, start - 12), start)
    return match.start() if match else start


class ContextRecognizer(Recognizer):
    name = "context"
    entities: ClassVar[tuple[EntityType, ...]] = tuple(
        sorted({cue.entity for cues in CUES.values() for cue in cues})
    )

    def analyze(self, doc: Document) -> Iterator[Finding]:
        cues = CUES.get(doc.lang, ()) + (CUES["en"] if doc.lang == "tr" else ())
        found = sorted(
            (
                (match.start(), match.end(), cue)
                for cue in cues
                for match in cue.pattern.finditer(doc.folded, timeout=TIMEOUT)
            ),
            key=lambda hit: (hit[0], -hit[1]),
        )
        # Overlapping cues ("abone numaram" and the bare "numaram"): the one starting first,
        # and then the longer, names the value.
        hits: list[tuple[int, int, Cue]] = []
        for hit in found:
            if not hits or hit[0] >= hits[-1][1]:
                hits.append(hit)
        if not hits:
            return
        spans = values(doc)
        starts = [start for start, _end, _cue in hits]
        for index, (_start, cue_end, cue) in enumerate(hits):
            next_cue = starts[index + 1] if index + 1 < len(hits) else len(doc.text)
            for start, end in spans:
                if start < cue_end:
                    continue
                if start >= next_cue or start - cue_end > cue.window:
                    break
                yield Finding(_widen(doc, start), end, cue.entity, 0.95, self.name)
                break
