"""Spoken and written numbers as candidate digit strings, each digit mapped to where it was said.

A speech recogniser writes a number as digits ("4562"), digit words ("dört beş altı iki",
"four five six two", "oh"), grouped number words ("beş yüz otuz iki", "forty-five",
"one hundred and twelve"), or any mix ("0 five three two", "532, 41 82, doksan"), in chunks
separated by spaces and punctuation. This module finds those stretches and reads them.

**Tokens.** ``tokenize`` cuts the text into digit strings and letter strings (Python ``str``
offsets), each with an optional apostrophe suffix ("90'ı", "2025'te", "Chat'e"); a Turkish
case ending or English ordinal glued to digits ("2025te", "23rd") stays with its digits.
Hyphens split words ("twenty-eight" is two tokens). Matching lower-cases with Turkish rules
(``İ→i``, ``I→ı``) and, for English words, ordinary ones; common ASCII spellings of Turkish
number words ("sifir", "dort", "bes", "alti", "kirk", "yuz") are accepted too.

**Number tokens.**

- digits: ``[0-9]+``; taken literally, leading zeros kept ("0532" gives "0532").
- Turkish: sıfır, bir … dokuz, on, yirmi … doksan, yüz, bin, milyon.
- English: zero, nought, oh, o, one … nine, ten … nineteen, twenty … ninety, hundred,
  thousand, million; "a" before hundred/thousand/million; "double"/"triple"/"treble" before a
  single digit ("double five" is 55).
- Turkish case endings glued to a number word end its run: accusative, dative, locative,
  ablative, genitive, instrumental and copula with vowel harmony ("beşi", "dokuzu", "altmışa",
  "sıfırdır", "dörde", "üçte"). Not for "bir", "on" and "yüz", whose inflected forms are
  mostly other words ("biri" someone, "ona"/"onu" him/her, "yüzde" per cent, "yüzü" face);
  "altının" (the gold's) is excluded too. A suffix after an apostrophe is taken on any number
  token ("on'a", "90'ı").

**Language.** ``lang="tr"`` knows the Turkish words, ``lang="en"`` the English ones;
``lang=None`` (or anything else, "auto" say) knows both, but then the words that are ordinary
words in the other language need a neighbour: Turkish "on" (English preposition) and "bin"
(English noun) count only next to another Turkish number word, English "oh"/"o" (Turkish
pronoun "o") only next to another English number word. In English, "oh"/"o" always need some
number next to them ("Oh, I see" is no number).

**Runs.** A run is a maximal stretch of number tokens where consecutive tokens are separated
by nothing but whitespace and at most three of ``, . - / ( ) +`` and dashes; "and" joins too,
but only right after hundred/thousand/million ("one hundred and twelve"): elsewhere it joins
lists ("two and three"). Turkish "ve" never joins, for the same reason. A run ends at a
sentence end: "?", "!", ";", ":", "…", or a period followed by whitespace ("0532 418 27 90.
Bir dakika" keeps the "bir" out); a period inside digits ("12.10.1972", "24.99") joins.
``across_sentences=True`` joins across ". " as well, for numbers dictated with long pauses.
Leading "+" and "(" are not part of a run. A lone "bir"/"one" is a run of one digit:
downstream recognizers skip runs that are too short to be anything.

**Readings.** Inside a run, words compose like cardinal numbers: multipliers (yüz/hundred,
bin/thousand, milyon/million) scale what came before them in their group, and tens, teens and
units fill the free places ("iki bin altmış" is 2060, "sıfır yüz yetmiş altı" is "0176",
"three thousand seventy-five" is 3075). Turkish "yüz" and "bin" stand alone for 100 and 1000;
English allows "nineteen hundred" and "sixty-four hundred". Zeros and written digit strings
never compose with words, except that a digit string without a leading zero takes a
multiplier next to it ("5 yüz", "2 bin 25"). A run is split into *phrases*, each a complete
number written out as its value; the reading is their concatenation ("nineteen fifty-three"
is 19|53, "six twenty-six" is 6|26). Punctuation between tokens always ends a phrase; a space
or a hyphen inside a word does not. The split is often ambiguous ("yirmi üç" is 23 or 20|3,
"beş yüz iki yüz otuz dört" is 500|234 or 502|134), so ``readings`` ranks the splits: a point
per phrase, and one more per split a speaker would hardly make: inside a hyphenated word,
before a multiplier the phrase could have taken ("beş | yüz"), or before an English multiplier
left without its number ("five hundred two | hundred …"; Turkish says plain "yüz" for 100).
Splits more than ``MAX_EXTRA_COST`` points worse than the best are dropped, since every extra
reading is one more chance for a checksum to pass by luck; of the rest, at most
``MAX_READINGS`` distinct digit strings are returned, best first, ties going to the split with
the longer phrases first. A checksum or length test downstream picks. Punctuated chunks are
ranked on their own and combined best-first, so a run of many ambiguous chunks loses its least
likely combinations, never its best one.

Every reading maps each digit to the characters that said it: one character of a written
digit string, the whole word for a number word. ``NumberRun.digits`` and its ``pieces`` are
the best reading.

Cost: one pass over the tokens and a bounded look-ahead per number word (a phrase has at most
``MAX_PHRASE`` words); runs are cut at ``MAX_RUN`` tokens, so hostile input stays linear. An
hour-long call's transcript (60,000 characters) takes about 20 ms.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["digits", "zero", "unit", "teen", "tens", "hundred", "thousand", "million", "repeat"]

MAX_READINGS = 8
"""Readings returned per run: enough for the usual ambiguities of one or two chunks."""
MAX_EXTRA_COST = 1
"""Readings cost one per phrase, plus one per unnatural split; only those at most this much
worse than the best are kept: each extra reading is one more chance for a false positive."""
MAX_RUN = 128
"""Number tokens in one run at most (a spoken IBAN has about 35): longer stretches, which only
hostile input has, are cut, so that reading stays linear in the text."""
MAX_PHRASE = 16
"""Words in one phrase at most ("nine hundred ninety-nine thousand …" has nine)."""
_FULL_SEARCH = 64
"""Atoms in a chunk above which only its best reading is kept."""

_LETTER = r"(?:[^\W\d_]|[\u0300-\u036f])"
_APOSTROPHES = "'’ʼ"
# One alternation, no nested quantifiers: linear time, so no timeout is needed.
_TOKEN = re.compile(rf"([0-9]+|{_LETTER}+)((?:[{_APOSTROPHES}]{_LETTER}+)?)")
_SEPARATORS = frozenset(",.-/()+\u2010\u2011\u2012\u2013\u2014\u2212")
_HYPHENS = frozenset("-\u2010\u2011")
_MAX_PUNCT = 3
_HARMONY_I, _HARMONY_A = "ıiuü", "ae"
_DIGIT_SUFFIXES = frozenset(  # Turkish case endings and the copula, English ordinals
    [y + v for y in ("", "y") for v in _HARMONY_I + _HARMONY_A]
    + [d + a + s for d in "dt" for a in _HARMONY_A for s in ("", "n", "ki")]
    + [n + i + "n" for n in ("", "n") for i in _HARMONY_I]
    + [d + i + "r" for d in "dt" for i in _HARMONY_I]
    + [y + "l" + a for y in ("", "y") for a in _HARMONY_A]
    + ["st", "nd", "rd", "th", "s"]
)
_TURKISH_LOWER = str.maketrans({"İ": "i", "I": "ı"})
_PLAIN_LOWER = str.maketrans({"İ": "i"})


@dataclass(frozen=True, slots=True)
class Token:
    """A word or digit string of the text: ``text[start:end]``, suffix included."""

    start: int
    end: int
    text: str = field(repr=False)
    norm: str = field(repr=False)  # lower case with Turkish rules


@dataclass(frozen=True, slots=True)
class Piece:
    """One number token of a run and the digits it gives in the run's best reading.

    ``gap`` is the separator text between the previous piece and this one ("" for the first):
    spaces, punctuation or " and ", never personal data. ``value`` is a number word's value
    (2 or 3 for "double"/"triple"), -1 for a digit string, whose ``digits`` are all its own.
    """

    start: int
    end: int
    digits: str = field(repr=False)
    kind: Kind
    value: int = field(repr=False)
    lang: str
    gap: str


@dataclass(frozen=True, slots=True)
class NumberRun:
    """A stretch ``text[start:end]`` of number tokens, read as ``digits`` (its best reading)."""

    start: int
    end: int
    digits: str = field(repr=False)
    pieces: tuple[Piece, ...]


@dataclass(frozen=True, slots=True)
class Reading:
    """One way to read a run: ``spans[i]`` is the ``(start, end)`` of the text that said
    ``digits[i]``."""

    digits: str = field(repr=False)
    spans: tuple[tuple[int, int], ...]


# --- lexicon -------------------------------------------------------------------------------

Need = Literal["", "adjacent", "adjacent-tr", "adjacent-en", "multiplier", "digit"]


@dataclass(frozen=True, slots=True)
class _Word:
    kind: Kind
    value: int
    lang: str
    need: Need = ""  # what a neighbour must be for the word to count as a number
    suffixed: bool = False


_TR_UNITS = ("sıfır", "bir", "iki", "üç", "dört", "beş", "altı", "yedi", "sekiz", "dokuz")
_TR_TENS = ("on", "yirmi", "otuz", "kırk", "elli", "altmış", "yetmiş", "seksen", "doksan")
_TR_ASCII = {"sifir": "sıfır", "uc": "üç", "dort": "dört", "bes": "beş", "alti": "altı"}
_TR_ASCII |= {"kirk": "kırk", "altmis": "altmış", "yetmis": "yetmiş", "yuz": "yüz"}
_TR_UNINFLECTED = frozenset({"bir", "on", "yüz"})
_TR_NOT_NUMBERS = frozenset({"altının"})
_EN_UNITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_EN_TEENS = (
    "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen",
)  # fmt: skip
_EN_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_MULTIPLIERS: tuple[tuple[Kind, int], ...] = (
    ("hundred", 100),
    ("thousand", 1000),
    ("million", 10**6),
)
_VOWELS = "aıoueiöü"


def _inflections(stem: str) -> set[str]:
    """Case and copula forms of a Turkish number word, by vowel harmony."""
    last = next(c for c in reversed(stem) if c in _VOWELS)
    i4 = {"a": "ı", "ı": "ı", "o": "u", "u": "u", "e": "i", "i": "i", "ö": "ü", "ü": "ü"}[last]
    a2 = "a" if last in "aıou" else "e"
    d = "t" if stem[-1] in "çfhkpsşt" else "d"
    soft = stem[:-1] + "d" if stem == "dört" else stem  # dördü, dörde
    if stem[-1] in _VOWELS:
        forms = {stem + "y" + i4, stem + "y" + a2, stem + "n" + i4 + "n", stem + "yl" + a2}
    else:
        forms = {soft + i4, soft + a2, soft + i4 + "n", stem + "l" + a2}
    locative = stem + d + a2
    forms |= {locative, locative + "n", locative + "ki", stem + d + i4 + "r"}
    return forms - _TR_NOT_NUMBERS


def _turkish(mode: str) -> dict[str, _Word]:
    words: dict[str, _Word] = {}
    entries: list[tuple[str, Kind, int]] = [("sıfır", "zero", 0)]
    entries += [(w, "unit", v) for v, w in enumerate(_TR_UNITS) if v]
    entries += [(w, "tens", 10 * (v + 1)) for v, w in enumerate(_TR_TENS)]
    entries += [(w, k, v) for w, (k, v) in zip(("yüz", "bin", "milyon"), _MULTIPLIERS, strict=True)]
    for word, kind, value in entries:
        need: Need = "adjacent-tr" if mode == "any" and word in ("on", "bin") else ""
        words[word] = _Word(kind, value, "tr", need)
        if word not in _TR_UNINFLECTED:
            for form in _inflections(word):
                words[form] = _Word(kind, value, "tr", need, suffixed=True)
    for ascii_form, word in _TR_ASCII.items():
        words[ascii_form] = words[word]
    return words


def _english(mode: str) -> dict[str, _Word]:
    words: dict[str, _Word] = {"zero": _Word("zero", 0, "en"), "nought": _Word("zero", 0, "en")}
    words |= {w: _Word("unit", v, "en") for v, w in enumerate(_EN_UNITS) if v}
    words |= {w: _Word("teen", v + 10, "en") for v, w in enumerate(_EN_TEENS)}
    words |= {w: _Word("tens", 10 * (v + 2), "en") for v, w in enumerate(_EN_TENS)}
    words |= {
        w: _Word(k, v, "en")
        for w, (k, v) in zip(("hundred", "thousand", "million"), _MULTIPLIERS, strict=True)
    }
    oh: Need = "adjacent-en" if mode == "any" else "adjacent"
    words |= {"oh": _Word("zero", 0, "en", oh), "o": _Word("zero", 0, "en", oh)}
    words["a"] = _Word("unit", 1, "en", "multiplier")
    words |= {w: _Word("repeat", n, "en", "digit") for w, n in (("double", 2), ("triple", 3))}
    words["treble"] = _Word("repeat", 3, "en", "digit")
    return words


_LEXICONS: dict[str, dict[str, _Word]] = {
    "tr": _turkish("tr"),
    "en": _english("en"),
    "any": _turkish("any") | _english("any"),
}


def _mode(lang: str | None) -> str:
    code = (lang or "").lower()[:2]
    return code if code in ("tr", "en") else "any"


# --- tokens --------------------------------------------------------------------------------


def _lower(word: str) -> str:
    return word.translate(_TURKISH_LOWER).lower()


def _words(text: str) -> Iterator[tuple[int, int, str, str]]:
    """``(start, end, core, suffix)`` of every token; a case ending or an ordinal glued to
    digits becomes their suffix."""
    pending: tuple[int, int, str, str] | None = None
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        core, suffix = match.group(1, 2)
        if pending is not None:
            if (
                pending[1] == start
                and not pending[3]
                and pending[2][0] in _ASCII_DIGITS
                and core[0] not in _ASCII_DIGITS
                and _lower(core) in _DIGIT_SUFFIXES
            ):
                pending = (pending[0], end, pending[2], core + suffix)
                continue
            yield pending
        pending = (start, end, core, suffix)
    if pending is not None:
        yield pending


def tokenize(text: str) -> list[Token]:
    """Words and digit strings of ``text`` with their offsets; a case ending or ordinal glued
    to digits ("2025te", "1st") is kept with them."""
    return [Token(s, e, text[s:e], _lower(text[s:e])) for s, e, _core, _suffix in _words(text)]


@dataclass(frozen=True, slots=True)
class _Number:
    """A token read as a number (or, with ``joiner``, an "and" that may join two)."""

    kind: Kind
    value: int
    lang: str
    need: Need
    suffixed: bool
    literal: str  # a digit string's digits
    joiner: bool = False


_AND = _Number("unit", -1, "en", "", False, "", joiner=True)
_ASCII_DIGITS = frozenset("0123456789")


def _classify(core: str, suffix: str, lexicon: dict[str, _Word], mode: str) -> _Number | None:
    if core[0] in _ASCII_DIGITS:
        return _Number("digits", -1, "", "", bool(suffix), core)
    key = core.lower()
    if "I" in core or "İ" in core:
        key = _lower(core)
        word = lexicon.get(key) or lexicon.get(core.translate(_PLAIN_LOWER).lower())
    else:
        word = lexicon.get(key)
    if word is None:
        return _AND if key == "and" and mode != "tr" and not suffix else None
    return _Number(word.kind, word.value, word.lang, word.need, word.suffixed or bool(suffix), "")


def _punctuation(gap: str) -> str:
    return "".join(gap.split())


def _joinable(gap: str, *, across_sentences: bool) -> bool:
    marks = _punctuation(gap)
    if not marks:
        return True
    if len(marks) > _MAX_PUNCT or not set(marks) <= _SEPARATORS:
        return False
    if not across_sentences and "." in marks:
        return not gap[gap.rindex(".") + 1 :][:1].isspace()
    return True


def _is_multiplier(number: _Number | None) -> bool:
    return number is not None and number.kind in ("hundred", "thousand", "million")


# --- runs ----------------------------------------------------------------------------------


def number_runs(
    text: str, *, lang: str | None = None, across_sentences: bool = False
) -> list[NumberRun]:
    """Maximal runs of number tokens in ``text``, each read in its most likely way."""
    mode = _mode(lang)
    lexicon = _LEXICONS[mode]
    starts: list[int] = []
    ends: list[int] = []
    numbers: list[_Number | None] = []
    for start, end, core, suffix in _words(text):
        starts.append(start)
        ends.append(end)
        numbers.append(_classify(core, suffix, lexicon, mode))
    return _Scan(text, starts, ends, numbers, across_sentences).runs()


@dataclass(frozen=True, slots=True)
class _Scan:
    text: str
    starts: list[int]
    ends: list[int]
    numbers: list[_Number | None]
    across_sentences: bool

    def _gap(self, i: int) -> str:  # between token i-1 and token i
        return self.text[self.ends[i - 1] : self.starts[i]]

    def joins(self, i: int) -> bool:
        """Token i-1 and token i may be neighbours in a run."""
        if not 0 < i < len(self.numbers):
            return False
        previous = self.numbers[i - 1]
        if previous is None or previous.suffixed:
            return False
        return _joinable(self._gap(i), across_sentences=self.across_sentences)

    def soft(self, i: int) -> bool:
        return not self._gap(i).strip()

    def counted(self) -> list[bool]:
        """Which tokens are numbers: strong words at once, the others by their neighbours."""
        numbers = self.numbers
        counts = [n is not None and not n.joiner and not n.need for n in numbers]
        weak = [i for i, n in enumerate(numbers) if n is not None and n.need]
        self._by_next(counts, weak)  # "double seven": before "oh" looks for a neighbour
        for order in (weak, weak[::-1]):
            for i in order:
                number = numbers[i]
                if number is None or counts[i] or not number.need.startswith("adjacent"):
                    continue
                wanted = number.need.partition("-")[2]
                for j, linked in ((i - 1, self.joins(i)), (i + 1, self.joins(i + 1))):
                    other = numbers[j] if linked else None
                    if other is not None and counts[j] and (not wanted or other.lang == wanted):
                        counts[i] = True
                        break
        self._by_next(counts, weak)  # "double oh seven": after "oh" has found one
        return counts

    def _by_next(self, counts: list[bool], weak: list[int]) -> None:
        """ "a" before a multiplier, "double" before a digit."""
        for i in reversed(weak):
            if i + 1 == len(counts):
                continue
            number, following = self.numbers[i], self.numbers[i + 1]
            if number is None or counts[i] or number.suffixed or not self.soft(i + 1):
                continue
            if following is None or following.joiner:
                continue
            if number.need == "digit" and following.kind == "zero":
                counts[i] = counts[i + 1] = True  # "double oh" is surely 00
            elif not counts[i + 1]:
                continue
            elif number.need == "multiplier":
                counts[i] = _is_multiplier(following) and following.lang == "en"
            elif number.need == "digit":
                counts[i] = following.kind == "unit" or len(following.literal) == 1

    def _joined_by_and(self, last: int, i: int) -> bool:
        """ "one hundred and twelve": "and" right after a multiplier, before a number."""
        before, number = self.numbers[last], self.numbers[i]
        return (
            last == i - 2
            and self.numbers[i - 1] is _AND
            and before is not None
            and _is_multiplier(before)
            and not before.suffixed
            and number is not None
            and number.kind in ("unit", "teen", "tens", "digits")
            and self.soft(i - 1)
            and self.soft(i)
        )

    def runs(self) -> list[NumberRun]:
        runs: list[NumberRun] = []
        current: list[tuple[int, str]] = []  # (token index, gap before it)
        for i, counts in enumerate(self.counted()):
            if not counts:
                continue
            if current:
                last = current[-1][0]
                joined = (last == i - 1 and self.joins(i)) or self._joined_by_and(last, i)
                if joined and len(current) < MAX_RUN:
                    current.append((i, self.text[self.ends[last] : self.starts[i]]))
                    continue
                runs.append(self._run(current))
            current = [(i, "")]
        if current:
            runs.append(self._run(current))
        return runs

    def _run(self, members: list[tuple[int, str]]) -> NumberRun:
        pieces = []
        for i, gap in members:
            number = self.numbers[i]
            assert number is not None
            piece = Piece(
                self.starts[i],
                self.ends[i],
                number.literal,
                number.kind,
                number.value,
                number.lang,
                gap,
            )
            pieces.append(piece)
        return _with_best_reading(tuple(pieces))


def _with_best_reading(pieces: tuple[Piece, ...]) -> NumberRun:
    digits, owners = _read(pieces, 1)[0]
    if all(p.kind == "digits" for p in pieces):
        return NumberRun(pieces[0].start, pieces[-1].end, digits, pieces)
    given = [""] * len(pieces)
    for digit, (piece, _offset) in zip(digits, owners, strict=True):
        given[piece] += digit
    pieces = tuple(
        Piece(p.start, p.end, given[i], p.kind, p.value, p.lang, p.gap)
        for i, p in enumerate(pieces)
    )
    return NumberRun(pieces[0].start, pieces[-1].end, digits, pieces)


def readings(run: NumberRun) -> list[Reading]:
    """The plausible digit strings of ``run``, best first, at most ``MAX_READINGS``."""
    out = []
    for digits, owners in _read(run.pieces, MAX_READINGS):
        spans = []
        for piece_index, offset in owners:
            piece = run.pieces[piece_index]
            if offset < 0:
                spans.append((piece.start, piece.end))
            else:
                spans.append((piece.start + offset, piece.start + offset + 1))
        out.append(Reading(digits, tuple(spans)))
    return out


def subruns(run: NumberRun, *, drop: int = 1) -> list[NumberRun]:
    """``run`` without up to ``drop`` punctuation-separated chunks at either end, longest
    first (the run itself excluded): for a recognizer whose value was read together with a
    neighbouring number ("0532 418 27 90, bir de …" reads the "bir" in)."""
    cuts = [i for i, p in enumerate(run.pieces) if i and _punctuation(p.gap)]
    bounds = [0, *cuts, len(run.pieces)]
    chunks = len(bounds) - 1
    out = []
    for head in range(drop + 1):
        for tail in range(drop + 1):
            if (head or tail) and head + tail < chunks:
                pieces = _retext(run.pieces[bounds[head] : bounds[chunks - tail]])
                first = pieces[0]
                first = Piece(
                    first.start, first.end, first.digits, first.kind, first.value, first.lang, ""
                )
                out.append(_with_best_reading((first, *pieces[1:])))
    out.sort(key=lambda r: r.start - r.end)
    return out


def _retext(pieces: tuple[Piece, ...]) -> tuple[Piece, ...]:
    """Word pieces' digits depend on the reading; only digit strings keep theirs."""
    return tuple(
        p if p.kind == "digits" else Piece(p.start, p.end, "", p.kind, p.value, p.lang, p.gap)
        for p in pieces
    )


