"""What the audit log keeps of a search: its words redacted, and the filters, which name no one.

A quality officer may type a customer's phone number or name into the search box. The audit
entry says that a search ran and roughly what for, without keeping such a value: the query goes
through the redaction engine, in Turkish and in English, as typed and with the words the name
lexicon knows capitalised (a name typed in lower case is still a name), and every value found
becomes its entity tag. ``iptal 0532 418 27 90`` is logged as ``q="iptal [PHONE_NUMBER]"``.

The engine's limits apply: a lone given name ("Mehmet", "Umut") is kept, as it is at the start
of a transcript's sentence without a cue; so that everyday words stay readable ("cancel" and
"tutar" are names somewhere), no word is taken for a name on the lexicon's say alone. If the
engine gives up on a query (its regex timeout), the query is withheld from the entry rather
than stored unredacted.
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache

import regex

from vault.redaction import lexicon
from vault.redaction.engine import RedactionError, Redactor, replace
from vault.redaction.lexicon import LANGS, Lang
from vault.search.schemas import SearchFilters, Sort

MAX_DETAIL = 1000
"""The length of ``AuditEntry.detail``."""
WITHHELD = "[WITHHELD]"
"""Stands for a query the engine could not redact."""

_LOWER_WORD = regex.compile(r"\b\p{Ll}[\p{L}\p{M}'’]*")
_TURKISH_UPPER = {"i": "İ", "ı": "I"}
_ELLIPSIS = "…"


@cache
def redactor() -> Redactor:
    """The process's engine, built once (it loads the name lexicons) and warmed up."""
    engine = Redactor()
    for lang in LANGS:
        engine.redact("Ahmet Yılmaz, 0532 418 27 90", lang=lang)
    return engine


def _capitalised(text: str, lang: Lang) -> str:
    """``text`` with the words the lexicon knows as names capitalised, as a transcript would
    have them (the engine takes only capitalised words for names), and the word after a
    given name that opens a name and is no everyday word ("jane doe"); other words are left
    alone, so that "ayşe kaya iade" reads "Ayşe Kaya iade" and "will refund" stays as typed."""
    upper = _TURKISH_UPPER if lang == "tr" else {}
    previous = ""  # "name", or "opener": a given name, after no name, that is no everyday word

    def capital(word: regex.Match[str]) -> str:
        nonlocal previous
        text = word[0]
        given = lexicon.is_given_name(text, lang)
        name = given or lexicon.is_surname(text, lang)
        follows = previous == "opener"
        if given and not previous and not lexicon.is_ambiguous(text, lang):
            previous = "opener"
        else:
            previous = "name" if name else ""
        if not (name or follows):
            return text
        return (upper.get(text[0]) or text[0].upper()) + text[1:]

    return _LOWER_WORD.sub(capital, text)


def _redact(engine: Redactor, text: str, lang: Lang) -> str:
    text = engine.redact(text, lang=lang).text
    capitalised = _capitalised(text, lang)
    # No known name typed in lower case; or a letter that grows when upper-cased, which would
    # move the offsets.
    if capitalised == text or len(capitalised) != len(text):
        return text
    return replace(text, engine.analyze(capitalised, lang=lang))


def redact_query(text: str, *, engine: Redactor | None = None) -> str:
    """``text`` with every personal value the engine finds replaced by its tag."""
    engine = engine or redactor()
    # The audit log refuses control characters; as spaces they still separate words.
    clean = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    try:
        for lang in LANGS:
            clean = _redact(engine, clean, lang)
    except RedactionError:
        return WITHHELD
    return clean


def _quoted(text: str, room: int) -> str:
    """``text`` as a JSON string of at most ``room`` characters, cut with an ellipsis."""
    quoted = json.dumps(text, ensure_ascii=False)
    cut = text
    while len(quoted) > room and cut:
        cut = cut[: max(0, len(cut) - (len(quoted) - room) - len(_ELLIPSIS))]
        quoted = json.dumps(cut + _ELLIPSIS, ensure_ascii=False)
    return quoted


def describe(
    *, query: str, filters: SearchFilters, sort: Sort, engine: Redactor | None = None
) -> str:
    """The audit detail of a search: ``q="..." entity=CARD_NUMBER language=tr sort=date``.

    Fits ``AuditEntry.detail``: a long query is cut (after redaction), the filters never are.
    """
    rest: list[str] = [f"entity={t.value}" for t in filters.entity_types]
    if filters.language is not None:
        rest.append(f"language={filters.language}")
    if filters.speaker is not None:
        rest.append(f"speaker={filters.speaker.value}")
    if filters.started_from is not None:
        rest.append(f"from={filters.started_from.isoformat()}")
    if filters.started_to is not None:
        rest.append(f"to={filters.started_to.isoformat()}")
    if filters.min_duration is not None:
        rest.append(f"min_duration={filters.min_duration:g}")
    if filters.max_duration is not None:
        rest.append(f"max_duration={filters.max_duration:g}")
    if filters.agent_id is not None:
        # An agent's id, typed by the caller: redacted as well, and cut to a sensible length.
        rest.append("agent=" + _quoted(redact_query(filters.agent_id, engine=engine), 160))
    rest.append(f"sort={sort}")
    tail = " ".join(rest)
    if not query.strip():
        return tail[:MAX_DETAIL]
    room = MAX_DETAIL - len(tail) - len("q= ")
    return f"q={_quoted(redact_query(query, engine=engine), room)} {tail}"
