"""A challenge set for the redaction engine: labelled synthetic support calls, seeded.

The dev file (``redaction-dev.jsonl``) is written from a few dozen sentence templates, a short
list of names and a handful of number styles; an engine tuned on it can score 1.0 there and
still leak on calls worded differently. This generator writes calls in the same JSON-lines
format with other greetings, other cue phrasings, other number styles (grouped in twos and
threes, "double"/"triple", "oh", mixed digits and words, dots and slashes, Turkish case
endings), names that are not in the dev file (faker's tr_TR, en_GB, en_IE, en_IN and en_NG
lists, and hand-written lists of common Turkish, Kurdish and Polish names), addresses of other
shapes, e-mails written and spoken, and negatives that must stay readable: prices, data
amounts, dates and times that are not birthdays, counts, product names, and numbers said
right after a cue word that are not what the cue asks for.

Labelling follows the dev file:

- A span covers exactly the entity: every word and separator of a spoken number, the country
  letters of an IBAN (also spoken, "te re"), the "the" and "of" of a spoken date.
- A Turkish case ending after an apostrophe ("Yılmaz'ın", "0532 418 27 90'a", "2028'de") is
  not part of the span; one glued to a number word ("doksan beşe") is, since the word is.
- Honorifics ("Bey", "Hanım", "Mr") are not part of a name; agents' names are names.
- Some card numbers carry one misheard digit (Luhn fails) after the agent asked for the card:
  still a card number. Some calls carry ``known`` metadata, with the name or phone said later
  without any cue.

Beyond the dev format, each entity carries a ``style`` (how it was said) and each row a list
of ``negatives`` (spans that must not be redacted, with their kind); the scorer ignores both,
they are there to break results down.

    python bench/redaction_challenge.py --out PATH [--seed N] [--count N]
    vault eval redaction PATH --misses 60

The output depends only on the seed, the count and faker's name lists (read, not generated):
600 calls are about 600 KB, so the file is regenerated rather than committed.
"""

from __future__ import annotations

import argparse
import json
import random
import string
import tempfile
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faker.providers.person import en_GB, en_IE, en_IN, en_NG, pl_PL, tr_TR


def _words(text: str) -> list[str]:
    return text.split()


# --- names -------------------------------------------------------------------------------

# Names the dev file uses: left out, so that every name here is one the engine was not
# developed on.
_DEV_NAMES = frozenset(
    _words(
        "Ahmet Arslan Aslan Aydın Ayşe Brown Burak Daniel David Davies Demir Deniz Doğan Elif Emma "
        "Emre Evans Fatma Grace Green Gül Hakan James John Johnson Kaya Koç Kurt Kılıç Mary Mehmet "
        "Merve Michael Mustafa Olivia Oğuz Robert Roberts Sarah Selin Smith Sophie Taylor Thomas "
        "Walker Wilson Wright Yıldız Yılmaz Zeynep Çelik Çetin Özdemir Öztürk İbrahim Şahin"
    )
)
# Common given names in Turkey today, Kurdish names among them; faker's tr_TR lists lean to
# rare old names, so they are drawn from less often.
_TR_FEMALE = _words(
    "Defne Ecrin Zümra Eylül Sıla Büşra Tuğba Kübra Ebru Seda Pınar Özge Burcu Hülya Yasemin "
    "Nurcan Gizem Cansu Hazal Şevval Melike Esra Hande Derya Sevgi Nazlı Gamze Aslı İrem Ceren "
    "Dilek Emine Hatice Songül Filiz Aynur Gülsüm Rabia Nisanur Tuana Beren Asel Rojda Berfin "
    "Dilan Zelal Hiranur Sibel Tülay Nermin"
)
_TR_MALE = _words(
    "Kerem Arda Yağız Eymen Göktuğ Alparslan Doruk Çağan Bartu Tolga Serkan Volkan Sinan Gökhan "
    "Murat Kadir Yusuf Hüseyin Hasan Osman Ramazan Recep Levent Cem Barış Onur Serdar Berat "
    "Tuncay Erkan Halil Metin Orhan Cengiz Taner Uğur Kaan Furkan Enes Taha Batuhan Welat Rojhat "
    "Azad Şiyar Oltan Ilgaz Necati Erol"
)
_TR_SURNAMES = _words(
    "Karakaya Yücel Bozkurt Ekinci Sarıkaya Akbulut Güneş Erdem Tekin Uçar Kılıçarslan Karadağ "
    "Sezer Bulut Önal Kahraman Altıntaş Turan Eroğlu Aksoy Gündoğdu Kocabaş Karagöz Türkmen "
    "Kalkan Başaran Ateş Coşkun Keskin Tunç Ağaoğlu Demirtaş Bayrak Gürsoy Çakır Yazıcı Akın "
    "Polat Tezcan Ergin Öcal Akgül Işık Taşdemir Karaca Özbek Uysal Yavuz Çiftçi Güler Toprak "
    "Koçak Sönmez Kaplan Dumlupınar Avcı Oral Bektaş Tuncer Erbil Sayın Kırmızıgül Ocak"
)
_POLISH_SURNAMES = _words(
    "Nowak Kowalski Wiśniewski Wójcik Kamiński Lewandowski Zieliński Szymański Woźniak Dąbrowski"
)
# Surnames of public figures that faker's tr_TR list holds: not what a caller is called.
_FAMOUS = frozenset(
    _words("Öcalan Erdoğan Gülen İnönü Korutürk Demirel Kısakürek Manço Sakarya Çorlu Türk")
)


def _ascii(text: str) -> str:
    folded = text.replace("ı", "i").replace("İ", "I").replace("ł", "l").replace("Ł", "L")
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _fresh(names: Sequence[str]) -> list[str]:
    return sorted({n for n in names if n not in _DEV_NAMES and n not in _FAMOUS and n.isalpha()})


@dataclass(frozen=True)
class Person:
    given: str
    surname: str
    female: bool

    @property
    def full(self) -> str:
        return f"{self.given} {self.surname}"


class Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        tr = tr_TR.Provider
        self.tr_female = _fresh(_TR_FEMALE), _fresh(tr.first_names_female)
        self.tr_male = _fresh(_TR_MALE), _fresh(tr.first_names_male)
        self.tr_surnames = _fresh(_TR_SURNAMES), _fresh(tr.last_names)
        self.en_pools: list[tuple[float, list[str], list[str], list[str]]] = [
            (
                0.55,
                _fresh(en_GB.Provider.first_names_female),
                _fresh(en_GB.Provider.first_names_male),
                _fresh(list(en_GB.Provider.last_names)),
            ),
            (
                0.12,
                _fresh(en_IE.Provider.first_names_female),
                _fresh(en_IE.Provider.first_names_male),
                _fresh(en_IE.Provider.last_names),
            ),
            (
                0.18,
                _fresh(en_IN.Provider.first_names_female),
                _fresh(en_IN.Provider.first_names_male),
                _fresh(en_IN.Provider.last_names),
            ),
            (
                0.07,
                _fresh(en_NG.Provider.first_names_female),
                _fresh(en_NG.Provider.first_names_male),
                _fresh(en_NG.Provider.last_names),
            ),
            (
                0.08,
                _fresh([_ascii(n) for n in pl_PL.Provider.first_names_female]),
                _fresh([_ascii(n) for n in pl_PL.Provider.first_names_male]),
                _fresh([_ascii(n) for n in _POLISH_SURNAMES]),
            ),
        ]

    def _pick(self, pools: tuple[list[str], list[str]], rare: float) -> str:
        common, faker_list = pools
        return self.rng.choice(faker_list if self.rng.random() < rare else common)

    def person(self, lang: str, *, female: bool | None = None) -> Person:
        if female is None:
            female = self.rng.random() < 0.5
        if lang == "tr":
            given = self._pick(self.tr_female if female else self.tr_male, 0.25)
            return Person(given, self._pick(self.tr_surnames, 0.3), female)
        weights = [pool[0] for pool in self.en_pools]
        _w, females, males, surnames = self.rng.choices(self.en_pools, weights)[0]
        return Person(
            self.rng.choice(females if female else males), self.rng.choice(surnames), female
        )


# --- Turkish grammar: case endings after a name or a number --------------------------------

_VOWELS = "aıoueiöü"


def _last_vowel(word: str) -> str:
    for char in reversed(word.lower()):
        if char in _VOWELS:
            return char
    return "e"


def tr_suffix(word: str, case: str) -> str:
    """The case ending of ``word`` with vowel harmony: ``dat`` (-a/-e), ``gen`` (-ın…),
    ``acc`` (-ı…), ``loc`` (-da/-te…), ``abl`` (-dan/-ten…)."""
    vowel = _last_vowel(word)
    back = vowel in "aıou"
    rounded = vowel in "ouöü"
    ends_vowel = word[-1].lower() in _VOWELS
    hard = word[-1].lower() in "fstkçşhp"
    a = "a" if back else "e"
    i = ("u" if rounded else "ı") if back else ("ü" if rounded else "i")
    if case == "dat":
        return ("y" if ends_vowel else "") + a
    if case == "gen":
        return ("n" if ends_vowel else "") + i + "n"
    if case == "acc":
        return ("y" if ends_vowel else "") + i
    if case == "loc":
        return ("t" if hard else "d") + a
    if case == "abl":
        return ("t" if hard else "d") + a + "n"
    raise ValueError(case)


# --- numbers in words ----------------------------------------------------------------------

TR_UNITS = ("sıfır", "bir", "iki", "üç", "dört", "beş", "altı", "yedi", "sekiz", "dokuz")
TR_TENS = ("", "on", "yirmi", "otuz", "kırk", "elli", "altmış", "yetmiş", "seksen", "doksan")
EN_UNITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
EN_TEENS = _words("ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen")
EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
TR_MONTHS = _words("ocak şubat mart nisan mayıs haziran temmuz ağustos eylül ekim kasım aralık")
EN_MONTHS = _words(
    "January February March April May June July August September October November December"
)
TR_ORDINAL_MONTHS = [
    "birinci", "ikinci", "üçüncü", "dördüncü", "beşinci", "altıncı", "yedinci", "sekizinci",
    "dokuzuncu", "onuncu", "on birinci", "on ikinci",
]  # fmt: skip
EN_ORDINALS = [
    "", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth", "twentieth", "twenty-first", "twenty-second",
    "twenty-third", "twenty-fourth", "twenty-fifth", "twenty-sixth", "twenty-seventh",
    "twenty-eighth", "twenty-ninth", "thirtieth", "thirty-first",
]  # fmt: skip


