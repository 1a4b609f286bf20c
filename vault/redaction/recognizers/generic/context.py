"""Context across turns: when someone asks for (or announces) a card number, an expiry date, a
CVV, a kimlik number, an IBAN, a code, a date of birth…, the value said next is that entity,
even where no checksum can confirm it (the recogniser misheard a digit).

A *cue* is a phrase in either language; the *value* is the first stretch of numbers (digits or
number words, read in chunks, even across the sentence breaks a recogniser puts into slow
dictation), month names and id-like tokens that starts soon after the cue, before any other
cue, and that has the shape of what was asked for (a CVV has three or four digits, a card
number twelve or more). A number next to a currency or a unit ("420 lira", "50 GB") is never
taken. After a card number, the next short values are its expiry and security code.
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
    window: int = 160
    shape: tuple[int, int] | None = None  # digits, when not the entity's usual
    generic: bool = False  # "numaram", "my number": yields to a specific cue just before it


def _cue(
    entity: EntityType,
    *phrases: str,
    window: int = 160,
    shape: tuple[int, int] | None = None,
    generic: bool = False,
) -> Cue:
    body = "|".join(phrases)
    pattern = regex.compile(rf"(?<!\p{{L}})(?:{body})", regex.VERSION1)
    return Cue(entity, pattern, window, shape, generic)


_W = r"(?:\s+\S+){0,4}?\s+"  # up to four words in between
_DIGITS_TR = r"(?:\d+|on\s+(?:altı|beş|dokuz|sekiz|yedi)|üç|dört|on\s+bir)"
_DIGITS_EN = r"(?:\d+|sixteen|fifteen|nineteen|eighteen|three|four|eleven)"

# Patterns run over the folded text (lower case; Turkish and English rules both tried).
CUES: dict[str, tuple[Cue, ...]] = {
    "tr": (
        _cue(
            E.CARD_NUMBER,
            rf"kart\p{{L}}*{_W}?(?:numara|no\b|hane)",
            rf"{_DIGITS_TR}\s+haneli\s+(?:kart\s+)?numara",
            r"kredi\s+kart",
            r"banka\s+kart",
            r"kart\s+bilgi",
        ),
        _cue(
            E.CARD_EXPIRY,
            r"son\s+kullan(?:ma|ım)",
            r"skt\b",
            r"geçerlilik\s+tarih",
            r"ay\s+ve\s+yıl",
            r"ay\s*/\s*yıl",
            r"bitiş\s+tarih",
        ),
        _cue(
            E.CARD_CVV,
            r"güvenlik\s+kod",
            r"cvv",
            r"cvc",
            rf"arka(?:sında|daki|sındaki|\s+yüzündeki|\s+tarafındaki)\p{{L}}*{_W}?"
            r"(?:üç|dört|3|4)\s+(?:haneli|rakam)",
            r"(?:son\s+)?(?:üç|3)\s+(?:haneli|rakam)",
            r"imza\s+band",
        ),
        _cue(
            E.NATIONAL_ID,
            r"kimlik\s+(?:numara|no\b)",
            r"t\.?\s?c\.?\s*(?:kimlik|no\b|numara)",
            r"tc['’]?\s*(?:m|ni|niz|nizi|nin|numara|kimlik|no)\b",
            r"tckn",
            r"kimlik\p{L}*\s+(?:\S+\s+){0,3}?(?:numara|hane)",
            r"pasaport\s+numara",
        ),
        _cue(E.TAX_ID, r"vergi\s+(?:kimlik\s+)?(?:numara|no\b)", r"vkn\b"),
        _cue(E.IBAN, r"iban"),
        _cue(E.BANK_ACCOUNT, r"hesap\s+(?:numara|no\b)"),
        _cue(E.BANK_ACCOUNT, r"şube\s+(?:kodu|numara)", shape=(3, 8)),
        _cue(
            E.CUSTOMER_ID,
            r"müşteri\s+(?:numara|no\b)",
            r"abone(?:lik)?\s+(?:numara|no\b)",
            r"üyelik\s+numara",
            r"sözleşme\s+numara",
            r"sipariş\s+numara",
            r"referans\s+numara",
            r"başvuru\s+numara",
        ),
        _cue(
            E.VERIFICATION_CODE,
            r"doğrulama\s+kod",
            r"onay\s+kod",
            r"sms\s+kod",
            r"tek\s+kullanımlık",
            r"gelen\s+kod",
            r"kod(?:u|unu|a|lar|ları)?\s+(?:okur|söyler|iletir|alabilir|girer)",
            r"(?:sms|mesaj)\p{L}*\s+(?:\S+\s+){0,4}?kod",
            r"şifre(?!(?:mi|nizi|niz)?\s+(?:unuttum|değiş|sıfırla|yenile))",
        ),
        _cue(E.VERIFICATION_CODE, r"kod(?:u|unu|unuz)?\b", generic=True, shape=(4, 8)),
        _cue(
            E.DATE_OF_BIRTH,
            r"doğum\s+tarih",
            r"doğum\s+gün",
            r"doğduğu(?:nuz)?\s+tarih",
            r"doğ(?:dum|dunuz|du|muşum)",
            r"doğumlu",
            r"ne\s+zaman\s+doğ",
        ),
        _cue(
            E.PHONE_NUMBER,
            r"telefon(?:unuz|um|u)?\s*(?:numara|no\b)",
            r"cep\s*(?:telefon|numara|no\b)",
            r"hat\s+sahibinin\s+numara",
            r"irtibat\s+numara",
            r"(?:beni\s+)?(?:arayabilir|ulaşabilir)",
            r"(?:şu\s+)?numaradan",
        ),
        _cue(E.PHONE_NUMBER, r"numaram(?:dan|a)?\b", r"numaras[ıi]\b", generic=True),
    ),
    "en": (
        _cue(
            E.CARD_NUMBER,
            r"card\s+number",
            r"number\s+on\s+(?:the|your)\s+(?:front\s+of\s+the\s+)?card",
            r"card\s+no\b",
            r"long\s+number",
            rf"{_DIGITS_EN}[\s-]+digits?\s+(?:on|across)\s+the\s+(?:front|card)",
            rf"{_DIGITS_EN}[\s-]+digit\s+(?:card\s+)?number",
            r"card\s+details",
        ),
        _cue(
            E.CARD_EXPIRY,
            r"expiry",
            r"expiration",
            r"expires?",
            r"valid\s+(?:thru|through|until|to)",
            r"end\s+date",
            r"run\s+out",
            r"month\s+and\s+year",
        ),
        _cue(
            E.CARD_CVV,
            r"security\s+(?:code|number|digits)",
            r"cvv",
            r"cvc",
            r"(?:three|four|3|4)[\s-]+digits?\s+(?:code|number|on\s+the\s+back)",
            r"on\s+the\s+back",
            r"signature\s+strip",
            r"last\s+(?:three|3)\s+digits",
        ),
        _cue(
            E.NATIONAL_ID,
            r"social\s+security",
            r"ssn\b",
            r"national\s+insurance",
            r"ni\s+number",
            r"passport\s+number",
            r"(?:national\s+)?id\s+number",
            r"driving\s+licen[cs]e\s+number",
        ),
        _cue(E.TAX_ID, r"tax\s+(?:id|number|reference)", r"vat\s+number", r"utr\b"),
        _cue(E.IBAN, r"iban"),
        _cue(E.BANK_ACCOUNT, r"bank\s+account(?:\s+number)?", r"routing\s+number"),
        _cue(E.BANK_ACCOUNT, r"sort\s+code", r"branch\s+(?:code|number)", shape=(4, 8)),
        _cue(
            E.CUSTOMER_ID,
            r"account\s+number",
            r"customer\s+(?:number|id|reference)",
            r"membership\s+number",
            r"reference\s+number",
            r"order\s+number",
            r"policy\s+number",
        ),
        _cue(
            E.VERIFICATION_CODE,
            r"verification\s+code",
            r"one[\s-]time\s+(?:code|password|passcode)",
            r"(?:the\s+)?code\s+(?:we|i)\s+(?:just\s+)?(?:texted|sent|messaged)",
            r"code\s+(?:in|from)\s+the\s+(?:text|sms|message|email)",
            r"(?:text|sms|message)\p{L}*\s+(?:\S+\s+){0,5}?code",
            r"otp\b",
            r"passcode",
            r"pin\b(?!\s+(?:reset|change))",
            r"read\s+me\s+the\s+code",
            r"the\s+code\s+(?:is|says|please)",
        ),
        _cue(E.VERIFICATION_CODE, r"code\b", generic=True, shape=(4, 8)),
        _cue(
            E.DATE_OF_BIRTH,
            r"date\s+of\s+birth",
            r"birth\s*date",
            r"born\s+(?:on|in)?",
            r"dob\b",
            r"birthday",
        ),
        _cue(
            E.PHONE_NUMBER,
            r"(?:phone|mobile|cell|contact|landline|home)\s+number",
            r"call\s+me\s+(?:back\s+)?on",
            r"reach\s+(?:me|you)\s+on",
            r"my\s+(?:mobile|phone)(?:'s|\s+is)?",
            r"best\s+number",
            r"text\s+me\s+on",
            r"number\s+on\s+the\s+account",
        ),
        _cue(E.PHONE_NUMBER, r"my\s+number(?:'s|\s+is)?", generic=True),
    ),
}

# What each entity's value looks like: (fewest digits, most digits, may be mostly words).
SHAPES: dict[EntityType, tuple[int, int]] = {
    E.CARD_NUMBER: (12, 19),
    E.CARD_EXPIRY: (2, 6),
    E.CARD_CVV: (3, 4),
    E.NATIONAL_ID: (6, 14),
    E.TAX_ID: (8, 12),
    E.IBAN: (10, 34),
    E.BANK_ACCOUNT: (6, 26),
    E.CUSTOMER_ID: (3, 20),
    E.VERIFICATION_CODE: (3, 10),
    E.DATE_OF_BIRTH: (1, 8),
    E.PHONE_NUMBER: (7, 15),
}

_MONTHS = (
    r"ocak|şubat|mart|nisan|mayıs|haziran|temmuz|ağustos|eylül|ekim|kasım|aralık|"
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_ORDINALS = (
    r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    r"thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|"
    r"twenty[\s-](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|thirtieth|"
    r"thirty[\s-]first|"
    r"birinci|ikinci|üçüncü|dördüncü|beşinci|altıncı|yedinci|sekizinci|dokuzuncu|onuncu|"
    r"on\s+birinci|on\s+ikinci"
)
_EXTRA_VALUES = regex.compile(
    rf"(?<!\p{{L}})(?:{_MONTHS})(?!\p{{L}})"
    rf"|(?<!\p{{L}})(?:{_ORDINALS})(?:\s+ay)?(?!\p{{L}})"
    r"|(?<![\p{L}0-9])(?=[\p{L}0-9-]*\d)[\p{L}]{1,4}-?[0-9][\p{L}0-9-]*(?![\p{L}0-9])"
    r"|(?<![\p{L}0-9])\d+(?:st|nd|rd|th|inci|ıncı|uncu|üncü)(?!\p{L})"
    r"|(?<![\p{L}0-9])['’]\d{2}(?![\p{L}0-9])",
    regex.VERSION1,
)
_MONTH = regex.compile(rf"(?<!\p{{L}})(?:{_MONTHS})(?!\p{{L}})", regex.VERSION1)
_ORDINAL = regex.compile(
    rf"(?<!\p{{L}})(?:{_ORDINALS})(?!\p{{L}})|\d+(?:st|nd|rd|th)(?!\p{{L}})", regex.VERSION1
)
# Between two parts of one value: separators, "slash", and "of", "the", "and", "then" in
# spoken dates and dictation; never the end of a sentence (a period followed by a space).
_SEP = r"(?:[\s,/\-]|\.(?!\s))"
_FILLER = (
    r"of|the|and|ve|then|and\s+then|next|sonra|devamı|ardından|slash|bölü|dash|tire|"
    r"çizgi|hyphen|space|boşluk"
)
_GAP = regex.compile(rf"^{_SEP}*(?:(?:{_FILLER}){_SEP}+)*$", regex.VERSION1)
# A bank code inside a spoken IBAN ("GB twenty, BARC, eighty-seven…").
_CODE_GAP = regex.compile(r"^[\s,]*[A-Z]{4}[\s,]*$", regex.VERSION1)
_SENTENCE_GAP = regex.compile(r"^[.?!…]\s+$", regex.VERSION1)
_UNIT_AFTER = regex.compile(
    r"^\s*(?:lira|tl\b|try\b|kuruş|₺|£|\$|€|pound|quid|p\b|pence|dolar|dollar|euro|avro|"
    r"gb|mb|tb|kb|gbps|mbps|gig|meg|dakika|dk\b|saniye|saat|gün|hafta|ay\b|yıl|"
    r"minute|second|hour|day|week|month|year|time|kez|defa|kere|percent|yüzde|%|kg|km|"
    r"metre|meter|lt\b|litre|adet|tane)",
    regex.VERSION1,
)
_UNIT_BEFORE = regex.compile(r"(?:[₺£$€]|yüzde|%)\s*$", regex.VERSION1)
MAX_GAP = 16


@dataclass(frozen=True)
class Value:
    start: int
    end: int
    digits: int
    month: bool
    ordinal: bool = False


def _pieces(doc: Document) -> tuple[list[tuple[int, int]], set[tuple[int, int]]]:
    """Number-like pieces, and the weak ones among them: a lone "bir"/"one" is an article far
    more often than a number, so it counts only next to other numbers (dictation, "bir
    ağustos")."""
    pieces = []
    weak = set()
    for run in doc.runs:
        span = (run.start, run.end)
        pieces.append(span)
        if doc.folded[run.start : run.end].strip() in ("bir", "one", "o", "oh"):
            weak.add(span)
    pieces += [m.span() for m in _EXTRA_VALUES.finditer(doc.folded, timeout=TIMEOUT)]
    pieces.sort()
    return pieces, weak


def _number_only_sentence(doc: Document, end: int) -> bool:
    """Whether ``[start, end)`` ends its sentence or clause (slow dictation: "618. 951. 486.")."""
    rest = doc.text[end : end + 3]
    return bool(regex.match(r"^\s*(?:[.?!…,;]|$)", rest)) or end >= len(doc.text)


def values(doc: Document) -> list[Value]:
    """Stretches of the text that can be a spoken value: numbers, dates, id-like tokens."""
    merged: list[tuple[int, int]] = []
    pieces, weak = _pieces(doc)
    for start, end in pieces:
        if merged:
            last_start, last_end = merged[-1]
            gap = doc.folded[last_end:start]
            joins = (
                start <= last_end
                or (len(gap) <= MAX_GAP and _GAP.match(gap))
                or _CODE_GAP.match(doc.text[last_end:start])
            )
            dictation = (
                _SENTENCE_GAP.match(gap)
                and _number_only_sentence(doc, last_end)
                and _number_only_sentence(doc, end)
            )
            if joins or dictation:
                merged[-1] = (last_start, max(last_end, end))
                continue
        merged.append((start, end))
    out = []
    runs = sorted(doc.runs, key=lambda run: run.start)
    first = 0  # runs and merged values both go left to right: one pass over the runs
    for start, end in merged:
        while first < len(runs) and runs[first].start < start:
            first += 1
        if (start, end) in weak:
            continue
        text = doc.folded[start:end]
        digits = 0
        for run in runs[first:]:
            if run.start >= end:
                break
            if run.end <= end:
                digits += len(run.digits)
        ordinal = bool(_ORDINAL.search(text))
        out.append(Value(start, end, digits, bool(_MONTH.search(text)), ordinal))
    return out


def _measured(doc: Document, value: Value) -> bool:
    """A number with a currency or unit ("420 lira", "£42.50", "50 GB") is not personal."""
    after = doc.folded[value.end : value.end + 12]
    before = doc.folded[max(0, value.start - 8) : value.start]
    return bool(_UNIT_AFTER.match(after) or _UNIT_BEFORE.search(before))


def fits(entity: EntityType, value: Value, shape: tuple[int, int] | None = None) -> bool:
    low, high = shape or SHAPES.get(entity, (1, 40))
    if entity in (E.CARD_EXPIRY, E.DATE_OF_BIRTH) and value.month:
        return True
    if value.ordinal and entity not in (E.CARD_EXPIRY, E.DATE_OF_BIRTH):
        return False  # "the 14th" is a day, not a code
    if entity is E.CUSTOMER_ID and value.digits == 0:
        return value.end - value.start >= 4
    # Spoken readings may split or merge digits; allow a little slack on both sides.
    return low - 1 <= value.digits <= high + 4


_LEAD = regex.compile(
    r"(?:(?<![\p{L}0-9])(?:[A-Z]{2}|(?i:te\s+re|ti\s+ar|[a-z]\s+[a-z]))"
    r"|(?<!\p{L})(?i:the|on\s+the|artı|plus)|\+)\s*[,:-]?\s*$",
    regex.VERSION1,
)


def _widen(doc: Document, start: int) -> int:
    """Take in what belongs to a value but is not a number: an IBAN's country letters
    (``TR otuz üç …``, ``te re …``), the article of a spoken date (``the nineteenth of May``)."""
    match = _LEAD.search(doc.text, max(0, start - 12), start)
    return match.start() if match else start


def cue_hits(doc: Document) -> list[tuple[int, int, Cue]]:
    cues = CUES.get(doc.lang, ()) + (CUES["en"] if doc.lang == "tr" else ())
    texts = (doc.folded, doc.folded_en) if doc.folded != doc.folded_en else (doc.folded,)
    found = {
        (match.start(), match.end(), cue)
        for text in texts
        for cue in cues
        for match in cue.pattern.finditer(text, timeout=TIMEOUT)
    }
    ordered = sorted(found, key=lambda hit: (hit[0], -hit[1]))
    # Overlapping cues ("abone numaram" and the bare "numaram"): the one starting first,
    # and then the longer, names the value.
    hits: list[tuple[int, int, Cue]] = []
    for hit in ordered:
        if hits and hit[0] < hits[-1][1]:
            continue
        # "IBAN numaram", "hesap numaram": the bare "numaram" belongs to the cue before it.
        if hit[2].generic and hits and hit[0] - hits[-1][1] <= 24:
            continue
        hits.append(hit)
    return hits


MAX_PARTS = 4
PART_GAP = 12
CARD_FOLLOWERS = 2
CARD_FOLLOW_WINDOW = 260


class ContextRecognizer(Recognizer):
    name = "context"
    entities: ClassVar[tuple[EntityType, ...]] = tuple(
        sorted({cue.entity for cues in CUES.values() for cue in cues})
    )

    def analyze(self, doc: Document) -> Iterator[Finding]:
        hits = cue_hits(doc)
        if not hits:
            return
        # A value is never part of a cue ("the three digits on the back").
        spans = [
            v
            for v in values(doc)
            if not _measured(doc, v) and not any(s < v.end and v.start < e for s, e, _c in hits)
        ]
        starts = [start for start, _end, _cue in hits]
        taken: set[int] = set()
        for index, (_start, cue_end, cue) in enumerate(hits):
            next_cue = starts[index + 1] if index + 1 < len(hits) else len(doc.text)
            window = [
                v
                for v in spans
                if cue_end <= v.start < next_cue and v.start - cue_end <= cue.window
            ]
            chosen = self._choose(window, cue)
            for value in chosen:
                taken.add(value.start)
                yield Finding(_widen(doc, value.start), value.end, cue.entity, 0.95, self.name)
            if chosen and cue.entity is E.CARD_NUMBER:
                yield from self._card_followers(doc, spans, chosen[-1], taken)

    @staticmethod
    def _choose(window: list[Value], cue: Cue) -> list[Value]:
        """The value the cue asks for: the first that has its shape, or, for a long number
        read in pieces the recogniser broke up ("sekiz, iki, sekiz. İyig, sekiz…"), the first
        few values close together whose digits add up to it."""
        low = (cue.shape or SHAPES.get(cue.entity, (1, 40)))[0]
        for index, value in enumerate(window):
            group = [value]
            total = value.digits
            for nxt in window[index + 1 : index + MAX_PARTS]:
                if total >= low or nxt.start - group[-1].end > PART_GAP:
                    break
                group.append(nxt)
                total += nxt.digits
            if len(group) > 1 and total >= low and fits(cue.entity, value, (1, 40)):
                return group
            if fits(cue.entity, value, cue.shape):
                return [value]
        return []

    def _card_followers(
        self, doc: Document, spans: list[Value], card: Value, taken: set[int]
    ) -> Iterator[Finding]:
        """The short values said right after a card number: its expiry, then its CVV."""
        followers = [
            v
            for v in spans
            if card.end < v.start <= card.end + CARD_FOLLOW_WINDOW and v.start not in taken
        ][:CARD_FOLLOWERS]
        expiry_seen = False
        for value in followers:
            if not expiry_seen and (value.month or 3 <= value.digits <= 6):
                expiry_seen = True
                yield Finding(value.start, value.end, E.CARD_EXPIRY, 0.8, self.name)
            elif 3 <= value.digits <= 4:
                yield Finding(value.start, value.end, E.CARD_CVV, 0.8, self.name)
