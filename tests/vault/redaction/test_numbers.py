"""Spoken and written numbers: which stretches are runs, how they read, where digits came from."""

from __future__ import annotations

import string
from collections import Counter
from dataclasses import dataclass

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from vault.redaction.numbers import (
    MAX_READINGS,
    NumberRun,
    number_runs,
    readings,
    subruns,
    to_digits_simple,
    tokenize,
)

# (style, text, lang, the runs' best digits): per style, as many rows that must yield no run
# (expected []) as rows that must.
ROWS: list[tuple[str, str, str | None, list[str]]] = [
    ("digits", "Kartım 4562 7890 1234 5678, son kullanma", None, ["4562789012345678"]),
    ("digits", "0532-418-27-90", "tr", ["05324182790"]),
    ("digits", "Numaram (0532) 418 27 90 efendim", "tr", ["05324182790"]),
    ("digits", "+90 532 418 27 90", "tr", ["905324182790"]),
    ("digits", "it's 5 3 2", "en", ["532"]),
    ("digits", "IBAN TR33 0006 1005 1978 6457 8413 26", "tr", ["330006100519786457841326"]),
    ("digits", "Kod ABC-DEF, tamam mı?", "tr", []),
    ("digits", "①②③ ve ٣٤٥", "tr", []),
    ("digits", "x² + y²", "en", []),
    ("digits", "e-posta: ali@ornek.com", "tr", []),
    ("digits", "Ｆｕｌｌｗｉｄｔｈ ５５５", "en", []),
    ("digits", "no digits here at all", "en", []),
    ("tr words", "dört beş altı iki", "tr", ["4562"]),
    ("tr words", "sıfır beş üç iki dört bir sekiz", "tr", ["0532418"]),
    ("tr words", "kodu bir sekiz yedi", "tr", ["187"]),
    ("tr words", "SIFIR BEŞ ALTI İKİ", "tr", ["0562"]),
    ("tr words", "sifir bes alti dort", "tr", ["0564"]),
    ("tr words", "bir dakika", "tr", ["1"]),  # a lone "bir" is a one-digit run
    ("tr words", "biri aradı", "tr", []),
    ("tr words", "birden fazla", "tr", []),
    ("tr words", "ikisi de geldi", "tr", []),
    ("tr words", "ikinci katta", "tr", []),
    ("tr words", "o zaman gelirim", "tr", []),
    ("tr words", "masanın altında", "tr", []),
    ("en words", "four five six two", "en", ["4562"]),
    ("en words", "oh seven one eight four", "en", ["07184"]),
    ("en words", "zero seven oh", "en", ["070"]),
    ("en words", "FIVE FIVE NINE", "en", ["559"]),
    ("en words", "one of them", "en", ["1"]),
    ("en words", "I'll be there at five", "en", ["5"]),
    ("en words", "someone often tones", "en", []),
    ("en words", "Oh, I see.", "en", []),
    ("en words", "attend the event", "en", []),
    ("en words", "once or twice", "en", []),
    ("en words", "a lot of people", "en", []),
    ("en words", "none at all", "en", []),
    ("tr grouped", "beş yüz otuz iki", "tr", ["532"]),
    ("tr grouped", "iki bin yirmi beş", "tr", ["2025"]),
    ("tr grouped", "bin dokuz yüz seksen", "tr", ["1980"]),
    ("tr grouped", "yirmi üç", "tr", ["23"]),
    ("tr grouped", "yedi bin seksen dört", "tr", ["7084"]),
    ("tr grouped", "sıfır yüz yetmiş altı", "tr", ["0176"]),
    ("tr grouped", "yüzde", "tr", []),
    ("tr grouped", "yüzünü yıkadı", "tr", []),
    ("tr grouped", "binlerce insan", "tr", []),
    ("tr grouped", "yüzlerce mesaj", "tr", []),
    ("tr grouped", "onlar geldi", "tr", []),
    ("tr grouped", "ona söyledim, onu aradım", "tr", []),
    ("en grouped", "forty-five", "en", ["45"]),
    ("en grouped", "one hundred and twelve", "en", ["112"]),
    ("en grouped", "three thousand seventy-five", "en", ["3075"]),
    ("en grouped", "nineteen fifty-three", "en", ["1953"]),
    ("en grouped", "a hundred and five", "en", ["105"]),
    ("en grouped", "oh seven thousand eight hundred", "en", ["07800"]),
    ("en grouped", "hundreds of people", "en", []),
    ("en grouped", "thousands and millions", "en", []),
    ("en grouped", "on the other hand", "en", []),
    ("en grouped", "Tennessee", "en", []),
    ("en grouped", "the bin is full", "en", []),
    ("en grouped", "and then", "en", []),
    ("mixed", "0 five three two", None, ["0532"]),
    ("mixed", "532, 41 82, doksan", None, ["532418290"]),
    ("mixed", "2 bin 25", "tr", ["2025"]),
    ("mixed", "5 yüz", "tr", ["500"]),
    ("mixed", "four 4 dört", None, ["444"]),
    ("mixed", "sıfır 5 3 2", "tr", ["0532"]),
    ("mixed", "on the line", None, []),
    ("mixed", "bin the rest", None, []),
    ("mixed", "o kadar", None, []),
    ("mixed", "oh well", None, []),
    ("mixed", "a bin", None, []),
    ("mixed", "Bin Laden", None, []),
    ("chunked", "dört beş altı iki, yedi sekiz dokuz sıfır", "tr", ["45627890"]),
    ("chunked", "five four six six, two five eight five", "en", ["54662585"]),
    ("chunked", "0, 7, 4, 1, 5, 8", "en", ["074158"]),
    ("chunked", "yedi yüz altmış üç, yüz yetmiş", "tr", ["763170"]),
    ("chunked", "sıfır beş yüz üç, sıfır altmış iki, sıfır iki", "tr", ["050306202"]),
    ("chunked", "12.10.1972", "tr", ["12101972"]),
    ("chunked", "a, b, c", "en", []),
    ("chunked", "--, //, ()", "en", []),
    ("chunked", "peki, tamam, anladım", "tr", []),
    ("chunked", "yes, no, maybe", "en", []),
    ("chunked", "evet ve hayır", "tr", []),
    ("chunked", "well, and so", "en", []),
    ("repeat", "double five", "en", ["55"]),
    ("repeat", "triple seven", "en", ["777"]),
    ("repeat", "oh double seven one", "en", ["0771"]),
    ("repeat", "double oh seven", "en", ["007"]),
    ("repeat", "four treble two", "en", ["4222"]),
    ("repeat", "double 5", "en", ["55"]),
    ("repeat", "double-check it", "en", []),
    ("repeat", "triple the price", "en", []),
    ("repeat", "a double room", "en", []),
    ("repeat", "double or nothing", "en", []),
    ("repeat", "triple", "en", []),
    ("repeat", "double trouble", "en", []),
    ("suffixed", "beşi", "tr", ["5"]),
    ("suffixed", "dokuzu", "tr", ["9"]),
    ("suffixed", "altmışa", "tr", ["60"]),
    ("suffixed", "son hane sıfırdır", "tr", ["0"]),
    ("suffixed", "90'ı", "tr", ["90"]),
    ("suffixed", "2025'te", "tr", ["2025"]),
    ("suffixed", "Beşiktaş", "tr", []),
    ("suffixed", "altının değeri", "tr", []),
    ("suffixed", "sekizinci", "tr", []),
    ("suffixed", "dokuzuncu", "tr", []),
    ("suffixed", "yediler", "tr", []),
    ("suffixed", "ondan sonra", "tr", []),
]


