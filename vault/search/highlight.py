"""Snippets: the segments a query matched, HTML-escaped, with ``<mark>`` around each hit.

Hits are found again here, on the stored redacted segments, with the same normalisation the
index used; a segment's start is the time a player jumps to. Only what the query looked for
is marked, never what it excluded.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator, Sequence

from models.schemas import Speaker
from vault.search import normalise
from vault.search.document import StoredSegment
from vault.search.normalise import Language, Token
from vault.search.query import Match
from vault.search.schemas import SearchSnippet

MAX_SNIPPETS = 3
WINDOW = 240
"""Characters of a long segment shown around its first hit."""


def _hits(terms: Sequence[str], at: dict[str, list[int]], leaf: Match) -> Iterator[tuple[int, int]]:
    """The first and last term of each place an alternative of ``leaf`` matches."""
    for alternative in leaf.alternatives:
        last = len(alternative) - 1
        first = alternative[0]
        if leaf.prefix and last == 0:
            starts: Iterable[int] = [i for i, t in enumerate(terms) if t.startswith(first)]
        else:
            starts = at.get(first, ())
        for i in starts:
            if i + last >= len(terms):
                continue
            end = terms[i + last]
            if all(terms[i + k] == alternative[k] for k in range(1, last)) and (
                end.startswith(alternative[last]) if leaf.prefix else end == alternative[last]
            ):
                yield i, i + last


def places(terms: Sequence[str], leaves: Sequence[Match]) -> list[tuple[int, int]]:
    """The first and last term of every hit of ``leaves`` among ``terms``, in order."""
    at: dict[str, list[int]] = {}
    for i, term in enumerate(terms):
        at.setdefault(term, []).append(i)
    return sorted(found for leaf in leaves for found in _hits(terms, at, leaf))


def spans(tokens: Sequence[Token], leaves: Sequence[Match]) -> list[tuple[int, int]]:
    """The character spans of every hit of ``leaves`` among ``tokens``, merged, in order."""
    return _merged(
        [(tokens[a].start, tokens[b].end) for a, b in places([t.term for t in tokens], leaves)]
    )


def _merged(found: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


Needles = list[tuple[str, ...]]
"""For each alternative of a query's leaves, what a segment's terms, space-padded, must hold."""


def needles(leaves: Sequence[Match]) -> Needles:
    """The strings ``may_hit`` looks for, made once per search: each term of an alternative with
    a space either side (the last one of a prefix query with a space before it only)."""
    return [
        tuple(
            f" {t}" if leaf.prefix and i == len(alternative) - 1 else f" {t} "
            for i, t in enumerate(alternative)
        )
        for leaf in leaves
        for alternative in leaf.alternatives
    ]


def may_hit(terms: str, wanted: Needles) -> bool:
    """Whether a segment with these terms (space-separated) can hold a hit: each term of some
    alternative is among them. A cheap test on a string, before the segment is tokenised
    again to place the hits."""
    padded = f" {terms} "
    for alternative in wanted:  # loops, not any(all(...)): this runs for every segment read
        for needle in alternative:
            if needle not in padded:
                break
        else:
            return True
    return False


def _segment_hits(
    text: str,
    terms: str | None,
    language: Language | None,
    leaves: Sequence[Match],
    wanted: Needles,
) -> list[tuple[int, int]]:
    """The character spans of the hits in one segment.

    From its stored terms, when it has them: the hits are placed on those, and only the
    words' spans are read from the text again (no stemming). A word whose term came out empty
    left no stored term; its segment then has more words than terms and is tokenised again.
    """
    if terms is not None:
        if not may_hit(terms, wanted):
            return []
        listed = terms.split(" ")
        words = normalise.word_spans(text)
        if len(words) == len(listed):
            return _merged([(words[a][0], words[b][1]) for a, b in places(listed, leaves)])
    return spans(normalise.tokens(text, language=language), leaves)


def _window(text: str, first: int) -> tuple[int, int]:
    if len(text) <= WINDOW:
        return 0, len(text)
    start = max(0, first - WINDOW // 3)
    if start > 0:
        space = text.find(" ", start, first)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + WINDOW)
    if end < len(text):
        space = text.rfind(" ", max(start, first), end)
        end = space if space > first else end
    return start, end


def mark(text: str, hits: Sequence[tuple[int, int]]) -> str:
    """``text`` (a window of it, if long) escaped, with ``<mark>`` around ``hits``."""
    start, end = _window(text, hits[0][0])
    out = ["…" if start > 0 else ""]
    at = start
    for hit_start, hit_end in hits:
        left, right = max(hit_start, start), min(hit_end, end)
        if left >= right:
            continue
        out.append(html.escape(text[at:left]))
        out.append(f"<mark>{html.escape(text[left:right])}</mark>")
        at = right
    out.append(html.escape(text[at:end]))
    out.append("…" if end < len(text) else "")
    return "".join(out)


def snippets(
    segments: Iterable[StoredSegment],
    *,
    language: Language | None,
    leaves: Sequence[Match],
    speaker: Speaker | None,
) -> list[SearchSnippet]:
    """The first ``MAX_SNIPPETS`` segments with a hit, as snippets.

    It stops there: reading a whole long call again for every hit would cost more than the
    index query itself.
    """
    out: list[SearchSnippet] = []
    if not leaves:
        return out
    wanted = needles(leaves)
    for segment in segments:
        if len(out) == MAX_SNIPPETS:
            break
        if speaker is not None and segment.speaker != speaker:
            continue
        hits = _segment_hits(segment.text, segment.terms, language, leaves, wanted)
        if hits:
            out.append(
                SearchSnippet(
                    start=segment.start,
                    end=segment.end,
                    speaker=segment.speaker,
                    html=mark(segment.text, hits),
                )
            )
    return out
