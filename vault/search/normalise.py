"""The one normalisation that both the index and the queries go through.

A word becomes a *term* in four steps, always in this order:

1. **lower-case by language**: Turkish rules (``İ→i``, ``I→ı``) for Turkish and for text of
   unknown language, plain rules for English (``I→i``);
2. **apostrophe suffixes** are dropped: ``Octopus'un`` is the word ``Octopus``;
3. **stem** with the snowball stemmer of the text's language (none when it is unknown), on the
   word with its diacritics, which the Turkish stemmer needs;
4. **fold diacritics** away (``ş→s``, ``ı→i``, ``ü→u``), so ``yilmaz`` finds ``Yılmaz``.

Entity tags the redaction left (``[CARD_NUMBER]``) become the terms ``entity_card_number``.
Only tags have an underscore: a spoken word never turns into a tag's term.

Every token keeps its character span in the text it came from (``Octopus'un`` as a whole),
for highlights, and so for the time of the segment that said it.

Snowball's Turkish stemmer is aggressive with short words (``iade→ia``, ``kartı→kar``); since
documents and queries are stemmed alike the two still meet, and prefix queries fall back to
the stem where it is shorter than the typed prefix (see ``prefix_terms``).
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import regex
import snowballstemmer  # type: ignore[import-untyped]

from vault.redaction.text import ascii_fold, fold

Language = Literal["tr", "en"]
LANGUAGES: tuple[Language, ...] = ("tr", "en")

ENTITY_PREFIX = "entity_"
MAX_TERM = 64
"""Longer terms are cut: nobody types them, and PostgreSQL caps a lexeme's size."""
MIN_PREFIX = 2

_APOSTROPHES = "'’ʼ"
_TOKEN = regex.compile(
    r"(?:\[(?P<tag>[A-Z][A-Z0-9_]{0,40})\]|(?P<word>[\p{L}\p{N}\p{M}]+))"
    rf"(?:[{_APOSTROPHES}][\p{{L}}\p{{M}}]+)?",
)
_STEMMER_NAMES: dict[Language, str] = {"tr": "turkish", "en": "english"}
_BY_CODE: dict[str, Language] = {"tr": "tr", "en": "en"}
_local = threading.local()


@dataclass(frozen=True, slots=True)
class Token:
    """A term and the span ``text[start:end]`` it was read from."""

    term: str
    start: int
    end: int


def language_of(code: str | None) -> Language | None:
    """The stemming language for a transcript's language code (``tr``, ``en-GB``...), if any."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-", 1)[0]
    return _BY_CODE.get(base)


def _stemmer(language: Language) -> Any:
    # The stemmers keep state while they work: one per thread.
    stemmers: dict[Language, Any] | None = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    if language not in stemmers:
        stemmers[language] = snowballstemmer.stemmer(_STEMMER_NAMES[language])
    return stemmers[language]


def _lower(word: str, language: Language | None) -> str:
    word = unicodedata.normalize("NFC", word)
    lowered = fold(word, turkish=language != "en")
    return lowered.replace("i\u0307", "i")  # the dot an ``İ`` keeps when lowered elsewhere


def _plain(text: str) -> str:
    """Diacritics folded away, and any combining mark left over dropped."""
    folded = unicodedata.normalize("NFD", ascii_fold(text))
    return "".join(c for c in folded if not unicodedata.combining(c))


@lru_cache(maxsize=1 << 16)
def term(word: str, language: Language | None) -> str:
    """The term of one word (no apostrophe suffix, no spaces) in ``language``."""
    lowered = _lower(word, language)
    stemmed: str = _stemmer(language).stemWord(lowered) if language is not None else lowered
    return _plain(stemmed)[:MAX_TERM]


def tag_term(tag: str) -> str:
    """The term of an entity tag: ``CARD_NUMBER`` → ``entity_card_number``."""
    return ENTITY_PREFIX + tag.lower()


def tokens(text: str, *, language: Language | None) -> list[Token]:
    """The terms of ``text`` in order, each with its span in ``text``."""
    out: list[Token] = []
    for match in _TOKEN.finditer(text):
        tag, word = match.groups()
        value = term(word, language) if tag is None else tag_term(tag)
        if value:
            start, end = match.span()
            out.append(Token(value, start, end))
    return out


def word_spans(text: str) -> list[tuple[int, int]]:
    """The span of each word and tag of ``text``, in order, as ``tokens`` reads them (without
    making their terms, so a word whose term is empty has one too)."""
    return [match.span() for match in _TOKEN.finditer(text)]


def terms(text: str, *, language: Language | None) -> list[str]:
    return [t.term for t in tokens(text, language=language)]


def prefix_terms(text: str, *, language: Language | None) -> list[str]:
    """What a prefix query (``iade*``) looks for: the terms of ``text``, the last one as a prefix.

    The last word's prefix is the longest common start of its stem and of the word unstemmed, so
    that ``iade*`` still finds ``iade`` (stemmed ``ia``) and ``happy*`` finds ``happiness``
    (stemmed ``happi``).
    """
    found = tokens(text, language=language)
    if not found:
        return []
    last = found[-1]
    if last.term.startswith(ENTITY_PREFIX):
        return [t.term for t in found]
    words = [m for m in _TOKEN.finditer(text) if m.group("word") is not None]
    unstemmed = _plain(_lower(words[-1].group("word"), language))[:MAX_TERM] if words else ""
    common = _common_prefix(last.term, unstemmed)
    if len(common) < MIN_PREFIX:
        common = unstemmed or last.term
    return [t.term for t in found[:-1]] + [common]


def _common_prefix(a: str, b: str) -> str:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return a[:n]