def test_every_style_has_as_many_negative_rows_as_positive_ones() -> None:
    positive = Counter(style for style, _t, _l, runs in ROWS if runs)
    negative = Counter(style for style, _t, _l, runs in ROWS if not runs)
    assert positive == negative


@pytest.mark.parametrize(("style", "text", "lang", "expected"), ROWS)
def test_runs_and_their_best_reading(
    style: str, text: str, lang: str | None, expected: list[str]
) -> None:
    runs = number_runs(text, lang=lang)
    assert [run.digits for run in runs] == expected, style
    for run in runs:
        assert readings(run)[0].digits == run.digits
        assert "".join(p.digits for p in run.pieces) == run.digits


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("on sekiz", "tr", ["18"]),
        ("on sekiz", None, ["18"]),
        ("on sekiz", "en", []),
        ("on five", "en", ["5"]),
        ("on five", None, ["5"]),
        ("iki bin", None, ["2000"]),
        ("oh five", "en", ["05"]),
        ("oh five", None, ["05"]),
        ("oh beş", None, ["5"]),
        ("o beş", "tr", ["5"]),
        ("o 5", "en", ["05"]),
        ("o 5", None, ["5"]),
        ("beş yüz", "en", []),
        ("five hundred", "tr", []),
        ("beş yüz", "tr-TR", ["500"]),
        ("beş yüz", "auto", ["500"]),
    ],
)
def test_the_language_decides_which_words_are_numbers(
    text: str, lang: str | None, expected: list[str]
) -> None:
    assert [run.digits for run in number_runs(text, lang=lang)] == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("one hundred and twelve", "en", ["112"]),
        ("two and three", "en", ["2", "3"]),
        ("iki ve üç", "tr", ["2", "3"]),
        ("0532 418 27 90. Bir dakika", "tr", ["05324182790", "1"]),
        ("Is it 5? 6 maybe", "en", ["5", "6"]),
        ("kod: 4, 5; 6!", "tr", ["45", "6"]),
        ("saat 14:30'da", "tr", ["14", "30"]),
        ("24.99 lira", "tr", ["2499"]),
        ("beşe altı", "tr", ["5", "6"]),  # a case ending ends the run
        ("5 - 3 -- 2", "en", ["532"]),
        ("5 ,.,., 3", "en", ["5", "3"]),  # too much punctuation between
        ("4562 7890\n1234", None, ["456278901234"]),
    ],
)
def test_what_joins_a_run_and_what_ends_it(
    text: str, lang: str | None, expected: list[str]
) -> None:
    assert [run.digits for run in number_runs(text, lang=lang)] == expected