def tr_number(n: int) -> str:
    """``n`` (0 to 999 999) in Turkish words: 1453 is "bin dört yüz elli üç"."""
    if n == 0:
        return "sıfır"
    words: list[str] = []
    thousands, rest = divmod(n, 1000)
    if thousands:
        if thousands > 1:
            words.append(tr_number(thousands))
        words.append("bin")
    hundreds, rest = divmod(rest, 100)
    if hundreds:
        if hundreds > 1:
            words.append(TR_UNITS[hundreds])
        words.append("yüz")
    tens, units = divmod(rest, 10)
    if tens:
        words.append(TR_TENS[tens])
    if units:
        words.append(TR_UNITS[units])
    return " ".join(words)


def en_number(n: int, *, british: bool = True) -> str:
    """``n`` (0 to 999 999) in English words, "and" after hundred the British way."""
    if n < 10:
        return EN_UNITS[n]
    if n < 20:
        return EN_TEENS[n - 10]
    if n < 100:
        tens, units = divmod(n, 10)
        return EN_TENS[tens] + (f"-{EN_UNITS[units]}" if units else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = f"{EN_UNITS[hundreds]} hundred"
        if not rest:
            return head
        return f"{head} {'and ' if british else ''}{en_number(rest, british=british)}"
    thousands, rest = divmod(n, 1000)
    head = f"{en_number(thousands, british=british)} thousand"
    if not rest:
        return head
    joiner = " and " if rest < 100 and british else " "
    return head + joiner + en_number(rest, british=british)


def tr_digit_words(digits: str) -> str:
    return " ".join(TR_UNITS[int(c)] for c in digits)


def tr_group_words(group: str) -> str:
    """A group as a Turkish speaker reads it: leading zeros one by one, then the number
    ("0532" is "sıfır beş yüz otuz iki", "07" is "sıfır yedi")."""
    stripped = group.lstrip("0")
    zeros = len(group) - len(stripped)
    words = ["sıfır"] * zeros
    if stripped:
        words.append(tr_number(int(stripped)))
    return " ".join(words)


def en_digit_words(digits: str, rng: random.Random, *, zero: str = "oh") -> str:
    """Digit by digit, "double"/"triple" for repeats the British way."""
    words: list[str] = []
    index = 0
    doubles = rng.random() < 0.8
    while index < len(digits):
        end = index
        while end < len(digits) and digits[end] == digits[index]:
            end += 1
        count = end - index
        word = zero if digits[index] == "0" else EN_UNITS[int(digits[index])]
        while count:
            if doubles and count == 3 and rng.random() < 0.6:
                words.append(f"triple {word}")
                count -= 3
            elif doubles and count >= 2:
                words.append(f"double {word}")
                count -= 2
            else:
                words.append(word)
                count -= 1
        index = end
    return " ".join(words)


def en_pairs(group: str, rng: random.Random) -> str:
    """A group read in pairs, as English speakers read card and year groups:
    "4543" is "forty-five forty-three", "0921" is "oh nine twenty-one"; an odd group
    starts with three digits ("16706" is "one six seven, oh six")."""
    words: list[str] = []
    if len(group) % 2 and len(group) > 1:
        words.append(en_digit_words(group[:3], rng))
        group = group[3:]
    for start in range(0, len(group), 2):
        pair = group[start : start + 2]
        if len(pair) == 1:
            words.append("oh" if pair == "0" else EN_UNITS[int(pair)])
        elif pair[0] == "0":
            words.append(en_digit_words(pair, rng))
        else:
            words.append(en_number(int(pair)))
    return " ".join(words)


def tr_pairs(group: str) -> str:
    """A group read in twos: "4543" is "kırk beş kırk üç"; an odd group starts with three
    digits ("16706" is "yüz altmış yedi sıfır altı")."""
    words: list[str] = []
    if len(group) % 2 and len(group) > 1:
        words.append(tr_group_words(group[:3]))
        group = group[3:]
    for start in range(0, len(group), 2):
        words.append(tr_group_words(group[start : start + 2]))
    return " ".join(words)


def cap(text: str, lang: str = "tr") -> str:
    """Upper-case the first letter (Turkish "i" to "İ"), leaving names like "iPhone" alone."""
    if not text or (len(text) > 1 and text[1].isupper()):
        return text
    return ("İ" if text[0] == "i" and lang == "tr" else text[0].upper()) + text[1:]


def split_groups(digits: str, sizes: Sequence[int]) -> list[str]:
    groups: list[str] = []
    at = 0
    for size in sizes:
        groups.append(digits[at : at + size])
        at += size
    if at < len(digits):
        groups.append(digits[at:])
    return [g for g in groups if g]


@dataclass(frozen=True)
class Spoken:
    text: str
    style: str


def say_number(
    digits: str, sizes: Sequence[int], lang: str, rng: random.Random, *, styles: Sequence[str]
) -> Spoken:
    """``digits`` said in one of ``styles``, grouped by ``sizes``.

    Styles: ``digits`` (one block), ``spaced`` (groups and spaces), ``dashed``, ``dotted``,
    ``words`` (digit by digit), ``grouped`` (each group read as a number), ``pairs`` (read in
    twos), ``mixed`` (groups alternate digits and words), ``paused`` (groups as separate
    sentences, as a recogniser writes a slow dictation), ``then`` ("…, sonra …", "… then …").
    """
    style = rng.choice(list(styles))
    groups = split_groups(digits, sizes)
    if style == "grouped" and max(map(len, groups)) > 4:
        style = "pairs"
    if len(groups) == 1 and style in ("spaced", "dashed", "dotted", "paused", "then"):
        style = "digits"
    comma = rng.choice([", ", ", ", ", ", " "])

    def words(group: str, how: str) -> str:
        if how == "grouped" and len(group) > 4:
            how = "pairs"  # nobody reads "3224169816" as one number
        if lang == "tr":
            if how == "digits":
                return tr_digit_words(group)
            if how == "pairs":
                return tr_pairs(group)
            return tr_group_words(group)
        if how == "digits":
            return en_digit_words(group, rng, zero=rng.choice(["oh", "oh", "zero"]))
        if how == "pairs" or (how == "grouped" and len(group) == 4):
            return en_pairs(group, rng)
        if group.startswith("0"):
            return en_digit_words(group, rng)
        return en_number(int(group))

    if style == "digits":
        text = digits
    elif style == "spaced":
        text = " ".join(groups)
    elif style == "dashed":
        text = "-".join(groups)
    elif style == "dotted":
        text = ".".join(groups)
    elif style == "words":
        text = comma.join(words(g, "digits") for g in groups)
    elif style == "grouped":
        text = comma.join(words(g, "grouped") for g in groups)
    elif style == "pairs":
        text = comma.join(words(g, "pairs") for g in groups)
    elif style == "mixed":
        first = rng.random() < 0.5
        text = comma.join(
            g if (i % 2 == 0) == first else words(g, rng.choice(["digits", "grouped"]))
            for i, g in enumerate(groups)
        )
    elif style == "paused":
        parts = [words(g, rng.choice(["digits", "grouped"])) for g in groups]
        text = ". ".join(cap(p, lang) for p in parts) if rng.random() < 0.5 else (". ".join(groups))
    elif style == "then":
        joiner = (
            rng.choice([", sonra ", ", devamı "])
            if lang == "tr"
            else rng.choice([", then ", " and then ", ", next "])
        )
        text = groups[0] + "".join(joiner + g for g in groups[1:])
    else:
        raise ValueError(style)
    return Spoken(text, style)


# --- identifiers with check digits -------------------------------------------------------


def luhn_complete(body: str) -> str:
    total = 0
    for index, char in enumerate(reversed(body)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            value -= 9 if value > 9 else 0
        total += value
    return body + str((10 - total % 10) % 10)


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            value -= 9 if value > 9 else 0
        total += value
    return total % 10 == 0


def card_number(rng: random.Random, brand: str) -> str:
    def rand(n: int) -> str:
        return "".join(rng.choice(string.digits) for _ in range(n))

    if brand == "amex":
        return luhn_complete(rng.choice(["34", "37"]) + rand(12))
    if brand == "troy":
        return luhn_complete("9792" + rand(11))
    if brand == "mastercard":
        head = rng.choice([str(rng.randint(51, 55)), str(rng.randint(2221, 2720))])
        return luhn_complete(head + rand(15 - len(head)))
    return luhn_complete("4" + rand(14))


def mishear(digits: str, rng: random.Random) -> str:
    """One digit changed so that the Luhn check fails: what a recogniser makes of a card."""
    while True:
        at = rng.randrange(len(digits))
        wrong = digits[:at] + rng.choice([d for d in string.digits if d != digits[at]])
        wrong += digits[at + 1 :]
        if not luhn_ok(wrong):
            return wrong


def tckn(rng: random.Random) -> str:
    d = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
    d.append((7 * sum(d[0:9:2]) - sum(d[1:8:2])) % 10)
    d.append(sum(d) % 10)
    return "".join(map(str, d))


def vkn(rng: random.Random) -> str:
    """Vergi kimlik numarası: nine digits and the tax office's check digit."""
    d = [rng.randint(0, 9) for _ in range(9)]
    total = 0
    for index, digit in enumerate(d):
        shifted = (digit + 9 - index) % 10
        if shifted:
            value = (shifted * 2 ** (9 - index)) % 9
            total += value or 9
    return "".join(map(str, d)) + str((10 - total % 10) % 10)


def _iban(country: str, bban: str) -> str:
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(numeric) % 97:02d}{bban}"


def iban_tr(rng: random.Random) -> str:
    bank = rng.choice(["00010", "00012", "00015", "00046", "00062", "00064", "00067", "00111"])
    return _iban("TR", bank + "0" + "".join(rng.choice(string.digits) for _ in range(16)))


def iban_gb(rng: random.Random) -> str:
    bank = rng.choice(["NWBK", "BARC", "LOYD", "HBUK", "MIDL", "NAIA"])
    return _iban("GB", bank + "".join(rng.choice(string.digits) for _ in range(14)))


def ni_number(rng: random.Random) -> str:
    first = rng.choice("ABCEGHJKLMNOPRSTWXYZ")
    second = rng.choice("ABCEGHJKLMNPRSTWXYZ")
    if first + second in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}:
        second = "A"
    body = "".join(rng.choice(string.digits) for _ in range(6))
    return f"{first}{second}{body}{rng.choice('ABCD')}"


def digits_of(rng: random.Random, n: int, *, lead: str = "123456789") -> str:
    return rng.choice(lead) + "".join(rng.choice(string.digits) for _ in range(n - 1))


# --- a call and its labels -----------------------------------------------------------------


@dataclass(frozen=True)
class Ent:
    """A labelled entity; ``tail`` is said right after it but is not part of it ("'ın")."""

    type: str
    text: str
    style: str
    tail: str = ""


@dataclass(frozen=True)
class Neg:
    """Text that looks like personal data but is not: it must stay."""

    kind: str
    text: str


Slot = str | Ent | Neg
_FORMATTER = string.Formatter()