def to_digits_simple(text: str, *, lang: str | None = None) -> str:
    """All digits ``text`` speaks or writes, each run read in its most likely way."""
    return "".join(run.digits for run in number_runs(text, lang=lang))


# --- reading -------------------------------------------------------------------------------

Owner = tuple[int, int]  # (piece index, character offset in a digit string, or -1: whole piece)


@dataclass(frozen=True, slots=True)
class _Atom:
    kind: str  # a number word's kind, or "lit": a digit string or a "double five"
    value: int  # a word's value; a digit string's if it can take a multiplier, else -1
    lang: str
    literal: str
    owners: tuple[Owner, ...]  # the word, or one per digit of the literal
    hard: bool  # punctuation before it: no phrase spans from the previous atom
    hyphen: bool  # a hyphen inside a word before it ("twenty-eight")

    @property
    def closed(self) -> bool:
        return self.kind == "zero" or (self.kind == "lit" and self.value < 0)


def _atoms(pieces: tuple[Piece, ...]) -> list[_Atom]:
    atoms: list[_Atom] = []
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        marks = _punctuation(piece.gap)
        between_words = bool(i) and "digits" not in (piece.kind, pieces[i - 1].kind)
        hyphen = between_words and piece.gap in _HYPHENS
        hard = bool(marks) and not hyphen and marks.lower() != "and"
        if piece.kind == "repeat":
            if i + 1 < len(pieces):
                said = pieces[i + 1]
                digit = said.digits[:1] if said.kind == "digits" else str(said.value)[:1]
                last: Owner = (i + 1, 0 if said.kind == "digits" else -1)
                owners = ((i, -1),) * (piece.value - 1) + (last,)
                atoms.append(_Atom("lit", -1, "", digit * piece.value, owners, hard, False))
            i += 2
            continue
        if piece.kind == "digits":
            literal = piece.digits
            value = int(literal) if len(literal) <= 3 and literal[0] != "0" else -1
            owners = tuple((i, k) for k in range(len(literal)))
            atoms.append(_Atom("lit", value, "", literal, owners, hard, hyphen))
        else:
            literal = "0" if piece.kind == "zero" else ""
            atoms.append(
                _Atom(piece.kind, piece.value, piece.lang, literal, ((i, -1),), hard, hyphen)
            )
        i += 1
    return atoms