def test_across_sentences_joins_a_number_dictated_with_pauses() -> None:
    text = "Dört beş altı iki. Yedi sekiz dokuz sıfır."
    assert [r.digits for r in number_runs(text, lang="tr")] == ["4562", "7890"]
    assert [r.digits for r in number_runs(text, lang="tr", across_sentences=True)] == ["45627890"]


def test_a_run_spans_its_tokens_but_not_a_leading_plus_or_parenthesis() -> None:
    text = "Numara (0532) 418 27 90'dır, +90 5"
    first, second = number_runs(text, lang="tr")
    assert text[first.start : first.end] == "0532) 418 27 90'dır"
    assert text[second.start : second.end] == "90 5"


@pytest.mark.parametrize(
    ("text", "lang", "best", "also"),
    [
        ("yirmi üç", "tr", "23", {"203"}),
        ("sixty four hundred", "en", "6400", {"60400"}),
        ("five hundred two hundred thirty-four", "en", "500234", {"502134"}),
        ("4562 7890", None, "45627890", set()),
        ("double five", "en", "55", set()),
        ("5 yüz", "tr", "500", set()),  # "5 | 100" is two splits worse: not offered
    ],
)
def test_readings_offer_the_plausible_splits_best_first(
    text: str, lang: str | None, best: str, also: set[str]
) -> None:
    (run,) = number_runs(text, lang=lang)
    found = [r.digits for r in readings(run)]
    assert found[0] == best
    assert set(found[1 : 1 + len(also)]) == also
    if not also:
        assert found == [best]


@pytest.mark.parametrize(
    ("text", "ties"),
    [
        ("beş yüz iki yüz otuz dört", {"500234", "502134"}),
        ("altmış dört yüz", {"60400", "64100"}),
    ],
)
def test_turkish_groups_without_commas_can_tie(text: str, ties: set[str]) -> None:
    (run,) = number_runs(text, lang="tr")
    assert {r.digits for r in readings(run)[:2]} == ties