@dataclass
class Call:
    lang: str
    parts: list[Slot] = field(default_factory=list)
    known: dict[str, str] = field(default_factory=dict)

    def say(self, template: str, **slots: Slot) -> None:
        """One sentence or turn; a slot that starts a sentence is capitalised, as a
        recogniser writes it (e-mail addresses excepted)."""
        if self.parts:
            self.parts.append(" ")
        starts = True
        for literal, name, _spec, _conv in _FORMATTER.parse(template):
            if literal:
                self.parts.append(literal)
                starts = literal.rstrip().endswith((".", "?", "!", "-"))
            if name is not None:
                slot = slots[name]
                if starts and isinstance(slot, Ent) and slot.type != "EMAIL_ADDRESS":
                    slot = Ent(slot.type, cap(slot.text, self.lang), slot.style, slot.tail)
                elif starts and isinstance(slot, Neg):
                    slot = Neg(slot.kind, cap(slot.text, self.lang))
                self.parts.append(slot)
                starts = False

    def row(self, ident: str) -> dict[str, Any]:
        text = ""
        entities: list[dict[str, Any]] = []
        negatives: list[dict[str, Any]] = []
        for part in self.parts:
            if isinstance(part, str):
                text += part
                continue
            start = len(text)
            text += part.text
            if isinstance(part, Ent):
                entities.append(
                    {"type": part.type, "start": start, "end": len(text), "style": part.style}
                )
                text += part.tail
            else:
                negatives.append({"kind": part.kind, "start": start, "end": len(text)})
        row: dict[str, Any] = {"id": ident, "lang": self.lang, "text": text, "entities": entities}
        if self.known:
            row["known"] = self.known
        if negatives:
            row["negatives"] = negatives
        return row


def ent(kind: str, spoken: Spoken, *, style: str = "", tail: str = "") -> Ent:
    return Ent(kind, spoken.text, style or spoken.style, tail)


# --- values said in many ways --------------------------------------------------------------

NUMBER_STYLES = ("spaced", "digits", "dashed", "words", "grouped", "pairs", "mixed", "paused")


def card(rng: random.Random, lang: str, brand: str) -> tuple[str, Spoken]:
    digits = card_number(rng, brand)
    sizes = (4, 6, 5) if brand == "amex" else (4, 4, 4, 4)
    styles = (*NUMBER_STYLES, "then")
    return digits, say_number(digits, sizes, lang, rng, styles=styles)


def expiry(rng: random.Random, lang: str) -> Spoken:
    month = rng.randint(1, 12)
    year = rng.randint(26, 32)
    mm = f"{month:02d}"
    if lang == "tr":
        forms = {
            "slash": f"{mm}/{year}",
            "slash-long": f"{mm}/20{year}",
            "space": f"{mm} {year}",
            "month-year": f"{cap(TR_MONTHS[month - 1])} 20{year}",
            "month-words": f"{TR_MONTHS[month - 1]} {tr_number(year)}",
            "words": f"{tr_group_words(mm)}, {tr_number(year)}",
            "ordinal": f"{TR_ORDINAL_MONTHS[month - 1]} ay, {tr_number(year)}",
            "dotted": f"{mm}.{year}",
        }
    else:
        forms = {
            "slash": f"{mm}/{year}",
            "slash-spoken": f"{en_digit_words(mm, rng)} slash {en_number(year)}",
            "oh-words": f"{en_digit_words(mm, rng)} {en_number(year)}",
            "month-year": f"{EN_MONTHS[month - 1]} 20{year}",
            "month-short": f"{EN_MONTHS[month - 1]} {en_number(year)}",
            "month-apostrophe": f"{EN_MONTHS[month - 1]} '{year}",
            "space": f"{mm} {year}",
        }
    style = rng.choice(sorted(forms))
    return Spoken(forms[style], style)


def cvv(rng: random.Random, lang: str, *, length: int = 3) -> Spoken:
    digits = digits_of(rng, length, lead=string.digits)
    if lang == "tr":
        forms = {
            "digits": digits,
            "spaced": " ".join(digits),
            "words": tr_digit_words(digits),
            "grouped": tr_group_words(digits),
        }
    else:
        forms = {
            "digits": digits,
            "spaced": " ".join(digits),
            "words": en_digit_words(digits, rng),
            "grouped": en_number(int(digits)) if digits[0] != "0" else en_digit_words(digits, rng),
        }
    style = rng.choice(sorted(forms))
    return Spoken(forms[style], style)


def tr_phone(rng: random.Random) -> str:
    if rng.random() < 0.8:
        prefix = rng.choice(
            ["530", "532", "533", "535", "536", "537", "538", "539", "541", "542", "543", "544",
             "545", "546", "505", "506", "507", "501", "551", "552", "553", "554", "555", "561"]
        )  # fmt: skip
    else:
        prefix = rng.choice(["212", "216", "312", "232", "224", "242", "322", "262"])
    return "0" + prefix + digits_of(rng, 7, lead="23456789")


