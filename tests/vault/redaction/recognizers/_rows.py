"""Table rows for one recognizer, run on its own over a ``Document``.

A row is ``(lang, text, expected)``; ``expected`` lists ``(entity type, the exact substring)``
pairs, so a table reads as the call did. A recognizer may report one stretch twice or in
overlapping pieces (the engine merges them), so its findings are merged by the engine's one
overlap policy before they are compared; the edges of a span are compared on letters and
digits (the space or full stop after a name is no personal data).
"""

from __future__ import annotations

from vault.redaction.base import Recognizer
from vault.redaction.document import Document
from vault.redaction.overlap import resolve
from vault.redaction.types import EntityType, Known

Expected = list[tuple[EntityType, str]]
Row = tuple[str, str, Expected]
Span = tuple[str, int, str]
"""(entity type, start, text): a failing row shows what was said, not just offsets."""


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def found(recognizer: Recognizer, text: str, lang: str, known: Known | None = None) -> list[Span]:
    doc = Document(text=text, lang=lang, known=known or Known())
    out: list[Span] = []
    for finding in resolve(recognizer.analyze(doc)):
        start, end = _trim(text, finding.start, finding.end)
        out.append((finding.entity_type.value, start, text[start:end]))
    return out


def wanted(text: str, expected: Expected) -> list[Span]:
    spans = []
    for entity, said in expected:
        assert said in text, f"the row's expected value {said!r} is not in its text"
        spans.append((entity.value, text.index(said), said))
    return sorted(spans, key=lambda span: span[1])


def check(
    recognizer: Recognizer, lang: str, text: str, expected: Expected, known: Known | None = None
) -> None:
    """Fail with what was said, what was found and what should have been."""
    got, want = found(recognizer, text, lang, known), wanted(text, expected)
    assert got == want, f"{lang} {text!r}\n  found:  {got}\n  wanted: {want}"


def ids(rows: list[Row]) -> list[str]:
    """``tr+3``: the third Turkish row that must find something; ``en-2``: must find nothing."""
    counts: dict[str, int] = {}
    out = []
    for lang, _text, expected in rows:
        key = f"{lang}{'+' if expected else '-'}"
        counts[key] = counts.get(key, 0) + 1
        out.append(f"{key}{counts[key]}")
    return out


def balance(rows: list[Row]) -> tuple[int, int]:
    """(positive rows, negative rows)."""
    positive = sum(1 for _lang, _text, expected in rows if expected)
    return positive, len(rows) - positive
