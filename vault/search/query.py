"""The query language, parsed into an expression of normalised terms.

Words (``iptal``), quoted phrases (``"iptal etmek"``), prefixes (``iade*``), ``AND`` (also
implied between words), ``OR``, ``NOT`` and ``-word``, and parentheses. The operators are
upper-case: ``or`` is a word. Every word goes through ``normalise``, the same path as the
documents; a word is looked for in each language a document may have been stemmed in (unless
the search is limited to one language), so ``refunds`` finds English calls and ``iptalini``
Turkish ones. A word that normalises to nothing (punctuation) is left out.

The result holds terms only, never the user's text: the backends quote every term when they
write their own query syntax. Errors are ``InvalidInput`` with a message that does not repeat
the query (a searched phone number must not reach a log).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from vault.errors import InvalidInput
from vault.search import normalise
from vault.search.normalise import MIN_PREFIX, Language

MAX_QUERY_CHARS = 500
MAX_TERMS = 32
MAX_DEPTH = 8


@dataclass(frozen=True)
class Match:
    """Any one of ``alternatives``, each a run of consecutive terms (one term for a word).

    With ``prefix``, the last term of each alternative matches any term it begins.
    """

    alternatives: tuple[tuple[str, ...], ...]
    prefix: bool = False


@dataclass(frozen=True)
class AllOf:
    """Every one of ``include`` and none of ``exclude`` (``include`` is never empty)."""

    include: tuple[Expr, ...]
    exclude: tuple[Expr, ...] = ()


@dataclass(frozen=True)
class AnyOf:
    children: tuple[Expr, ...]


Expr = Match | AllOf | AnyOf


@dataclass(frozen=True)
class _Lexeme:
    kind: Literal["word", "phrase", "and", "or", "not", "(", ")"]
    text: str = ""
    prefix: bool = False


_OPERATORS: dict[str, Literal["and", "or", "not"]] = {"AND": "and", "OR": "or", "NOT": "not"}
_STOP = ' \t\r\n()"'


def _lex(text: str) -> Iterator[_Lexeme]:
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "()":
            yield _Lexeme("(" if char == "(" else ")")
            i += 1
        elif char == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise InvalidInput("a quoted phrase is not closed: add the closing quote")
            phrase = text[i + 1 : end]
            i = end + 1
            prefix = i < n and text[i] == "*"
            if prefix:
                i += 1
            yield _Lexeme("phrase", phrase, prefix)
        elif char == "-" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] not in "-)":
            yield _Lexeme("not")
            i += 1
        else:
            start = i
            while i < n and text[i] not in _STOP:
                i += 1
            word = text[start:i]
            if word in _OPERATORS:
                yield _Lexeme(_OPERATORS[word])
            else:
                stripped = word.rstrip("*")
                yield _Lexeme("word", stripped, prefix=len(stripped) < len(word))


class _Parser:
    def __init__(self, text: str, languages: Sequence[Language | None]) -> None:
        self.lexemes = list(_lex(text))
        self.at = 0
        self.languages = languages
        self.leaves = 0

    def peek(self) -> str | None:
        return self.lexemes[self.at].kind if self.at < len(self.lexemes) else None

    def take(self) -> _Lexeme:
        lexeme = self.lexemes[self.at]
        self.at += 1
        return lexeme

    def parse(self) -> Expr | None:
        if not self.lexemes:
            return None
        expr = self.any(0)
        if self.peek() == ")":
            raise InvalidInput("a closing parenthesis has no opening one")
        return expr

    def any(self, depth: int) -> Expr | None:
        if depth > MAX_DEPTH:
            raise InvalidInput(f"the query nests parentheses deeper than {MAX_DEPTH}")
        children = [self.all(depth)]
        while self.peek() == "or":
            self.take()
            children.append(self.all(depth))
        kept = tuple(c for c in children if c is not None)
        if len(kept) <= 1:
            return kept[0] if kept else None
        return AnyOf(kept)

    def all(self, depth: int) -> Expr | None:
        include: list[Expr] = []
        exclude: list[Expr] = []
        seen = False
        while self.peek() not in (None, "or", ")"):
            if seen and self.peek() == "and":
                self.take()
            negated, expr = self.unary(depth)
            seen = True
            if expr is not None:
                (exclude if negated else include).append(expr)
        if not seen:
            raise InvalidInput("OR and AND need something to search for on each side")
        if not include:
            if exclude:
                raise InvalidInput(
                    "NOT needs something to find alongside it, as in: iade NOT kargo"
                )
            return None
        if len(include) == 1 and not exclude:
            return include[0]
        return AllOf(tuple(include), tuple(exclude))

    def unary(self, depth: int) -> tuple[bool, Expr | None]:
        kind = self.peek()
        if kind is None or kind in ("and", "or", ")"):
            raise InvalidInput("AND, OR and NOT need something to search for after them")
        if kind == "not":
            self.take()
            negated, expr = self.unary(depth)
            return not negated, expr
        if kind == "(":
            self.take()
            expr = self.any(depth + 1)
            if self.peek() != ")":
                raise InvalidInput("a parenthesis is not closed: add the closing one")
            self.take()
            return False, expr
        return False, self.leaf(self.take())

    def leaf(self, lexeme: _Lexeme) -> Match | None:
        alternatives: list[tuple[str, ...]] = []
        for language in self.languages:
            if lexeme.prefix:
                found = normalise.prefix_terms(lexeme.text, language=language)
            else:
                found = normalise.terms(lexeme.text, language=language)
            if found and tuple(found) not in alternatives:
                alternatives.append(tuple(found))
        if not alternatives:
            return None
        if lexeme.prefix and min(len(a[-1]) for a in alternatives) < MIN_PREFIX:
            raise InvalidInput(f"a prefix search needs at least {MIN_PREFIX} letters before the *")
        self.leaves += 1
        if self.leaves > MAX_TERMS:
            raise InvalidInput(f"the query has more than {MAX_TERMS} words and phrases")
        return Match(tuple(alternatives), prefix=lexeme.prefix)


def parse(text: str, *, language: Language | None = None, any_language: bool = True) -> Expr | None:
    """The expression for ``text``; ``None`` when it holds nothing to search for.

    Words are looked for as stemmed in ``language`` only, when ``any_language`` is false;
    otherwise as stemmed in each supported language and unstemmed.
    """
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidInput(f"the query is longer than {MAX_QUERY_CHARS} characters")
    languages: Sequence[Language | None] = (
        (*normalise.LANGUAGES, None) if any_language else (language,)
    )
    return _Parser(text, languages).parse()


def entity(tag: str) -> Match:
    """Calls whose redacted text holds a tag of this entity type."""
    return Match(((normalise.tag_term(tag),),))


def require(expr: Expr | None, extra: Sequence[Expr]) -> Expr | None:
    """``expr`` and every one of ``extra``."""
    parts = ([expr] if expr is not None else []) + list(extra)
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    if isinstance(expr, AllOf):
        return AllOf(expr.include + tuple(extra), expr.exclude)
    return AllOf(tuple(parts))


def positives(expr: Expr | None) -> list[Match]:
    """The leaves a hit may owe its match to: what highlights mark (never an excluded one)."""
    if expr is None:
        return []
    if isinstance(expr, Match):
        return [expr]
    children = expr.include if isinstance(expr, AllOf) else expr.children
    return [m for child in children for m in positives(child)]