def uk_phone(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return "07" + rng.choice(["4", "5", "7", "8", "9"]) + digits_of(rng, 8, lead=string.digits)
    return rng.choice(["0117496", "0161496", "0113496", "0131496", "0207946"]) + digits_of(
        rng, 4, lead=string.digits
    )


def say_tr_phone(number: str, rng: random.Random) -> Spoken:
    """0532 418 27 90 in the ways Turkish callers and recognisers write it."""
    national = number[1:]
    a, b, c, d = national[:3], national[3:6], national[6:8], national[8:]
    style = rng.choice(
        ["plus90", "plus90-compact", "0090", "paren", "dotted", "no-zero", "grouped",
         "digit-words", "mixed", "plus-words", "pairs"]
    )  # fmt: skip
    if style == "plus90":
        text = f"+90 {a} {b} {c} {d}"
    elif style == "plus90-compact":
        text = f"+90{national}"
    elif style == "0090":
        text = f"0090 {a} {b} {c}{d}"
    elif style == "paren":
        text = f"0 ({a}) {b} {c} {d}"
    elif style == "dotted":
        text = f"0{a}.{b}.{c}.{d}"
    elif style == "no-zero":
        text = f"{a} {b} {c} {d}"
    elif style == "grouped":
        lead = "sıfır " if rng.random() < 0.6 else ""
        text = f"{lead}{tr_number(int(a))}, {tr_number(int(b))}, {tr_group_words(c)}, "
        text += tr_group_words(d)
    elif style == "digit-words":
        text = tr_digit_words(number)
    elif style == "mixed":
        text = f"0{a} {tr_number(int(b))} {c} {tr_group_words(d)}"
    elif style == "plus-words":
        text = f"artı doksan {tr_number(int(a))} {tr_number(int(b))} {tr_group_words(c)} "
        text += tr_group_words(d)
    else:
        text = f"{tr_group_words(number[:2])} {tr_pairs(national[1:3])}, {tr_number(int(b))}, "
        text += f"{tr_group_words(c)}, {tr_group_words(d)}"
    return Spoken(text, style)


def say_uk_phone(number: str, rng: random.Random) -> Spoken:
    if number.startswith("07"):
        a, b = number[:5], number[5:]
    elif number.startswith("020"):
        a, b = number[:3], number[3:]
    else:
        a, b = number[:4], number[4:]
    style = rng.choice(
        ["spaced", "plus44", "plus44-zero", "0044", "words", "words-split", "mixed", "compact"]
    )
    if style == "spaced":
        text = f"{a} {b[:3]} {b[3:]}" if rng.random() < 0.5 else f"{a} {b}"
    elif style == "plus44":
        text = f"+44 {a[1:]} {b}"
    elif style == "plus44-zero":
        text = f"+44 (0){a[1:]} {b}"
    elif style == "0044":
        text = f"0044 {a[1:]} {b}"
    elif style == "words":
        text = f"{en_digit_words(a, rng)}, {en_digit_words(b, rng)}"
    elif style == "words-split":
        text = f"{en_digit_words(a, rng)}, {en_digit_words(b[:3], rng)}, "
        text += en_digit_words(b[3:], rng)
    elif style == "mixed":
        text = f"{a} {en_digit_words(b, rng)}"
    else:
        text = number
    return Spoken(text, style)


def say_us_phone(rng: random.Random) -> Spoken:
    area = str(rng.choice([212, 312, 415, 617, 646, 718, 773, 206, 305, 512]))
    exchange = digits_of(rng, 3, lead="23456789")
    line = digits_of(rng, 4, lead=string.digits)
    style = rng.choice(["plus1", "paren", "dashed"])
    if style == "plus1":
        return Spoken(f"+1 {area} {exchange} {line}", "us-plus1")
    if style == "paren":
        return Spoken(f"({area}) {exchange}-{line}", "us-paren")
    return Spoken(f"{area}-{exchange}-{line}", "us-dashed")


_DOMAINS_TR = ("gmail.com", "hotmail.com", "outlook.com", "yahoo.com", "icloud.com",
               "outlook.com.tr", "yandex.com", "hotmail.com.tr")  # fmt: skip
_DOMAINS_EN = ("gmail.com", "hotmail.co.uk", "outlook.com", "yahoo.co.uk", "btinternet.com",
               "icloud.com", "sky.com", "live.co.uk")  # fmt: skip


def email(person: Person, lang: str, rng: random.Random) -> Spoken:
    given = _ascii(person.given).lower()
    surname = _ascii(person.surname).lower()
    year = str(rng.randint(60, 99) if rng.random() < 0.5 else rng.randint(1, 12))
    shape = rng.choice(["dot", "under", "plain", "initial", "year"])
    local = {
        "dot": [given, ".", surname],
        "under": [given, "_", surname],
        "plain": [given, surname],
        "initial": [given[0], surname],
        "year": [given, surname, year],
    }[shape]
    domain = rng.choice(_DOMAINS_TR if lang == "tr" else _DOMAINS_EN)
    if rng.random() < 0.45:
        return Spoken("".join(local) + "@" + domain, f"written-{shape}")
    if lang == "tr":
        dot, under, at = "nokta", "alt çizgi", rng.choice(["et", "et işareti", "at"])
        names = {
            given: person.given.lower() if rng.random() < 0.4 else given,
            surname: person.surname.lower() if rng.random() < 0.4 else surname,
        }
        say_year = tr_number(int(year)) if rng.random() < 0.5 else year
    else:
        dot, under, at = "dot", "underscore", "at"
        names = {given: given, surname: surname}
        say_year = en_number(int(year)) if rng.random() < 0.5 else year
    spoken: list[str] = []
    for piece in local:
        if piece == ".":
            spoken.append(dot)
        elif piece == "_":
            spoken.append(under)
        elif piece == year:
            spoken.append(say_year)
        else:
            spoken.append(names.get(piece, piece))
    spoken.append(at)
    spoken.append(f" {dot} ".join(domain.split(".")))
    return Spoken(" ".join(spoken), f"spoken-{shape}")


_TR_PLACES = (
    ("Çankaya", "Ankara", "06"), ("Keçiören", "Ankara", "06"), ("Üsküdar", "İstanbul", "34"),
    ("Beşiktaş", "İstanbul", "34"), ("Bakırköy", "İstanbul", "34"), ("Bornova", "İzmir", "35"),
    ("Konak", "İzmir", "35"), ("Osmangazi", "Bursa", "16"), ("Muratpaşa", "Antalya", "07"),
    ("Seyhan", "Adana", "01"), ("Selçuklu", "Konya", "42"), ("Tepebaşı", "Eskişehir", "26"),
    ("Atakum", "Samsun", "55"), ("Ortahisar", "Trabzon", "61"), ("Şahinbey", "Gaziantep", "27"),
    ("Pamukkale", "Denizli", "20"), ("İzmit", "Kocaeli", "41"), ("Yenişehir", "Mersin", "33"),
)  # fmt: skip
_TR_STREETS = (
    "Atatürk", "İstiklal", "Gazi", "Barbaros", "Fevzi Çakmak", "Mimar Sinan", "Kazım Karabekir",
    "Necatibey", "Ziya Gökalp", "Millet", "Vatan", "Şehit Ahmet Eren", "Hürriyet", "Adnan Kahveci",
)  # fmt: skip
_TR_NEIGHBOURHOODS = (
    "Bahçelievler", "Yenimahalle", "Esentepe", "Kocatepe", "Göztepe", "Güzelyalı", "Alsancak",
    "Bostanlı", "Şirinevler", "Zafer", "Yavuz Selim", "Gülbahar", "Mevlana", "Fatih Sultan",
)  # fmt: skip


def tr_address(rng: random.Random) -> tuple[Spoken, str]:
    """An address and the place it ends with (for a case ending after it)."""
    district, province, plate = rng.choice(_TR_PLACES)
    street = rng.choice(_TR_STREETS)
    hood = rng.choice(_TR_NEIGHBOURHOODS)
    no, flat, floor = rng.randint(1, 180), rng.randint(1, 40), rng.randint(1, 12)
    postcode = f"{plate}{rng.randint(100, 999)}"
    sokak = rng.randint(1001, 3999)
    shape = rng.choice(["cad-slash", "mah-sokak-kat", "mah-sok-apt", "bulvar", "site", "spoken"])
    if shape == "cad-slash":
        text = f"{street} Cad. No: {no}/{flat} {district}/{province}"
    elif shape == "mah-sokak-kat":
        text = f"{hood} Mah. {sokak}. Sokak No {no} Kat {floor}, {district} {province}"
    elif shape == "mah-sok-apt":
        apt = rng.choice(["Yıldız", "Lale", "Deniz", "Güneş", "Park", "Çınar"])
        text = f"{hood} Mah. {street} Sok. {apt} Apt. No: {no} D: {flat} {postcode} "
        text += f"{district}/{province}"
    elif shape == "bulvar":
        text = f"{street} Bulvarı {no}/{flat}, {district}, {province}"
    elif shape == "site":
        block = rng.choice("ABCDE")
        site = rng.choice(["Yeşilvadi", "Mavişehir", "Koru", "Bahçeşehir", "Papatya"])
        text = f"{site} Sitesi {block} Blok Daire {flat}, {hood} Mahallesi, {district} {province}"
    else:
        text = f"{hood} Mahallesi {street} Sokak numara {tr_number(no)} daire {tr_number(flat)} "
        text += f"{district} {province}"
    return Spoken(text, shape), province


_UK_PLACES = (
    ("Bristol", "BS"), ("Manchester", "M"), ("Leeds", "LS"), ("Birmingham", "B"),
    ("Cardiff", "CF"), ("Glasgow", "G"), ("Edinburgh", "EH"), ("Liverpool", "L"),
    ("Sheffield", "S"), ("Nottingham", "NG"), ("Brighton", "BN"), ("Oxford", "OX"),
    ("York", "YO"), ("Leicester", "LE"), ("Norwich", "NR"), ("Harrogate", "HG"),
)  # fmt: skip
_LONDON = ("NW1", "SE1", "E2", "N7", "SW4", "W12", "SE15", "E17")
_UK_STREETS = (
    "Victoria", "Station", "Church", "Park", "Mill", "Albert", "Elm", "Orchard", "Manor",
    "Chapel", "Windsor", "Grange", "Beech", "Springfield", "Queens", "Meadow", "Cavendish",
)  # fmt: skip
_UK_KINDS = ("Road", "Street", "Lane", "Avenue", "Close", "Drive", "Crescent", "Gardens", "Way")
_UK_SHORT = {"Road": "Rd", "Street": "St", "Avenue": "Ave", "Drive": "Dr", "Lane": "Ln"}


def uk_postcode(rng: random.Random, area: str) -> str:
    inward = str(rng.randint(1, 9)) + "".join(rng.choice("ABDEFGHJLNPQRSTUWXYZ") for _ in "xx")
    return f"{area}{rng.randint(1, 20)} {inward}"


def uk_address(rng: random.Random) -> Spoken:
    if rng.random() < 0.2:
        city, postcode = "London", f"{rng.choice(_LONDON)} {rng.randint(1, 9)}"
        postcode += "".join(rng.choice("ABDEFGHJLNPQRSTUWXYZ") for _ in "xx")
    else:
        city, area = rng.choice(_UK_PLACES)
        postcode = uk_postcode(rng, area)
    street, kind = rng.choice(_UK_STREETS), rng.choice(_UK_KINDS)
    no = rng.randint(1, 240)
    shape = rng.choice(["flat", "letter-short", "close-area", "apartment", "no-postcode", "us"])
    if shape == "flat":
        text = f"Flat {rng.randint(1, 12)}, {no} {street} {kind}, {city} {postcode}"
    elif shape == "letter-short":
        kind = rng.choice(sorted(_UK_SHORT))
        text = f"{no}{rng.choice('ABC')} {street} {_UK_SHORT[kind]}, {city} {postcode}"
    elif shape == "close-area":
        area_name = rng.choice(["Didsbury", "Headingley", "Clifton", "Roath", "Jesmond", "Moseley"])
        text = f"{no} {street} {kind}, {area_name}, {city} {postcode}"
    elif shape == "apartment":
        house = rng.choice(["Kingsley", "Regent", "Harbour", "Wellington", "Albion"])
        text = f"Apartment {rng.randint(1, 60)}, {house} House, {no} {street} {kind}, {city}"
    elif shape == "no-postcode":
        text = f"{no} {street} {kind}, {city}"
    else:
        state, town, zip_head = rng.choice(
            [("IL", "Springfield", "627"), ("NY", "Albany", "122"), ("TX", "Austin", "787"),
             ("MA", "Cambridge", "021"), ("WA", "Tacoma", "984")]
        )  # fmt: skip
        text = f"{no * 7} {street} Avenue, Apt {rng.randint(1, 9)}{rng.choice('ABC')}, {town}, "
        text += f"{state} {zip_head}{rng.randint(10, 99)}"
    return Spoken(text, shape)


def dob(rng: random.Random, lang: str) -> tuple[Spoken, str]:
    """A date of birth and, in Turkish, the last word said (for a case ending after it)."""
    year = rng.randint(1940, 2004)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    yy = year % 100
    if lang == "tr":
        forms = {
            "day-month-year": f"{day} {cap(TR_MONTHS[month - 1])} {year}",
            "short-year": f"{day} {cap(TR_MONTHS[month - 1])} {yy:02d}",
            "dotted": f"{day:02d}.{month:02d}.{year}",
            "slashed": f"{day}/{month}/{year}",
            "words-short": f"{tr_number(day)} {TR_MONTHS[month - 1]} "
            + tr_number(yy if year < 2000 else year),
            "words-long": f"{tr_number(day)} {TR_MONTHS[month - 1]} {tr_number(year)}",
        }
        style = rng.choice(sorted(forms))
        last = forms[style].split()[-1]
        if style in ("dotted", "slashed", "day-month-year"):
            last = tr_number(year).split()[-1]
        if style == "short-year":
            last = tr_number(yy).split()[-1] if yy else "sıfır"
        return Spoken(forms[style], style), last
    ordinal = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}.get(day, "th")
    month_name = EN_MONTHS[month - 1]
    if year >= 2000:
        spoken_year = en_number(year)  # "two thousand and three"
    else:
        spoken_year = f"{en_number(year // 100)} {en_pairs(f'{yy:02d}', rng)}"
    forms = {
        "the-of": f"the {day}{ordinal} of {month_name} {year}",
        "ordinal-month": f"{day}{ordinal} {month_name} {year}",
        "month-the": f"{month_name} the {EN_ORDINALS[day]}, {spoken_year}",
        "slashed": f"{day:02d}/{month:02d}/{year}",
        "short-year": f"{day:02d}/{month:02d}/{yy:02d}",
        "words-of": f"the {EN_ORDINALS[day]} of {month_name}, {spoken_year}",
        "us-style": f"{month_name} {day}, {year}",
    }
    style = rng.choice(sorted(forms))
    return Spoken(forms[style], style), ""


def code(rng: random.Random, lang: str) -> Spoken:
    digits = digits_of(rng, rng.choice([4, 4, 5, 6, 6]), lead=string.digits)
    sizes = (3, 3) if len(digits) == 6 else (len(digits),)
    if lang == "tr":
        forms = {
            "spaced": " ".join(digits),
            "digits": digits,
            "words": tr_digit_words(digits),
            "grouped": ", ".join(tr_group_words(g) for g in split_groups(digits, sizes)),
            "pairs": tr_pairs(digits),
        }
    else:
        forms = {
            "spaced": " ".join(digits),
            "digits": digits,
            "words": en_digit_words(digits, rng),
            "pairs": en_pairs(digits, rng),
            "dashed": "-".join(split_groups(digits, sizes)),
        }
    style = rng.choice(sorted(forms))
    return Spoken(forms[style], style)


def say_digits(digits: str, lang: str, rng: random.Random, sizes: Sequence[int]) -> Spoken:
    return say_number(digits, sizes, lang, rng, styles=NUMBER_STYLES)


def say_iban(value: str, lang: str, rng: random.Random) -> Spoken:
    country, rest = value[:2], value[2:]
    style = rng.choice(["spaced", "compact", "lower-compact", "spoken", "spoken-letters"])
    if style == "spaced":
        text = f"{country}{rest[:2]} " + " ".join(split_groups(rest[2:], [4] * 7))
    elif style == "compact":
        text = value
    elif style == "lower-compact":
        text = value.lower()
    else:
        if lang == "tr":
            head = "te re" if style == "spoken-letters" and country == "TR" else country
            numbers = [tr_group_words(g) for g in split_groups(rest, [2] + [4] * 6)]
        else:
            head = " ".join(country) if style == "spoken-letters" else country
            groups = split_groups(rest, [2] + [4] * 6)
            numbers = [
                g if g.isalpha() else en_digit_words(g, rng) if g[0] == "0" else en_pairs(g, rng)
                for g in groups
            ]
        text = head + " " + ", ".join(numbers)
    return Spoken(text, style)