class _Phrase:
    """A cardinal number being read word by word; ``feed`` refuses a word that cannot extend
    it. Every accepted prefix is itself a complete number."""

    __slots__ = (
        "closed", "cur", "cur_own", "hund", "literal", "mill", "pending", "slot", "thou",
        "tot_own", "total",
    )  # fmt: skip

    def __init__(self) -> None:
        self.total = self.cur = 0
        self.slot = -1  # additive words must stay below it; -1: nothing read yet
        self.hund = self.thou = self.mill = self.pending = self.closed = False
        self.tot_own: dict[int, Owner] = {}
        self.cur_own: dict[int, Owner] = {}
        self.literal: _Atom | None = None

    def _term(self, atom: _Atom, value: int) -> None:
        text = str(value)
        for place in range(len(text)):
            own = atom.owners[len(text) - 1 - place] if atom.kind == "lit" else atom.owners[0]
            self.cur_own[place] = own

    def _scale(self, atom: _Atom, places: int) -> None:
        shifted = {p + places: o for p, o in self.cur_own.items()}
        shifted.update(dict.fromkeys(range(places), atom.owners[0]))
        self.cur_own = shifted

    def feed(self, atom: _Atom) -> bool:
        kind, value = atom.kind, atom.value
        if self.closed:
            return False
        if self.slot == -1:
            return self._start(atom)
        if kind == "hundred":
            english = atom.lang == "en" and not self.total  # "nineteen hundred"
            low = 1 if atom.lang == "en" else 2  # Turkish says "yüz", never "bir yüz"
            if not self.hund and (low <= self.cur <= 9 or (english and 10 <= self.cur <= 99)):
                self.cur *= 100
                self._scale(atom, 2)
            elif atom.lang == "tr" and self.cur == 0 and self.slot >= 1000:
                self.cur = 100
                self._term(atom, 100)
            else:
                return False
            self.hund, self.slot, self.pending = True, 100, False
            return True
        if kind == "thousand":
            if self.thou or self.cur <= (0 if atom.lang == "en" else 1):  # "bin", not "bir bin"
                return False
            self._scale(atom, 3)
            self.tot_own.update(self.cur_own)
            self.total += self.cur * 1000
            self.cur, self.cur_own, self.hund, self.thou = 0, {}, False, True
            self.slot, self.pending = 1000, False
            return True
        if kind == "million":
            if self.mill or self.thou or self.total or self.cur <= 0:
                return False
            self._scale(atom, 6)
            self.tot_own, self.cur_own = self.cur_own, {}
            self.total, self.cur = self.cur * 10**6, 0
            self.hund, self.mill, self.slot, self.pending = False, True, 10**6, False
            return True
        if self.pending:
            return False
        if kind == "unit":
            fits = self.slot >= 10
        elif kind in ("teen", "tens"):
            fits = self.slot >= 100
        else:
            fits = kind == "lit" and 0 <= value < self.slot and self.slot >= 100
        if not fits:
            return False
        self.cur += value
        self._term(atom, value)
        self.slot = 10 if kind == "tens" else 0
        self.hund = self.hund or value >= 100
        return True

    def _start(self, atom: _Atom) -> bool:
        kind, value = atom.kind, atom.value
        if atom.closed:
            self.closed, self.literal, self.slot = True, atom, 0
        elif kind == "thousand":
            self.total, self.thou, self.slot = 1000, True, 1000
            self.tot_own = dict.fromkeys(range(4), atom.owners[0])
        elif kind == "million":
            self.total, self.mill, self.slot = 10**6, True, 10**6
            self.tot_own = dict.fromkeys(range(7), atom.owners[0])
        else:
            if kind == "hundred":
                value, self.hund, self.slot = 100, True, 100
            else:
                self.slot = 10 if kind == "tens" else 0
                self.pending = kind == "lit"
                self.hund = value >= 100
            self.cur = value
            self._term(atom, value)
        return True

    def read(self) -> tuple[str, tuple[Owner, ...]]:
        if self.literal is not None:
            return self.literal.literal, self.literal.owners
        owners = {**self.tot_own, **self.cur_own}
        digits = str(self.total + self.cur)
        return digits, tuple(owners[p] for p in range(len(digits) - 1, -1, -1))


