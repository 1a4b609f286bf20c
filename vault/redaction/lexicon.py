"""Given names and surnames, Turkish and English, for the person recognizer.

Sources, all shipped with the product (nothing is fetched at run time):

- English: the person providers of ``faker`` (MIT): ``en_US``, ``en_GB``, ``en_IE`` and
  ``en_NZ`` first names and ``en_US``/``en_GB`` last names are the core lists; faker's larger
  ``en`` lists (and the ``en_IE``/``en_NZ`` last names) are added without their entries that are
  common English words (faker's ``lorem`` word list), which are mostly not names.
- Turkish: ``data/tr_given_names.txt`` and ``data/tr_surnames.txt`` (lists from two MIT
  packages, see their headers and ``data/NOTICE.txt``) plus faker's ``tr_TR`` lists.
- ``data/common_words.txt``: ordinary words that are also names (hand written).

Every list is stored as normalised forms: Turkish lower case (``İ→i``, ``I→ı``; English names
with ``I→i``) and the same form without diacritics, so "Yılmaz", "YILMAZ", "yılmaz" and
"Yilmaz" all match. Lookups strip a Turkish suffix after an apostrophe ("Yılmaz'ın",
"Ayşe'ye", "James's") and, for well-known Turkish names only, a case suffix glued on without
one ("Mehmetle", "Ayşeye"): vowel harmony must agree, the stem must not be an ordinary word and
the whole word must not be one either.

A name that is also an everyday word ("Umut", "Deniz", "Can", "Will", "Hope") still counts as
a name, and ``is_ambiguous`` says so: a recognizer should want a cue before taking it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from faker.providers.lorem import en_US as lorem_en
from faker.providers.person import en, en_GB, en_IE, en_NZ, en_US, tr_TR

Lang = Literal["tr", "en"]
LANGS: tuple[Lang, ...] = ("tr", "en")

APOSTROPHES = "'’‘ʼ`´"
PUNCTUATION = '.,;:!?"“”()'
_APOSTROPHE = str.maketrans(dict.fromkeys(APOSTROPHES, "'"))
_FOLD = str.maketrans(
    {"ç": "c", "ğ": "g", "ı": "i", "ö": "o", "ş": "s", "ü": "u", "â": "a", "î": "i", "û": "u"}
)
_BACK_VOWELS = frozenset("aıouâû")
_FRONT_VOWELS = frozenset("eiöüî")
_VOICELESS = frozenset("çfhkpsşt")
_MIN_GLUED_STEM = 3

_HONORIFICS: dict[Lang, tuple[str, ...]] = {
    "tr": (
        "bey",
        "beyefendi",
        "hanım",
        "hanımefendi",
        "bay",
        "bayan",
        "sayın",
        "dr",
        "doktor",
        "prof",
        "doç",
        "av",
        "avukat",
        "hoca",
        "hocam",
    ),
    "en": ("mr", "mrs", "ms", "miss", "mx", "dr", "doctor", "prof", "professor", "sir", "madam"),
}
_INTRODUCERS: dict[Lang, tuple[str, ...]] = {
    "tr": ("adım", "adı", "ismim", "ismi", "soyadım", "soyadı", "ben", "benim adım"),
    "en": ("my name is", "name is", "this is", "i am", "i'm", "call me", "speaking"),
}


def casefold_tr(text: str) -> str:
    """Lower case with Turkish rules: ``İ→i``, ``I→ı``; every apostrophe becomes ``'``."""
    text = unicodedata.normalize("NFC", text).replace("İ", "i").replace("I", "ı")
    return text.lower().replace("\u0307", "").translate(_APOSTROPHE)


def casefold_en(text: str) -> str:
    """Lower case with the usual rules (``I→i``; a stray ``İ`` also becomes ``i``); every
    apostrophe becomes ``'``."""
    return unicodedata.normalize("NFC", text).lower().replace("\u0307", "").translate(_APOSTROPHE)