# --- Turkish calls -------------------------------------------------------------------------


@dataclass
class Ctx:
    rng: random.Random
    names: Names
    call: Call
    customer: Person
    agent: Person

    def pick(self, options: Sequence[str]) -> str:
        return self.rng.choice(list(options))


def _name(person: Person, part: str, style: str, *, tail: str = "") -> Ent:
    text = {"full": person.full, "given": person.given, "surname": person.surname}[part]
    return Ent("PERSON", text, style, tail)


def tr_open(c: Ctx) -> None:
    agent, cust, rng = c.agent, c.customer, c.rng
    greeting = c.pick(
        [
            "Octopus Chat müşteri hizmetleri, ben {agent}, buyurun.",
            "İyi günler, Octopus Chat'ten {agent} ben, size nasıl yardımcı olabilirim?",
            "Octopus Chat, {agent} konuşuyor, merhabalar.",
            "Octopus Chat'e ulaştınız, görüşmemiz kalite amacıyla kaydedilmektedir. {agent} ben,"
            " dinliyorum.",
            "Beklediğiniz için teşekkürler, müşteri temsilcisi {agent} ile görüşüyorsunuz.",
            "Alo, iyi günler, Octopus Chat, {agent}.",
        ]
    )
    full_agent = rng.random() < 0.3
    c.call.say(
        greeting,
        agent=_name(agent, "full" if full_agent else "given", "agent-intro"),
    )
    title = "Hanım" if agent.female else "Bey"
    how = rng.randrange(7)
    if how == 0:
        c.call.say(
            "Merhaba {agent} " + title + ", ben {cust}.",
            agent=_name(agent, "given", "honorific"),
            cust=_name(cust, "full", "cue-ben"),
        )
    elif how == 1:
        c.call.say(
            "İyi günler, {cust} ben, geçen hafta da aramıştım.",
            cust=_name(cust, "full", "name-then-ben"),
        )
    elif how == 2:
        c.call.say("Merhaba, faturamla ilgili arıyorum.")
        c.call.say("Tabii, kiminle görüşüyorum?")
        c.call.say("{cust}.", cust=_name(cust, "full", "answer-only"))
    elif how == 3:
        c.call.say("Merhaba, internetim yine kesildi.")
        c.call.say("Geçmiş olsun, adınızı ve soyadınızı alabilir miyim?")
        c.call.say("Tabii, {cust}.", cust=_name(cust, "full", "answer-only"))
    elif how == 4:
        c.call.say(
            "Adım {given}, soyadım {surname}.",
            given=_name(cust, "given", "adım-soyadım"),
            surname=_name(cust, "surname", "adım-soyadım"),
        )
    elif how == 5:
        relative = c.names.person("tr", female=rng.random() < 0.5)
        relative = Person(relative.given, cust.surname, relative.female)
        who = "annemin" if relative.female else "babamın"
        child = "kızıyım" if cust.female else "oğluyum"
        c.call.say(
            f"Merhaba, hat {who} üzerine, {{rel}} adına kayıtlı, ben {child}.",
            rel=_name(relative, "full", "adına"),
        )
        c.call.say("Anladım, sizin adınız?")
        c.call.say("{given}.", given=_name(cust, "given", "answer-only"))
    else:
        c.call.say(
            "Selamlar, {cust}, Octopus Plus aboneliğim var.", cust=_name(cust, "full", "no-cue")
        )
    if rng.random() < 0.6:
        address = "Hanım" if cust.female else "Bey"
        part = "surname" if not cust.female and rng.random() < 0.3 else "given"
        c.call.say(
            c.pick(
                [
                    "Hoş geldiniz {name} " + address + ".",
                    "Teşekkür ederim {name} " + address + ", hemen bakıyorum.",
                    "Peki {name} " + address + ", sizi doğrulamam gerekiyor.",
                ]
            ),
            name=_name(cust, part, "honorific"),
        )


def tr_card(c: Ctx) -> None:
    rng = c.rng
    brand = rng.choice(["visa", "visa", "mastercard", "mastercard", "troy", "amex"])
    c.call.say(
        c.pick(
            [
                "Faturamı kartla ödemek istiyorum.",
                "Geciken faturamı şimdi kapatmak istiyorum.",
                "Otomatik ödeme talimatı vermek istiyorum.",
            ]
        )
    )
    ask = c.pick(
        [
            "Kartınızın üzerindeki 16 haneli numarayı okur musunuz?",
            "Kartın ön yüzündeki numarayı baştan sona söyler misiniz?",
            "Ödeme yapacağınız kartın numarasını alayım.",
            "Kartınızın numarasını dörderli gruplar halinde okuyabilir misiniz?",
        ]
    )
    if brand == "amex":
        ask = "Kartınızın ön yüzündeki 15 haneli numarayı okur musunuz?"
    c.call.say(ask)
    digits, spoken = card(rng, "tr", brand)
    style = f"{brand}-{spoken.style}"
    if rng.random() < 0.15:
        spoken = say_number(
            mishear(digits, rng),
            (4, 6, 5) if brand == "amex" else (4,) * 4,
            "tr",
            rng,
            styles=("spaced", "words", "grouped", "digits"),
        )
        style = f"{brand}-luhn-broken-{spoken.style}"
    c.call.say(
        c.pick(["{v}.", "Tabii, {v}.", "Okuyorum: {v}.", "Şöyle: {v}."]),
        v=ent("CARD_NUMBER", spoken, style=style),
    )
    if rng.random() < 0.85:
        c.call.say(
            c.pick(
                [
                    "Son kullanma ayı ve yılı?",
                    "Kartın geçerlilik tarihi nedir?",
                    "Üzerinde ay ve yıl yazıyor, onu da alayım.",
                    "Son kullanma tarihini söyler misiniz?",
                ]
            )
        )
        exp = expiry(rng, "tr")
        if exp.style in ("month-year", "slash-long") and rng.random() < 0.6:
            spoken_year = tr_number(int(exp.text[-4:])).split()[-1]
            case, template = rng.choice([("dat", "{v} kadar geçerli."), ("loc", "{v} doluyor.")])
            c.call.say(
                template,
                v=ent(
                    "CARD_EXPIRY",
                    exp,
                    style=f"{exp.style}+suffix",
                    tail="'" + tr_suffix(spoken_year, case),
                ),
            )
        else:
            c.call.say(
                c.pick(["{v}.", "{v} yazıyor.", "Ay ve yıl {v}."]), v=ent("CARD_EXPIRY", exp)
            )
    if rng.random() < 0.85:
        if brand == "amex":
            c.call.say("Bir de kartın ön yüzündeki dört haneli kodu alayım.")
            value = cvv(rng, "tr", length=4)
        else:
            c.call.say(
                c.pick(
                    [
                        "CVC kodu nedir?",
                        "Kartın arkasındaki son üç rakam?",
                        "Arka yüzdeki üç haneli numarayı da alabilir miyim?",
                        "İmza bandının yanındaki üç rakamı söyler misiniz?",
                    ]
                )
            )
            value = cvv(rng, "tr")
        c.call.say(c.pick(["{v}.", "{v}, tamam mı?", "Şey, {v}."]), v=ent("CARD_CVV", value))
    amount = rng.choice(["349 lira 90 kuruş", "yüz seksen dokuz lira", "1.250 TL", "₺219,90"])
    c.call.say(
        "Teşekkürler, {amount} tahsil edildi, dekont e-postanıza gelecek.",
        amount=Neg("price", amount),
    )


def tr_tckn(c: Ctx) -> None:
    rng = c.rng
    c.call.say(
        c.pick(
            [
                "Güvenlik için TC'nizi alabilir miyim?",
                "Kimliğinizin son dört hanesi değil, tamamı lazım.",
                "T.C. numaranızı teyit edeyim.",
                "Hat sahibi olduğunuzu doğrulamak için kimlik numaranız?",
            ]
        )
    )
    value = tckn(rng)
    spoken = say_digits(value, "tr", rng, rng.choice([(3, 3, 3, 2), (2, 2, 2, 2, 3), (11,)]))
    if spoken.style in ("digits", "spaced") and rng.random() < 0.4:
        spoken = Spoken(f"{value[:3]} {value[3:6]} {value[6:9]} {value[9:]}", "3-3-3-2")
    c.call.say(
        c.pick(["{v}.", "Tabii, {v}.", "Hemen söyleyeyim, {v}."]), v=ent("NATIONAL_ID", spoken)
    )
    c.call.say("Teşekkürler, kaydınız açıldı.")


def tr_tckn_volunteered(c: Ctx) -> None:
    rng = c.rng
    value = tckn(rng)
    spoken = say_digits(value, "tr", rng, (3, 3, 3, 2))
    c.call.say(
        c.pick(
            [
                "TC kimlik numaram {v}, onunla bakabilir misiniz?",
                "Hemen vereyim, TC'm {v}.",
                "Numaramı hatırlamıyorum ama TC numaram {v}.",
            ]
        ),
        v=ent("NATIONAL_ID", spoken),
    )
    c.call.say("Buldum, teşekkür ederim.")


def tr_tax(c: Ctx) -> None:
    rng = c.rng
    value = vkn(rng)
    spoken = say_digits(value, "tr", rng, rng.choice([(3, 3, 4), (10,), (2, 2, 2, 2, 2)]))
    c.call.say(c.pick(["Şirketim adına fatura istiyorum.", "Faturayı kurumsal kesebilir misiniz?"]))
    c.call.say(
        c.pick(
            [
                "Vergi numaram {v}.",
                "Vergi kimlik numarası {v}, vergi dairesi Kadıköy.",
                "Tabii, VKN'miz {v}.",
                "Şirketin vergi no'su {v}.",
            ]
        ),
        v=ent("TAX_ID", spoken),
    )
    c.call.say("Kurumsal faturanız bir sonraki dönemde böyle kesilecek.")


def tr_iban(c: Ctx) -> None:
    rng = c.rng
    c.call.say(
        c.pick(
            [
                "Fazla ödediğim tutarın iadesini istiyorum.",
                "Cayma bedeli iadesini hesabıma alabilir miyim?",
            ]
        )
    )
    c.call.say(
        c.pick(
            [
                "Tabii, IBAN'ınızı alayım.",
                "İade için IBAN bilginiz lazım.",
                "Hangi hesaba yatıralım?",
            ]
        )
    )
    value = iban_tr(rng)
    spoken = say_iban(value, "tr", rng)
    c.call.say(c.pick(["{v}.", "IBAN'ım {v}.", "Maaş hesabım, {v}."]), v=ent("IBAN", spoken))
    days = rng.choice(["3 iş günü", "beş iş günü", "7 gün"])
    c.call.say("İade {days} içinde hesabınızda olur.", days=Neg("duration", days))