_Option = tuple[int, tuple[int, ...], str, tuple[Owner, ...]]  # cost, rank key, digits, owners


def _read(pieces: tuple[Piece, ...], keep: int) -> list[tuple[str, tuple[Owner, ...]]]:
    if all(p.kind == "digits" for p in pieces):  # written digits read one way only
        owners = tuple((i, k) for i, p in enumerate(pieces) for k in range(len(p.digits)))
        return [("".join(p.digits for p in pieces), owners)]
    atoms = _atoms(pieces)
    starts = [
        i
        for i, atom in enumerate(atoms)
        if i == 0 or atom.hard or atom.closed or atoms[i - 1].closed
    ]
    combined: list[_Option] = [(0, (), "", ())]
    for lo, hi in zip(starts, [*starts[1:], len(atoms)], strict=True):
        options = _chunk(atoms, lo, hi, keep if hi - lo <= _FULL_SEARCH else 1)
        merged = [
            (c1 + c2, (*k1, rank), d1 + d2, o1 + o2)
            for c1, k1, d1, o1 in combined
            for rank, (c2, _k2, d2, o2) in enumerate(options)
        ]
        combined = _best(merged, keep)
    return [(digits, owners) for _c, _k, digits, owners in combined]


def _best(options: list[_Option], keep: int) -> list[_Option]:
    options.sort(key=lambda o: (o[0], o[1]))
    out: list[_Option] = []
    seen: set[str] = set()
    for option in options:
        if option[0] > options[0][0] + MAX_EXTRA_COST:
            break
        if option[2] not in seen:
            seen.add(option[2])
            out.append(option)
            if len(out) == keep:
                break
    return out