def test_readings_are_bounded_for_a_long_ambiguous_run() -> None:
    text = ", ".join(["dört bin altı yüz seksen altı"] * 6)
    (run,) = number_runs(text, lang="tr")
    found = readings(run)
    assert found[0].digits == "4686" * 6
    assert 1 < len(found) <= MAX_READINGS
    assert len({r.digits for r in found}) == len(found)


def test_each_digit_maps_to_the_characters_that_said_it() -> None:
    text = "no: 45 iki bin altmış, double five"
    (run,) = number_runs(text, lang=None)
    (best, *_rest) = readings(run)
    said = [text[start:end] for start, end in best.spans]
    assert best.digits == "452060" + "55"
    assert said == ["4", "5", "iki", "bin", "altmış", "altmış", "double", "five"]
    assert [p.digits for p in run.pieces] == ["45", "2", "0", "60", "5", "5"]


def test_a_repr_never_shows_the_digits() -> None:
    (run,) = number_runs("4562 7890 1234 5678", lang="en")
    shown = repr(run) + repr(readings(run)) + repr(tokenize("4562 7890"))
    assert "4562" not in shown
    assert "7890" not in shown


def test_tokens_keep_their_offsets_and_suffixes() -> None:
    text = "TR33 2025te 2025'te twenty-eight 50GB İKİ 23rd"
    tokens = tokenize(text)
    assert [text[t.start : t.end] for t in tokens] == [
        "TR", "33", "2025te", "2025'te", "twenty", "eight", "50", "GB", "İKİ", "23rd",
    ]  # fmt: skip
    assert all(t.text == text[t.start : t.end] for t in tokens)
    assert tokens[8].norm == "iki"
    assert tokenize("KIRK")[0].norm == "kırk"


def test_to_digits_simple_reads_every_run() -> None:
    assert to_digits_simple("beş yüz otuz iki, kırk bir", lang="tr") == "53241"
    assert to_digits_simple("call 0 seven seven, then nine") == "0779"


def test_subruns_drop_a_neighbouring_chunk() -> None:
    text = "0532, 418 27 90, bir de e-posta"
    (run,) = number_runs(text, lang="tr")
    assert run.digits == "053241827901"
    trimmed = subruns(run)
    assert text[trimmed[0].start : trimmed[0].end] == "0532, 418 27 90"
    assert [r.digits for r in trimmed] == ["05324182790", "41827901", "4182790"]
    assert trimmed[1].pieces[0].gap == ""


# --- speaking random digit strings ---------------------------------------------------------