def tr_bank_account(c: Ctx) -> None:
    rng = c.rng
    branch = digits_of(rng, 4, lead="0123456789")
    account = digits_of(rng, rng.choice([7, 8]))
    c.call.say("İadeyi IBAN yerine hesap numarasına yapabilir misiniz?")
    c.call.say("Şube kodu ve hesap numaranızı alayım.")
    c.call.say(
        "Şube kodu {b}, hesap numaram {a}.",
        b=ent("BANK_ACCOUNT", say_digits(branch, "tr", rng, (4,)), style="branch"),
        a=ent("BANK_ACCOUNT", say_digits(account, "tr", rng, (4, 4)), style="account"),
    )


def tr_customer_id(c: Ctx) -> None:
    rng = c.rng
    value = digits_of(rng, rng.choice([8, 9, 10]))
    spoken = say_digits(value, "tr", rng, (4, 4, 2) if len(value) == 10 else (4, 4, 1))
    if rng.random() < 0.15:
        spoken = Spoken(f"OC-{value[:4]}-{value[4:8]}", "alnum")
    c.call.say(
        c.pick(
            [
                "Müşteri no'm {v}, paketimi değiştirmek istiyorum.",
                "Abonelik numaram {v}.",
                "Müşteri numaranızı alabilir miyim? - {v}.",
                "Hizmet numaram {v}, modemim arızalı.",
                "Faturada müşteri no yazıyor: {v}.",
            ]
        ),
        v=ent("CUSTOMER_ID", spoken),
    )


def tr_code(c: Ctx) -> None:
    rng = c.rng
    c.call.say(
        c.pick(
            [
                "Telefonunuza bir SMS gönderdim, içindeki kodu okur musunuz?",
                "Size tek seferlik bir şifre ilettim.",
                "Cep telefonunuza OTP gönderildi, söyler misiniz?",
                "Mesajla gelen onay kodunu alayım.",
            ]
        )
    )
    value = code(rng, "tr")
    c.call.say(
        c.pick(["Kod {v}.", "Geldi, {v}.", "OTP {v}.", "{v}."]), v=ent("VERIFICATION_CODE", value)
    )
    if rng.random() < 0.3:
        last = value.text.split()[-1]
        if last.isdigit():
            said = tr_group_words(last).split()[-1]
            repeat = ent("VERIFICATION_CODE", value, tail="'" + tr_suffix(said, "acc"))
        else:
            repeat = Ent("VERIFICATION_CODE", value.text + tr_suffix(last, "acc"), value.style)
        c.call.say("{v} giriyorum.", v=repeat)
    c.call.say("Teşekkürler, doğrulandı.")


def tr_dob(c: Ctx) -> None:
    rng = c.rng
    value, last = dob(rng, "tr")
    how = rng.randrange(4)
    if how == 0:
        c.call.say("Doğum tarihinizi alabilir miyim?")
        c.call.say(c.pick(["{v}.", "Doğum günüm {v}."]), v=ent("DATE_OF_BIRTH", value))
    elif how == 1:
        c.call.say("Doğum günüm {v}, sistemde yanlış yazılmış.", v=ent("DATE_OF_BIRTH", value))
    elif how == 2:
        c.call.say("Ne zaman doğdunuz?")
        tail = (
            "'" + tr_suffix(last, "loc")
            if value.style in ("dotted", "slashed", "day-month-year", "short-year")
            else ""
        )
        if tail:
            c.call.say("{v} doğdum.", v=ent("DATE_OF_BIRTH", value, tail=tail))
        else:
            c.call.say("{v}.", v=ent("DATE_OF_BIRTH", value))
    else:
        c.call.say(
            "Kimlikteki doğum tarihim {v}, bir de ona bakar mısınız?", v=ent("DATE_OF_BIRTH", value)
        )


def tr_phone_block(c: Ctx) -> None:
    rng = c.rng
    number = tr_phone(rng)
    spoken = say_tr_phone(number, rng)
    how = rng.randrange(5)
    if how == 0:
        c.call.say("Sizi hangi numaradan arayalım?")
        c.call.say("{v}.", v=ent("PHONE_NUMBER", spoken))
    elif how == 1:
        c.call.say("Cep numaram {v}, oradan ulaşabilirsiniz.", v=ent("PHONE_NUMBER", spoken))
    elif how == 2:
        last = spoken.text.split()[-1]
        if last[-1].isdigit():
            group = last.replace("(", " ").replace(")", " ").replace(".", " ").split()[-1]
            spoken_last = tr_group_words(group[-2:]).split()[-1]
            tail = "'" + tr_suffix(spoken_last, "dat")
            c.call.say("Teknisyen {v} numarasını arasın.", v=ent("PHONE_NUMBER", spoken))
            c.call.say("Kodu da {v} gönderin lütfen.", v=ent("PHONE_NUMBER", spoken, tail=tail))
        else:
            suffixed = Spoken(spoken.text + tr_suffix(last, "dat"), spoken.style + "+suffix")
            c.call.say("Bilgilendirme mesajlarını {v} gönderin.", v=ent("PHONE_NUMBER", suffixed))
    elif how == 3:
        c.call.say("WhatsApp'tan yazabilirsiniz, numaram {v}.", v=ent("PHONE_NUMBER", spoken))
    else:
        landline = "0" + rng.choice(["212", "216", "312", "232"]) + digits_of(rng, 7, lead="2345")
        spoken = say_tr_phone(landline, rng)
        c.call.say(
            "Evin sabit hattı {v}.", v=ent("PHONE_NUMBER", spoken, style="landline-" + spoken.style)
        )


def tr_email_block(c: Ctx) -> None:
    value = email(c.customer, "tr", c.rng)
    c.call.say(
        c.pick(
            [
                "E-faturayı mail adresime gönderin: {v}.",
                "Mail adresim {v}.",
                "E-posta adresimi güncelleyelim, yenisi {v}.",
                "Faturalar {v} adresine gelsin.",
            ]
        ),
        v=ent("EMAIL_ADDRESS", value),
    )
    c.call.say("Güncelledim, onay maili gelecek.")


def tr_address_block(c: Ctx) -> None:
    value, province = tr_address(c.rng)
    how = c.rng.randrange(4)
    if how == 0:
        c.call.say("Yeni modemi hangi adrese gönderelim?")
        c.call.say("{v}.", v=ent("ADDRESS", value))
    elif how == 1:
        c.call.say("Taşındım, yeni adresim {v}.", v=ent("ADDRESS", value))
    elif how == 2:
        c.call.say("Teknisyen nereye gelsin?")
        tail = "'" + tr_suffix(province, "dat")
        c.call.say(
            "{v}, kapıda zil var.",
            v=ent("ADDRESS", value, style=value.style + "+suffix", tail=tail),
        )
    else:
        c.call.say("Fatura adresi {v} olarak görünüyor, doğru mu?", v=ent("ADDRESS", value))
        c.call.say("Evet, doğru.")
    c.call.say(
        "Kargo {n} içinde ulaşır.", n=Neg("duration", c.pick(["2 gün", "iki iş günü", "48 saat"]))
    )


def tr_mention(c: Ctx) -> None:
    """A name with a case ending, said in passing."""
    rng = c.rng
    case = rng.choice(["dat", "gen", "acc", "abl"])
    other = c.names.person("tr", female=True if case == "dat" else None)
    tail = "'" + tr_suffix(other.given, case)
    templates = {
        "dat": "Hattı geçen ay kızım {n} aldım, onun faturası da bana geliyor.",
        "gen": "Eşim {n} hattı da aynı pakette, onu da kontrol eder misiniz?",
        "acc": "Dün arkadaşınız {n} aradım ama bağlantı koptu.",
        "abl": "Geçen hafta {n} bilgi almıştım, şimdi tekrar arıyorum.",
    }
    c.call.say(templates[case], n=_name(other, "given", f"suffix-{case}", tail=tail))
    if rng.random() < 0.5:
        tail = "'" + tr_suffix(c.customer.surname, "gen")
        c.call.say(
            "Aile paketi {s} hesabında görünüyor.",
            s=_name(c.customer, "surname", "suffix-gen", tail=tail),
        )


_TR_NEGATIVES = (
    ("Bu ay faturam {a} gelmiş, normalde {b} ödüyordum.", {
        "a": ("price", ["349 lira 90 kuruş", "412,50 TL", "dört yüz yirmi lira", "₺289,90"]),
        "b": ("price", ["299 lira", "elli dokuz lira doksan kuruş", "199,90 TL"])}),
    ("{a} internetim bitti, ek paket almak istiyorum.", {
        "a": ("data", ["50 GB", "Yirmi gigabaytlık", "10 GB'lık", "8 GB"])}),
    ("Teknisyen {a} {b} gelecek.", {
        "a": ("date", ["15 Mart'ta", "yarın", "cuma günü", "ayın 20'sinde"]),
        "b": ("time", ["saat üçte", "saat 14:30'da", "öğleden sonra ikide", "sabah dokuzda"])}),
    ("{a} aradım, kimse dönmedi.", {
        "a": ("count", ["İki kez", "3 defa", "Dört beş kere", "Üçüncü kez"])}),
    ("{a} kullanıyorum, {b} modem de sizden.", {
        "a": ("product", ["iPhone 15", "Galaxy S23", "Redmi Note 12", "iPhone 13 Pro"]),
        "b": ("product", ["Octopus 5G", "Octopus Fiber 100", "AX3000"])}),
    ("{a} beri müşterinizim, {b} indirim hakkım var mı?", {
        "a": ("year", ["2019'dan", "2015'ten", "on yıldan"]),
        "b": ("percent", ["yüzde 20", "%15", "yüzde on"])}),
    ("Taahhüdüm {a}, hız testinde {b} çıkıyor.", {
        "a": ("duration", ["24 ay", "12 ay", "on iki ay"]),
        "b": ("speed", ["8 Mbps", "on iki megabit", "35 Mbps"])}),
    ("Şifremi unuttum, uygulamaya giremiyorum. Bir de faturam {a} gelmiş.", {
        "a": ("price-after-cue", ["420 lira", "yüz elli lira", "1.180 TL"])}),
    ("Kart numaramı kaydetmeyin, bu sefer havale yapacağım, tutar {a}.", {
        "a": ("price-after-cue", ["750 lira", "iki yüz doksan dokuz lira", "1.499 TL"])}),
    ("Kampanya {a} kadar geçerli, {b} ücretsiz.", {
        "a": ("date", ["30 Nisan'a", "ay sonuna", "31 Aralık'a"]),
        "b": ("duration", ["ilk 3 ay", "ilk iki ay", "6 ay"])}),
    ("Menüde {a} bastım, sonra {b} tuşladım.", {
        "a": ("menu", ["2'ye", "üçe", "1'e"]),
        "b": ("menu", ["4", "sıfırı", "9"])}),
)  # fmt: skip