def _unnatural_split(before: _Atom, after: _Atom, *, optional: bool) -> bool:
    """A split the speaker would hardly have made: one inside a hyphenated word or before a
    multiplier that the phrase could have taken ("beş | yüz"), or one that leaves an English
    multiplier without its number ("five hundred two | hundred thirty-four": English says
    "one hundred", while Turkish "yüz" and "bin" alone are how 100 and 1000 are said)."""
    multiplier = after.kind in ("hundred", "thousand", "million")
    multiplicand = before.kind in ("unit", "teen", "tens") or (
        before.kind == "lit" and before.value >= 0
    )
    english = multiplier and multiplicand and after.lang == "en"
    return english or (optional and (after.hyphen or multiplier))


def _chunk(atoms: list[_Atom], lo: int, hi: int, keep: int) -> list[_Option]:
    """The ``keep`` best splits of ``atoms[lo:hi]`` into phrases (dynamic programming from the
    right; a phrase is ``atoms[i:j]``)."""
    phrases: dict[int, list[tuple[int, str, tuple[Owner, ...]]]] = {}
    for i in range(lo, hi):
        phrase = _Phrase()
        found = []
        for j in range(i, min(hi, i + MAX_PHRASE)):
            if not phrase.feed(atoms[j]):
                break
            found.append((j + 1, *phrase.read()))
        phrases[i] = found[::-1]  # longest first: the greedy reading wins ties
    best: dict[int, list[_Option]] = {hi: [(0, (), "", ())]}
    for i in range(hi - 1, lo - 1, -1):
        options: list[_Option] = []
        longest = phrases[i][0][0]
        for rank, (j, digits, owners) in enumerate(phrases[i]):
            unnatural = j < hi and _unnatural_split(atoms[j - 1], atoms[j], optional=j < longest)
            cost = 2 if unnatural else 1
            for c, k, d, o in best[j]:
                options.append((c + cost, (rank, *k), digits + d, owners + o))
        best[i] = _best(options, keep)
    return best[lo]