TR_UNITS = ["sıfır", "bir", "iki", "üç", "dört", "beş", "altı", "yedi", "sekiz", "dokuz"]
TR_TENS = ["", "on", "yirmi", "otuz", "kırk", "elli", "altmış", "yetmiş", "seksen", "doksan"]
TR_DATIVE = [
    "sıfıra", "", "ikiye", "üçe", "dörde", "beşe", "altıya", "yediye", "sekize", "dokuza",
]  # fmt: skip
EN_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
EN_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen"]
EN_TEENS += ["seventeen", "eighteen", "nineteen"]
EN_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def say_tr(n: int) -> list[str]:
    """A number below a million in Turkish words."""
    words: list[str] = []
    if n >= 1000:
        words += ([] if n // 1000 == 1 else say_tr(n // 1000)) + ["bin"]
        n %= 1000
    if n >= 100:
        words += ([] if n // 100 == 1 else [TR_UNITS[n // 100]]) + ["yüz"]
        n %= 100
    if n >= 10:
        words.append(TR_TENS[n // 10])
        n %= 10
    if n:
        words.append(TR_UNITS[n])
    return words


def say_en(n: int, draw: st.DrawFn) -> list[str]:
    """A number below a million in English words, "and" and hyphens at random."""
    words: list[str] = []
    if n >= 1000:
        words += [*say_en(n // 1000, draw), "thousand"]
        n %= 1000
        if n and n < 100 and draw(st.booleans()):
            words.append("and")
    if n >= 100:
        words += [draw(st.sampled_from(["one", "a"])) if n // 100 == 1 else EN_UNITS[n // 100]]
        words.append("hundred")
        n %= 100
        if n and draw(st.booleans()):
            words.append("and")
    if 10 <= n < 20:
        words.append(EN_TEENS[n - 10])
    elif n >= 20:
        tens, unit = EN_TENS[n // 10], n % 10
        if unit and draw(st.booleans()):
            words.append(f"{tens}-{EN_UNITS[unit]}")
        else:
            words += [tens, EN_UNITS[unit]] if unit else [tens]
    elif n:
        words.append(EN_UNITS[n])
    return words


@dataclass
class Spoken:
    text: str
    digits: str
    # per digit: the (start, end) that must contain the text that said it
    where: list[tuple[int, int]]
    exact: bool  # the span must be exactly that, not only inside it

    def check(self, lang: str | None) -> None:
        prefix = "Numara: " if lang == "tr" else "Number: "
        text = prefix + self.text + " ok?"
        runs = number_runs(text, lang=lang)
        assert len(runs) == 1, [text[r.start : r.end] for r in runs]
        (run,) = runs
        assert (run.start, run.end) == (len(prefix), len(prefix) + len(self.text))
        assert "".join(p.digits for p in run.pieces) == run.digits
        found = readings(run)
        assert len(found) <= MAX_READINGS
        matching = [r for r in found if r.digits == self.digits]
        assert matching, (self.text, self.digits, [r.digits for r in found])
        shift = len(prefix)
        for (start, end), (low, high) in zip(matching[0].spans, self.where, strict=True):
            if self.exact:
                assert (start, end) == (low + shift, high + shift)
            else:
                assert low + shift <= start < end <= high + shift


class Speaker:
    """Builds a text out of parts, remembering where each part is."""

    def __init__(self) -> None:
        self.text = ""
        self.digits = ""
        self.where: list[tuple[int, int]] = []

    def say(self, said: str, digits: str, separator: str) -> None:
        if self.text:
            self.text += separator
        start = len(self.text)
        self.text += said
        self.digits += digits
        self.where += [(start, len(self.text))] * len(digits)

    def done(self, *, exact: bool) -> Spoken:
        return Spoken(self.text, self.digits, self.where, exact)


# Not all zeros: "oh oh" alone is no number.
DIGITS = st.text(alphabet=string.digits, min_size=2, max_size=24).filter(lambda d: d.strip("0"))
SEPARATORS = st.sampled_from([" ", ", ", " - ", "  ", ",", "-"])


def digit_word(digit: str, lang: str, draw: st.DrawFn) -> str:
    if lang == "tr":
        return TR_UNITS[int(digit)]
    if digit == "0":
        return draw(st.sampled_from(["zero", "oh", "o", "nought"]))
    return EN_UNITS[int(digit)]


@st.composite
def digit_by_digit(draw: st.DrawFn, lang: str, *, mixed: bool = False) -> Spoken:
    speaker = Speaker()
    separator = draw(SEPARATORS)
    digits = draw(DIGITS)
    repeated = False
    i = 0
    while i < len(digits):
        same = len(digits[i:]) - len(digits[i:].lstrip(digits[i]))
        word = digit_word(digits[i], lang, draw)
        if lang == "en" and same >= 2 and draw(st.booleans()):
            count = min(same, 3) if draw(st.booleans()) else 2
            repeat = {2: "double", 3: "triple"}[count]
            speaker.say(f"{repeat} {word}", digits[i] * count, separator)
            repeated = True
            i += count
            continue
        if mixed and draw(st.booleans()):
            word = digits[i]
        speaker.say(word, digits[i], separator)
        i += 1
    return speaker.done(exact=not repeated)


@st.composite
def grouped(draw: st.DrawFn, lang: str, *, mixed: bool = False) -> Spoken:
    """Digits in groups of 2, 3 or 4, each group said as one number (its leading zeros as
    zero words), groups separated by commas; with ``mixed``, some groups written as digits."""
    speaker = Speaker()
    digits = draw(DIGITS)
    size = draw(st.sampled_from([2, 3, 4]))
    for at in range(0, len(digits), size):
        group = digits[at : at + size]
        if mixed and draw(st.booleans()):
            speaker.say(group, group, ", ")
            continue
        words: list[str] = []
        zeros = len(group) - len(group.lstrip("0"))
        words += [digit_word("0", lang, draw) for _ in range(zeros)]
        if group.lstrip("0"):
            value = int(group)
            words += say_tr(value) if lang == "tr" else say_en(value, draw)
        speaker.say(" ".join(words), group, ", ")
    return speaker.done(exact=False)


@st.composite
def in_pairs(draw: st.DrawFn, lang: str) -> Spoken:
    """Digits read two at a time with only spaces between ("nineteen eighty-four")."""
    speaker = Speaker()
    digits = draw(DIGITS)
    for at in range(0, len(digits), 2):
        pair = digits[at : at + 2]
        words = [digit_word("0", lang, draw)] * (len(pair) - len(pair.lstrip("0")))
        if pair.lstrip("0"):
            words += say_tr(int(pair)) if lang == "tr" else say_en(int(pair), draw)
        speaker.say(" ".join(words), pair, " ")
    return speaker.done(exact=False)


@st.composite
def suffixed(draw: st.DrawFn) -> Spoken:
    """Turkish digit words or digit groups, the last one with a case ending."""
    speaker = Speaker()
    digits = draw(DIGITS.filter(lambda d: d[-1] != "1"))
    written = draw(st.booleans())
    for i, digit in enumerate(digits):
        last = i == len(digits) - 1
        if written:
            speaker.say(digit + ("'e" if last else ""), digit, " ")
        else:
            speaker.say(TR_DATIVE[int(digit)] if last else TR_UNITS[int(digit)], digit, " ")
    return speaker.done(exact=not written)


LANGS = st.sampled_from(["tr", "en"])


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_digit_by_digit_in_either_language_reads_back(data: st.DataObject) -> None:
    lang = data.draw(LANGS)
    spoken = data.draw(digit_by_digit(lang))
    spoken.check(lang)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_digits_mixed_with_digit_words_read_back(data: st.DataObject) -> None:
    lang = data.draw(LANGS)
    spoken = data.draw(digit_by_digit(lang, mixed=True))
    spoken.check(lang)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_groups_said_as_numbers_read_back(data: st.DataObject) -> None:
    lang = data.draw(LANGS)
    spoken = data.draw(grouped(lang, mixed=data.draw(st.booleans())))
    spoken.check(lang)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_pairs_said_as_numbers_read_back(data: st.DataObject) -> None:
    lang = data.draw(LANGS)
    spoken = data.draw(in_pairs(lang))
    spoken.check(lang)


@settings(max_examples=100, deadline=None)
@given(suffixed())
def test_a_case_ending_on_the_last_number_reads_back(spoken: Spoken) -> None:
    spoken.check("tr")


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_without_a_language_both_read_back(data: st.DataObject) -> None:
    lang = data.draw(LANGS)
    spoken = data.draw(grouped(lang))
    # Without a language, "on", "bin" and "oh" need a neighbour that is surely a number.
    assume(set(spoken.text.replace(",", " ").split()) - {"on", "bin", "oh", "o"})
    spoken.check(None)


WORDS = ["bir", "on", "yüz", "bin", "oh", "a", "and", "double", "five", "hundred", "yirmi"]
WORDS += ["sıfırdır", "90'ı", "İKİ", "ve", "the", "x"]
JUNK = st.sampled_from([" ", ", ", ". ", "-", "?", "+", "(", "'", "\n", "2025", "0"])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(WORDS), JUNK, st.text(max_size=3)), max_size=40),
    st.sampled_from(["tr", "en", None]),
)
def test_any_text_gives_ordered_runs_whose_readings_stay_inside_them(
    parts: list[str], lang: str | None
) -> None:
    text = " ".join(parts)
    runs: list[NumberRun] = number_runs(text, lang=lang)
    previous_end = 0
    for run in runs:
        assert previous_end <= run.start < run.end <= len(text)
        previous_end = run.end
        found = readings(run)
        assert 1 <= len(found) <= MAX_READINGS
        assert found[0].digits == run.digits
        for reading in found:
            assert len(reading.spans) == len(reading.digits) > 0
            assert all(run.start <= s < e <= run.end for s, e in reading.spans)