def _negatives(
    c: Ctx, table: Sequence[tuple[str, dict[str, tuple[str, list[str]]]]], n: int
) -> None:
    for template, slots in c.rng.sample(list(table), n):
        c.call.say(template, **{k: Neg(kind, c.rng.choice(v)) for k, (kind, v) in slots.items()})


def tr_negative(c: Ctx) -> None:
    _negatives(c, _TR_NEGATIVES, 1)


def tr_negative_pair(c: Ctx) -> None:
    _negatives(c, _TR_NEGATIVES, 2)


def tr_known(c: Ctx) -> None:
    """The customer's name and phone in the metadata, said later with no cue around them."""
    number = tr_phone(c.rng)
    c.call.known = {"name": c.customer.full, "phone": number}
    spoken = say_tr_phone(number, c.rng)
    if spoken.style in ("grouped", "digit-words", "plus-words", "pairs"):
        spoken = Spoken(f"{number[:4]} {number[4:7]} {number[7:9]} {number[9:]}", "spaced")
    c.call.say(
        c.pick(
            [
                "Kayıtlarda {n} görünüyor, siz misiniz?",
                "Sistemde {n} var, bilgileriniz güncel mi?",
            ]
        ),
        n=_name(c.customer, "full", "known-no-cue"),
    )
    c.call.say(
        c.pick(["Dün {p} hattından aradım, hat düştü.", "{p} hâlâ aktif mi?"]),
        p=ent("PHONE_NUMBER", spoken, style="known-" + spoken.style),
    )


def tr_close(c: Ctx) -> None:
    c.call.say(
        c.pick(
            [
                "Başka bir konuda yardımcı olabilir miyim? - Yok, teşekkürler, iyi günler.",
                "Talebiniz oluşturuldu, iyi günler dilerim.",
                "Rica ederim, Octopus Chat'i tercih ettiğiniz için teşekkürler.",
            ]
        )
    )


# --- English calls -------------------------------------------------------------------------


def en_open(c: Ctx) -> None:
    agent, cust, rng = c.agent, c.customer, c.rng
    greeting = c.pick(
        [
            "Good morning, you're through to Octopus Chat, my name's {agent}, how can I help?",
            "Octopus Chat customer services, {agent} speaking.",
            "Hiya, thanks for holding, it's {agent} at Octopus Chat.",
            "Hello, Octopus Chat, you're speaking with {agent}.",
            "Thank you for calling Octopus Chat, this call may be recorded. I'm {agent}, what can"
            " I do for you?",
        ]
    )
    c.call.say(
        greeting,
        agent=_name(agent, "full" if rng.random() < 0.3 else "given", "agent-intro"),
    )
    how = rng.randrange(7)
    if how == 0:
        c.call.say(
            "Hi {agent}, it's {cust} here.",
            agent=_name(agent, "given", "hi-name"),
            cust=_name(cust, "full", "its-here"),
        )
    elif how == 1:
        c.call.say(
            "Morning, {cust} speaking, I've got a problem with my broadband.",
            cust=_name(cust, "full", "speaking"),
        )
    elif how == 2:
        c.call.say("Hi, I'm ringing about my bill.")
        c.call.say("No problem, can I take your full name please?")
        c.call.say("Yeah, {cust}.", cust=_name(cust, "full", "answer-only"))
    elif how == 3:
        c.call.say("Hello, my internet keeps dropping.")
        c.call.say("Sorry to hear that. Who am I speaking to?")
        c.call.say("{cust}, I'm the account holder.", cust=_name(cust, "full", "answer-only"))
    elif how == 4:
        relative = c.names.person("en")
        relative = Person(relative.given, cust.surname, relative.female)
        who = rng.choice(["mum", "wife"] if relative.female else ["dad", "husband"])
        c.call.say(
            "Hi, I'm calling on behalf of my " + who + ", {rel}, it's in their name.",
            rel=_name(relative, "full", "on-behalf"),
        )
        c.call.say("That's fine, and your name?")
        c.call.say("{given}.", given=_name(cust, "given", "answer-only"))
    elif how == 5:
        c.call.say(
            "Hi, the account's under {cust} name.",
            cust=_name(cust, "full", "possessive", tail="'s"),
        )
    else:
        c.call.say(
            "Hello, surname {s}, that's {spelled}.",
            s=_name(cust, "surname", "surname-cue"),
            spelled=Ent("PERSON", " ".join(cust.surname.upper()), "spelled"),
        )
    if rng.random() < 0.6:
        title = rng.choice(["Mrs", "Ms", "Miss"]) if cust.female else "Mr"
        dot = "." if title != "Miss" and rng.random() < 0.4 else ""
        if rng.random() < 0.5:
            c.call.say(
                "Thanks, " + title + dot + " {s}, let me bring up the account.",
                s=_name(cust, "surname", "title"),
            )
        else:
            c.call.say("Lovely, thank you {g}.", g=_name(cust, "given", "thank-you"))


def en_card(c: Ctx) -> None:
    rng = c.rng
    brand = rng.choice(["visa", "visa", "mastercard", "mastercard", "amex"])
    c.call.say(
        c.pick(
            [
                "I'd like to settle my bill.",
                "Can I pay the overdue balance now?",
                "I want to change the card the direct debit comes from.",
            ]
        )
    )
    ask = c.pick(
        [
            "Go ahead with the long number across the front of the card.",
            "What's the sixteen-digit number on the card?",
            "Can you read me the card number, in fours is fine.",
            "OK, and the number on the front of the card?",
        ]
    )
    if brand == "amex":
        ask = "Can you read me the fifteen digits on the front?"
    c.call.say(ask)
    digits, spoken = card(rng, "en", brand)
    style = f"{brand}-{spoken.style}"
    if rng.random() < 0.15:
        spoken = say_number(
            mishear(digits, rng),
            (4, 6, 5) if brand == "amex" else (4,) * 4,
            "en",
            rng,
            styles=("spaced", "words", "pairs", "digits"),
        )
        style = f"{brand}-luhn-broken-{spoken.style}"
    c.call.say(
        c.pick(["{v}.", "Yeah, it's {v}.", "Right, {v}."]),
        v=ent("CARD_NUMBER", spoken, style=style),
    )
    if rng.random() < 0.85:
        c.call.say(
            c.pick(
                [
                    "And the expiry month and year?",
                    "What's the end date on it?",
                    "When does it run out?",
                    "And it's valid until?",
                ]
            )
        )
        c.call.say(
            c.pick(["{v}.", "Says {v}.", "Erm, {v}."]), v=ent("CARD_EXPIRY", expiry(rng, "en"))
        )
    if rng.random() < 0.85:
        if brand == "amex":
            c.call.say("And the four-digit code printed on the front?")
            value = cvv(rng, "en", length=4)
        else:
            c.call.say(
                c.pick(
                    [
                        "And the last three digits on the back?",
                        "The CVC, please?",
                        "Three-digit number on the signature strip?",
                    ]
                )
            )
            value = cvv(rng, "en")
        c.call.say(c.pick(["{v}.", "That's {v}.", "{v}, I think."]), v=ent("CARD_CVV", value))
    c.call.say(
        "Thanks, that's {a} taken, you'll get a receipt by email.",
        a=Neg("price", rng.choice(["£24.99", "£112.40", "forty-two pounds fifty", "$59"])),
    )


def en_national(c: Ctx) -> None:
    rng = c.rng
    if rng.random() < 0.75:
        value = ni_number(rng)
        style = rng.choice(["spaced", "compact", "spelled"])
        if style == "spaced":
            text = f"{value[:2]} {value[2:4]} {value[4:6]} {value[6:8]} {value[8]}"
        elif style == "compact":
            text = value
        else:
            text = f"{value[0]} {value[1]}, {en_digit_words(value[2:8], rng)}, {value[8]}"
        c.call.say(
            c.pick(
                [
                    "For the contract I need your National Insurance number.",
                    "Could I take your NI number for the credit check?",
                ]
            )
        )
        c.call.say(c.pick(["{v}.", "It's {v}."]), v=Ent("NATIONAL_ID", text, f"ni-{style}"))
    else:
        area = f"{rng.randint(100, 665)}"
        ssn = f"{area}{rng.randint(10, 99)}{rng.randint(1000, 9999)}"
        spoken = say_digits(ssn, "en", rng, (3, 2, 4))
        c.call.say(
            "I moved over from the States, the form wanted my SSN, so it's {v}.",
            v=ent("NATIONAL_ID", spoken, style="ssn-" + spoken.style),
        )


def en_tax(c: Ctx) -> None:
    rng = c.rng
    if rng.random() < 0.6:
        value = digits_of(rng, 10)
        spoken = say_digits(value, "en", rng, (5, 5))
        c.call.say(
            "I'm self-employed, the invoice needs my UTR, which is {v}.",
            v=ent("TAX_ID", spoken, style="utr-" + spoken.style),
        )
    else:
        value = digits_of(rng, 9)
        c.call.say(
            "Put our VAT number on the invoice please, {v}.",
            v=Ent("TAX_ID", f"GB {value[:3]} {value[3:7]} {value[7:]}", "vat"),
        )


def en_iban(c: Ctx) -> None:
    rng = c.rng
    c.call.say(
        c.pick(["I was overcharged and want a refund.", "Can the credit go back to my bank?"])
    )
    c.call.say(c.pick(["Sure, what's the IBAN?", "Of course, I'll need your IBAN."]))
    value = iban_gb(rng)
    c.call.say(c.pick(["{v}.", "It's {v}."]), v=ent("IBAN", say_iban(value, "en", rng)))
    c.call.say(
        "It'll be with you in {d}.",
        d=Neg("duration", rng.choice(["3 to 5 working days", "five working days", "a week"])),
    )


def en_bank(c: Ctx) -> None:
    rng = c.rng
    sort = digits_of(rng, 6, lead="1234567890")
    account = digits_of(rng, 8)
    c.call.say("Can I have the refund by bank transfer?")
    c.call.say("Sure, sort code and account number please.")
    sort_style = rng.choice(["dashed", "words", "pairs"])
    if sort_style == "dashed":
        sort_text = f"{sort[:2]}-{sort[2:4]}-{sort[4:]}"
    elif sort_style == "words":
        sort_text = ", ".join(en_digit_words(g, rng) for g in split_groups(sort, (2, 2, 2)))
    else:
        sort_text = ", ".join(en_pairs(g, rng) for g in split_groups(sort, (2, 2, 2)))
    c.call.say(
        "Sort code {s}, account number {a}.",
        s=Ent("BANK_ACCOUNT", sort_text, f"sort-{sort_style}"),
        a=ent("BANK_ACCOUNT", say_digits(account, "en", rng, (4, 4)), style="account"),
    )