def fold(text: str) -> str:
    """``text`` (already lower case) without diacritics: ``ş→s``, ``ı→i``, ``é→e``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def forms(text: str, lang: Lang) -> frozenset[str]:
    """The normalised forms of ``text`` as stored in the lists: lower case, and folded."""
    lowered = casefold_tr(text) if lang == "tr" else casefold_en(text)
    lowered = " ".join(lowered.split())
    return frozenset({lowered, fold(lowered)})


def lookup_keys(word: str) -> tuple[str, ...]:
    """The forms under which ``word`` is looked up: Turkish and English lower case.

    Folding is not needed on this side: the lists hold folded forms, so an ASCII spelling
    ("Yilmaz") finds its name while a Turkish one ("Şen") must match exactly (and so does not
    become "sen").
    """
    tr = " ".join(casefold_tr(word).split())
    en = " ".join(casefold_en(word).split())
    return (tr,) if tr == en else (tr, en)


def strip_apostrophe(word: str) -> tuple[str, bool]:
    """``word`` without what follows an apostrophe ("Ayşe'ye" → "Ayşe"), and whether it had one.

    A trailing apostrophe ("James'") is dropped too; one after a single first letter is part of
    the name ("O'Brien", "D'Arcy'nin" → "D'Arcy").
    """
    for index, char in enumerate(word):
        if char in APOSTROPHES and index > 1:
            return word[:index], True
    return word, False


def _last_vowel(stem: str) -> str | None:
    for char in reversed(stem):
        if char in _BACK_VOWELS or char in _FRONT_VOWELS:
            return char
    return None


def _harmony(stem: str, front: bool) -> tuple[str, str]:
    """The two-fold (a/e) and four-fold (ı/i/u/ü) vowels a suffix takes after ``stem``."""
    vowel = _last_vowel(stem) or "e"
    if front:
        return "e", "ü" if vowel in "öü" else "i"
    if vowel in _BACK_VOWELS:
        return "a", "u" if vowel in "ouû" else "ı"
    return "e", "ü" if vowel in "öü" else "i"


@cache
def _case_suffixes(stem: str) -> frozenset[str]:
    """The case suffixes (and plural + case) that can be glued onto ``stem``."""
    results: set[str] = set()
    fronts = [False]
    # Arabic loans ending in -al/-âl take front vowels: Kemal'e, Celal'i, Hilal'in.
    if stem.endswith(("al", "âl")):
        fronts.append(True)
    last = stem[-1]
    vowel_final = last in _BACK_VOWELS or last in _FRONT_VOWELS
    d = "t" if last in _VOICELESS else "d"
    for front in fronts:
        a, i = _harmony(stem, front)
        if vowel_final:
            results.update({f"n{i}n", f"y{i}", f"y{a}", f"yl{a}"})
        else:
            results.update({f"{i}n", i, a, f"l{a}"})
        results.update({f"{d}{a}", f"{d}{a}n"})
        plural = f"l{a}r"
        results.update(
            {plural, f"{plural}{i}", f"{plural}{a}", f"{plural}{i}n", f"{plural}d{a}"}
            | {f"{plural}d{a}n", f"{plural}l{a}"}
        )
    return frozenset(results)


def glued_stems(word: str) -> Iterator[str]:
    """Stems of a lower-case Turkish ``word`` that end where a case suffix glued on begins."""
    for cut in range(len(word) - 1, _MIN_GLUED_STEM - 1, -1):
        stem, suffix = word[:cut], word[cut:]
        if len(suffix) <= 6 and suffix in _case_suffixes(stem):
            yield stem


@dataclass(frozen=True, slots=True)
class _Lexicon:
    given: dict[Lang, frozenset[str]]
    surnames: dict[Lang, frozenset[str]]
    glueable: frozenset[str]
    not_glued: frozenset[str]
    common: dict[Lang, frozenset[str]]
    stop: dict[Lang, frozenset[str]]
    honorifics: dict[Lang, frozenset[str]]
    introducers: dict[Lang, frozenset[str]]


def read_sections(name: str) -> dict[str, list[str]]:
    """The lines of ``data/<name>``, by ``[section]``; comments and blank lines skipped."""
    text = resources.files("vault.redaction").joinpath("data", name).read_text("utf-8")
    sections: dict[str, list[str]] = {}
    current = sections.setdefault("", [])
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1].strip(), [])
            continue
        current.append(line)
    return sections


def _normalised(words: Iterable[str], lang: Lang) -> frozenset[str]:
    return frozenset(form for word in words for form in forms(word, lang))


def _exact(words: Iterable[str], lang: Lang) -> frozenset[str]:
    fold_case = casefold_tr if lang == "tr" else casefold_en
    return frozenset(" ".join(fold_case(word).split()) for word in words)


@cache
def _lexicon() -> _Lexicon:
    words = read_sections("common_words.txt")
    # Stop words are kept unfolded: "şu" must not take the name "Su" with it.
    stop = {lang: _exact(words.get(f"stop {lang}", ()), lang) for lang in LANGS}
    lorem = _normalised(lorem_en.Provider.word_list, "en")
    common_en = _normalised(words.get("common en", ()), "en")
    # Common English words in faker's long "en" lists are mostly not names ("Author",
    # "Doctor"); those that are ("Will", "Hope") are in the hand-written list and stay.
    not_names = (stop["en"] | lorem) - common_en

    def english(core: Iterable[Iterable[str]], extra: Iterable[Iterable[str]]) -> frozenset[str]:
        names = _normalised((n for group in core for n in group), "en")
        more = _normalised((n for group in extra for n in group), "en") - not_names
        return (names | more) - stop["en"]

    given_en = english(
        [
            en_US.Provider.first_names,
            en_GB.Provider.first_names,
            en_IE.Provider.first_names,
            en_NZ.Provider.first_names,
        ],
        [en.Provider.first_names],
    )
    surnames_en = english(
        [en_US.Provider.last_names, en_GB.Provider.last_names],
        [en_IE.Provider.last_names, en_NZ.Provider.last_names, en.Provider.last_names],
    )

    given_file = read_sections("tr_given_names.txt")
    surname_file = read_sections("tr_surnames.txt")
    core_given = _normalised(given_file["core"], "tr") | _normalised(
        tr_TR.Provider.first_names, "tr"
    )
    core_surnames = _normalised(surname_file["core"], "tr") | _normalised(
        tr_TR.Provider.last_names, "tr"
    )
    # Rare names that are also Turkish words ("Nur", "Ay") are names, and ambiguous.
    word_names = _normalised(
        [*given_file.get("extended words", ()), *surname_file.get("extended words", ())], "tr"
    )
    given_tr = core_given | _normalised(given_file["extended"], "tr")
    given_tr = (given_tr | _normalised(given_file.get("extended words", ()), "tr")) - stop["tr"]
    surnames_tr = core_surnames | _normalised(surname_file["extended"], "tr")
    surnames_tr = (surnames_tr | _normalised(surname_file.get("extended words", ()), "tr")) - stop[
        "tr"
    ]
    common: dict[Lang, frozenset[str]] = {
        "tr": _normalised(words.get("common tr", ()), "tr") | (word_names - core_given),
        "en": common_en | lorem,
    }
    ordinary = common["tr"] | stop["tr"] | common["en"] | stop["en"]
    glueable = frozenset(
        name for name in (core_given | core_surnames) - ordinary if len(name) >= _MIN_GLUED_STEM
    )
    return _Lexicon(
        given={"tr": given_tr, "en": given_en},
        surnames={"tr": surnames_tr, "en": surnames_en},
        glueable=glueable,
        not_glued=_normalised(words.get("not glued tr", ()), "tr"),
        common=common,
        stop=stop,
        honorifics={lang: _normalised(_HONORIFICS[lang], lang) for lang in LANGS},
        introducers={lang: _normalised(_INTRODUCERS[lang], lang) for lang in LANGS},
    )


def load() -> None:
    """Load every list now (they load on first use otherwise)."""
    _lexicon()


def _langs(lang: Lang | None) -> tuple[Lang, ...]:
    return LANGS if lang is None else (lang,)


def _candidates(word: str) -> Iterator[tuple[str, bool]]:
    """Lookup keys for ``word``, each with whether it came from stripping a glued suffix."""
    stem, had_apostrophe = strip_apostrophe(word.strip())
    stem = stem.strip(PUNCTUATION)
    if not stem:
        return
    keys = lookup_keys(stem)
    for key in keys:
        yield key, False
    if had_apostrophe:
        return
    lex = _lexicon()
    whole = keys[0]
    if whole in lex.not_glued or any(
        whole in lex.common[lang] or whole in lex.stop[lang] for lang in LANGS
    ):
        return
    for glued in glued_stems(whole):
        yield glued, True


def _in(word: str, table: dict[Lang, frozenset[str]], lang: Lang | None) -> bool:
    lex = _lexicon()
    for key, glued in _candidates(word):
        if glued and key not in lex.glueable:
            continue
        for language in _langs(lang):
            if key in table[language] and key not in lex.stop[language]:
                return True
    return False


def given_names(lang: Lang) -> frozenset[str]:
    """Every given name of ``lang``, as normalised forms (see ``forms``)."""
    return _lexicon().given[lang]


def surnames(lang: Lang) -> frozenset[str]:
    """Every surname of ``lang``, as normalised forms (see ``forms``)."""
    return _lexicon().surnames[lang]


def is_given_name(word: str, lang: Lang | None = None) -> bool:
    """Whether ``word`` (any case, maybe with a Turkish suffix) is a given name of ``lang``
    (of either language when ``lang`` is None)."""
    return _in(word, _lexicon().given, lang)


def is_surname(word: str, lang: Lang | None = None) -> bool:
    """Whether ``word`` (any case, maybe with a Turkish suffix) is a surname of ``lang``."""
    return _in(word, _lexicon().surnames, lang)


def is_name(word: str, lang: Lang | None = None) -> bool:
    """Whether ``word`` is a given name or a surname."""
    return is_given_name(word, lang) or is_surname(word, lang)


def is_common_word(word: str, lang: Lang | None = None) -> bool:
    """Whether ``word`` (its stem before an apostrophe) is an everyday word of ``lang`` that
    collides with names or places (the lists of ``data/common_words.txt``, and faker's common
    English words)."""
    lex = _lexicon()
    stem, _ = strip_apostrophe(word.strip())
    keys = lookup_keys(stem)
    return any(
        key in lex.common[language] or key in lex.stop[language]
        for key in keys
        for language in _langs(lang)
    )


def is_ambiguous(word: str, lang: Lang | None = None) -> bool:
    """Whether ``word`` is a name of ``lang`` that is also an everyday word ("Umut", "Deniz",
    "Can", "Will", "Hope"): a recognizer should want a cue before taking it alone.

    With ``lang`` None, a name of either language that is an everyday word of either counts
    ("Ben" is an English name and Turkish for "I").
    """
    if not is_name(word, lang):
        return False
    return is_common_word(word, None if lang is None else lang)


def honorifics(lang: Lang) -> frozenset[str]:
    """Titles said with a name ("Bey", "Hanım", "Sayın", "Mr", "Dr"), normalised, no dots."""
    return _lexicon().honorifics[lang]


def is_honorific(word: str, lang: Lang | None = None) -> bool:
    """Whether ``word`` (a trailing dot allowed: "Dr.") is an honorific of ``lang``."""
    lex = _lexicon()
    stem, _ = strip_apostrophe(word.strip().rstrip("."))
    keys = lookup_keys(stem)
    return any(key in lex.honorifics[language] for key in keys for language in _langs(lang))


def introducers(lang: Lang) -> frozenset[str]:
    """Words and phrases said right before one's own name ("adım", "my name is"), normalised."""
    return _lexicon().introducers[lang]