def en_customer_id(c: Ctx) -> None:
    rng = c.rng
    value = digits_of(rng, rng.choice([8, 9, 10]))
    spoken = say_digits(value, "en", rng, (4, 4, 2) if len(value) == 10 else (4, 4, 1))
    if rng.random() < 0.2:
        spoken = Spoken(f"OCT-{value[:4]}-{value[4:8]}", "alnum")
    c.call.say(
        c.pick(
            [
                "My customer reference is {v}.",
                "The customer number on the letter is {v}.",
                "Have you got your account number? - Yes, {v}.",
                "It's customer no. {v}, I'm moving house.",
            ]
        ),
        v=ent("CUSTOMER_ID", spoken),
    )


def en_code(c: Ctx) -> None:
    rng = c.rng
    value = code(rng, "en")
    asks = [
        "I've just sent a one-time passcode to your mobile, can you read it out?",
        "You should have an OTP by text now.",
    ]
    if len([c for c in value.text if c.isdigit()]) == 6 or value.style in ("words", "pairs"):
        asks.append("There's a code on its way to your phone.")
    c.call.say(c.pick(asks))
    c.call.say(
        c.pick(["Got it, {v}.", "It's {v}.", "The OTP is {v}."]),
        v=ent("VERIFICATION_CODE", value),
    )
    c.call.say("Brilliant, you're verified.")


def en_dob(c: Ctx) -> None:
    value, _ = dob(c.rng, "en")
    how = c.rng.randrange(4)
    if how == 0:
        c.call.say("And your date of birth?")
        c.call.say("{v}.", v=ent("DATE_OF_BIRTH", value))
    elif how == 1:
        c.call.say("My date of birth is {v}, if you need it.", v=ent("DATE_OF_BIRTH", value))
    elif how == 2:
        c.call.say("I was born on {v}, the system has it wrong.", v=ent("DATE_OF_BIRTH", value))
    else:
        c.call.say("Can I check your DOB?")
        c.call.say("Yeah, {v}.", v=ent("DATE_OF_BIRTH", value))


def en_phone_block(c: Ctx) -> None:
    rng = c.rng
    spoken = say_us_phone(rng) if rng.random() < 0.2 else say_uk_phone(uk_phone(rng), rng)
    if rng.random() < 0.25:
        c.call.say("What's the best number to reach you on?")
        c.call.say("{v}.", v=ent("PHONE_NUMBER", spoken))
        return
    c.call.say(
        c.pick(
            [
                "My mobile's {v}, ring me on that.",
                "You can text me on {v}.",
                "Is the number on the account still {v}?",
                "Best to reach me on {v} after six.",
            ]
        ),
        v=ent("PHONE_NUMBER", spoken),
    )


def en_email_block(c: Ctx) -> None:
    value = email(c.customer, "en", c.rng)
    c.call.say(
        c.pick(
            [
                "Can you email the bill to {v}?",
                "My email's {v}.",
                "The new email address is {v}.",
            ]
        ),
        v=ent("EMAIL_ADDRESS", value),
    )
    c.call.say("Updated, you'll get a confirmation shortly.")


def en_address_block(c: Ctx) -> None:
    value = uk_address(c.rng)
    how = c.rng.randrange(3)
    if how == 0:
        c.call.say("Where should we send the new router?")
        c.call.say("{v}.", v=ent("ADDRESS", value))
    elif how == 1:
        c.call.say("I've moved, the new address is {v}.", v=ent("ADDRESS", value))
    else:
        c.call.say("I've got you at {v}, is that right?", v=ent("ADDRESS", value))
        c.call.say("Yes, that's it.")
    c.call.say("It'll arrive in {d}.", d=Neg("duration", c.pick(["2 days", "two to three days"])))


def en_postcode(c: Ctx) -> None:
    _city, area = c.rng.choice(_UK_PLACES)
    postcode = uk_postcode(c.rng, area)
    c.call.say("Can I check the postcode on the account?")
    c.call.say("{v}.", v=Ent("ADDRESS", postcode, "postcode-only"))
    c.call.say("Thanks, that matches.")


def en_mention(c: Ctx) -> None:
    other = c.names.person("en")
    c.call.say(
        c.pick(
            [
                "I spoke to {n} last week and he said it'd be sorted.",
                "Your colleague {n} promised me a call back.",
                "Can you add {n} as a second account holder?",
            ]
        ),
        n=_name(other, "full" if c.rng.random() < 0.5 else "given", "mention"),
    )


_EN_NEGATIVES = (
    ("My bill went up to {a}, it used to be {b}.", {
        "a": ("price", ["£34.99", "forty-two pounds", "£112.40"]),
        "b": ("price", ["£24.99", "twenty-nine ninety-nine", "$15 a month"])}),
    ("I'm on the {a} plan and it's run out already.", {
        "a": ("data", ["50 GB", "100GB", "twenty gig"])}),
    ("Your next bill is {a}, the engineer comes {b}.", {
        "a": ("date", ["on the 5th of June", "due on the 28th", "on Friday the 14th"]),
        "b": ("time", ["at half past two", "around four o'clock", "between 8 and 1"])}),
    ("I've rung {a} now, this is the {b} time.", {
        "a": ("count", ["3 times", "four times", "twice"]),
        "b": ("order", ["second", "third", "4th"])}),
    ("It's an {a} on the {b} router.", {
        "a": ("product", ["iPhone 15", "iPhone 13 Pro", "Galaxy S24"]),
        "b": ("product", ["Octopus 5G", "Octopus Hub 3", "AX3000"])}),
    ("I've been with you {a} and the contract is {b}.", {
        "a": ("year", ["since 2019", "for 10 years", "since twenty eighteen"]),
        "b": ("duration", ["12 months", "twenty-four months", "18-month"])}),
    ("I forgot my PIN, so I can't log in. Also the bill says {a}.", {
        "a": ("price-after-cue", ["£42.50", "sixty pounds", "£18"])}),
    ("My card number changed but I'll pay by transfer this time, it's {a}.", {
        "a": ("price-after-cue", ["60 pounds", "£75.20", "ninety quid"])}),
    ("I pressed {a} on the menu and waited {b}.", {
        "a": ("menu", ["option 2", "three", "1"]),
        "b": ("duration", ["20 minutes", "half an hour", "45 minutes"])}),
    ("The speed test says {a}, I pay for {b}.", {
        "a": ("speed", ["8 meg", "12 Mbps", "three megabits"]),
        "b": ("speed", ["500 Mbps", "a hundred meg", "900"])}),
)  # fmt: skip


def en_negative(c: Ctx) -> None:
    _negatives(c, _EN_NEGATIVES, 1)


def en_negative_pair(c: Ctx) -> None:
    _negatives(c, _EN_NEGATIVES, 2)


def en_known(c: Ctx) -> None:
    number = uk_phone(c.rng)
    c.call.known = {"name": c.customer.full, "phone": number}
    spoken = say_uk_phone(number, c.rng)
    c.call.say(
        c.pick(["We've got a letter here for {n}, is that you?", "The contract is with {n}."]),
        n=_name(c.customer, "full", "known-no-cue"),
    )
    c.call.say(
        c.pick(["I rang from {p} yesterday but it cut off.", "Is {p} still working?"]),
        p=ent("PHONE_NUMBER", spoken, style="known-" + spoken.style),
    )


def en_close(c: Ctx) -> None:
    c.call.say(
        c.pick(
            [
                "Anything else I can help with? - No, that's all, cheers.",
                "Thanks for calling Octopus Chat, have a good day.",
                "Right, that's all done for you, bye now.",
            ]
        )
    )


Block = Callable[[Ctx], None]
BLOCKS: dict[str, list[tuple[Block, float]]] = {
    "tr": [
        (tr_card, 1.3), (tr_tckn, 1.0), (tr_tckn_volunteered, 0.4), (tr_tax, 0.6),
        (tr_iban, 0.9), (tr_bank_account, 0.4), (tr_customer_id, 0.8), (tr_code, 0.9),
        (tr_dob, 0.9), (tr_phone_block, 1.1), (tr_email_block, 0.9), (tr_address_block, 1.0),
        (tr_mention, 0.6),
    ],
    "en": [
        (en_card, 1.3), (en_national, 0.8), (en_tax, 0.5), (en_iban, 0.7), (en_bank, 0.6),
        (en_customer_id, 0.8), (en_code, 0.9), (en_dob, 0.9), (en_phone_block, 1.1),
        (en_email_block, 0.9), (en_address_block, 1.0), (en_postcode, 0.3), (en_mention, 0.5),
    ],
}  # fmt: skip


def make_call(rng: random.Random, names: Names, lang: str) -> Call:
    call = Call(lang)
    ctx = Ctx(rng, names, call, names.person(lang), names.person(lang))
    (tr_open if lang == "tr" else en_open)(ctx)
    blocks, weights = zip(*BLOCKS[lang], strict=True)
    count = rng.choice([0, 1, 1, 1, 2, 2, 3])
    chosen: list[Block] = []
    while len(chosen) < count:
        block = rng.choices(blocks, weights)[0]
        if block not in chosen:
            chosen.append(block)
    slots = list(chosen)
    negatives = rng.choice([0, 1, 1, 2])
    if negatives == 1:
        slots.append(tr_negative if lang == "tr" else en_negative)
    elif negatives == 2:
        slots.append(tr_negative_pair if lang == "tr" else en_negative_pair)
    rng.shuffle(slots)
    if rng.random() < 0.1:
        slots.insert(rng.randint(0, len(slots)), tr_known if lang == "tr" else en_known)
    for block in slots:
        block(ctx)
    (tr_close if lang == "tr" else en_close)(ctx)
    return call


def generate(seed: int, count: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    names = Names(rng)
    rows = []
    for index in range(count):
        lang = "en" if index % 3 == 2 else "tr"
        rows.append(make_call(rng, names, lang).row(f"ch-{index:04d}"))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    default = Path(tempfile.gettempdir()) / "redaction-challenge.jsonl"
    parser.add_argument("--out", type=Path, default=default, help=f"default: {default}")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--count", type=int, default=600)
    args = parser.parse_args(argv)
    rows = generate(args.seed, args.count)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as sink:
        for row in rows:
            sink.write(json.dumps(row, ensure_ascii=False) + "\n")
    entities = sum(len(row["entities"]) for row in rows)
    print(f"wrote {len(rows)} calls, {entities} entities to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
