"""PostgreSQL: the terms in the stored tsvector ``search_documents.terms`` (GIN), by ts_rank.

The tsvector and the tsquery are written out here, lexeme by lexeme, rather than made by
``to_tsvector('simple', ...)``: the terms are already normalised, and PostgreSQL's parser would
split them again (``entity_card_number`` into three words). Each speaker's terms carry a weight
(agent ``A``, customer ``B``, mixed ``C``), so a query can be held to one speaker, and follow
each other in positions, with a gap between speakers, so a phrase never spans two of them: the
same phrases FTS5 finds in its per-speaker columns.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    Integer,
    Subquery,
    and_,
    any_,
    bindparam,
    cast,
    func,
    insert,
    literal,
    literal_column,
    null,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, DOUBLE_PRECISION, TSQUERY, TSVECTOR
from sqlalchemy.orm import Session

from models.schemas import Speaker
from models.tables import SearchDocument
from vault.search.base import DOCUMENTS, SPEAKERS, AnySelect, Backend, Document
from vault.search.normalise import ENTITY_PREFIX
from vault.search.query import AllOf, AnyOf, Expr, Match

WEIGHTS: dict[Speaker, str] = {Speaker.AGENT: "A", Speaker.CUSTOMER: "B", Speaker.MIXED: "C"}
MAX_POSITION = 16383
"""PostgreSQL's last position: later terms share it (they match, but not in phrases)."""
MAX_POSITIONS_PER_TERM = 256
"""PostgreSQL keeps no more positions of one lexeme (phrases past them are missed)."""
READ_WHOLE = 2000
"""Matches the planner expects to be no more than this are read whole, not in slices of time:
a rare word's few calls cost one round trip, whatever the window (a page of 21 by date)."""
FIRST_SLICE = 32
"""The relevance window's first slice of time: this fraction of the period searched."""
SLICE_MARGIN = 1.25
_MICROSECOND = timedelta(microseconds=1)
"""Each later slice is this much longer than the matches met so far say it needs to be."""

# ts_rank's weights, {D, C, B, A}: every speaker counts the same. Normalisation 1 divides by
# 1 + log(length), as bm25 also favours shorter documents.
_RANK_WEIGHTS: ColumnElement[object] = literal_column("'{1, 1, 1, 1}'::real[]")
_RANK_NORMALISATION = 1


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _query_lexeme(term: str, *, prefix: bool, weight: str) -> str:
    label = ("*" if prefix else "") + weight
    return _lexeme(term) + (f":{label}" if label else "")


def _positions(terms: Mapping[Speaker, Sequence[str]]) -> dict[str, list[str]]:
    """Each term's positions as the tsvector stores them (``12A``), in order."""
    positions: dict[str, list[str]] = {}
    at = 0
    for speaker in SPEAKERS:
        weight = WEIGHTS[speaker]
        for term in terms.get(speaker, ()):
            at += 1
            held = positions.setdefault(term, [])
            entry = f"{min(at, MAX_POSITION)}{weight}"
            if len(held) < MAX_POSITIONS_PER_TERM and (not held or held[-1] != entry):
                held.append(entry)
        at += 1  # the gap between speakers
    return positions


def tsvector(terms: Mapping[Speaker, Sequence[str]]) -> str:
    """The tsvector literal of a document's terms, by speaker."""
    return " ".join(f"{_lexeme(t)}:{','.join(p)}" for t, p in _positions(terms).items())


def pairs(terms: Mapping[Speaker, Sequence[str]]) -> str:
    """The tsvector literal of ``search_documents.pairs``: every two terms at adjacent positions
    of ``terms`` (``want a``), and every entity tag with the weight of a speaker who said it
    (``B:entity_card_number``), without positions. What the stored ``terms`` and ``entities``
    hold, and migration 0007 derives in SQL the same way."""
    positions = _positions(terms)
    at: dict[int, list[str]] = {}
    found: set[str] = set()
    for term, entries in positions.items():
        for entry in entries:
            at.setdefault(int(entry[:-1]), []).append(term)
    for position, first in at.items():
        for a in first:
            found.update(f"{a} {b}" for b in at.get(position + 1, ()))
    for tag, entries in _positions(_tags(terms)).items():
        found.update(f"{entry[-1]}:{tag}" for entry in entries)
    return " ".join(_lexeme(p) for p in sorted(found))


def _estimate(session: Session, statement: AnySelect) -> float:
    """The planner's estimate of how many rows ``statement`` returns: from the statistics
    (the terms' most common lexemes), without reading a row."""
    compiled = statement.compile(dialect=session.get_bind().dialect)
    explain = "EXPLAIN (FORMAT JSON) " + str(compiled)
    plan = session.connection().exec_driver_sql(explain, compiled.params).scalar_one()
    return float(plan[0]["Plan"]["Plan Rows"])


def _newest_ids(
    session: Session,
    found: AnySelect,
    *,
    window: int,
    started_from: datetime | None,
    started_to: datetime | None,
    trust_estimate: bool,
) -> list[int]:
    """The ids of the newest ``window`` documents ``found`` selects (by ``started_at``, then
    id), read in slices of time going back from the newest call, each slice's matches found
    through the term index and the ``started_at`` index together: the rows read grow with
    the window, not with how many documents match in all.

    Matches the planner expects to be no more than ``READ_WHOLE`` or the window (if
    ``trust_estimate``) are read at once, without slicing (and sliced after all if they are
    more). Otherwise the first
    slice is ``1 / FIRST_SLICE`` of the period; each next one is sized from the
    matches met so far to fill what the window lacks, with a margin, or is the rest."""
    doc = SearchDocument
    whole = max(window, READ_WHOLE)
    if trust_estimate and _estimate(session, found) <= whole:
        # Likely few matches (a rare word, one agent's month): read them whole in one round
        # trip, in any order, stopping after ``whole + 1``, and keep the newest.
        few = list(session.execute(found.add_columns(doc.started_at).limit(whole + 1)))
        if len(few) <= whole:
            few.sort(key=lambda row: (row[1], row[0]), reverse=True)
            return [row[0] for row in few[:window]]
    bounds = session.execute(select(func.min(doc.started_at), func.max(doc.started_at))).one()
    oldest: datetime | None = bounds[0]
    newest: datetime | None = bounds[1]
    if oldest is None or newest is None:
        return []
    lowest = oldest if started_from is None else max(oldest, started_from)
    upper = newest + timedelta(microseconds=1)
    upper = upper if started_to is None else min(upper, started_to)
    # Ordered by an expression the started_at index cannot give: walking that index
    # backwards and testing each row against the query (the planner's pick) costs far more
    # than the term index for queries that match a few percent of calls.
    newest_first = func.coalesce(doc.started_at, doc.started_at)
    top, span = upper, (upper - lowest) / FIRST_SLICE
    ids: list[int] = []
    while upper > lowest and len(ids) < window:
        lower = max(lowest, upper - span)
        ids += session.scalars(
            found.where(doc.started_at >= lower, doc.started_at < upper)
            .order_by(newest_first.desc(), doc.id.desc())
            .limit(window - len(ids))
        )
        covered = (top - lower).total_seconds()
        upper, rest = lower, (lower - lowest)
        if not ids:
            span = rest
        else:
            density = len(ids) / max(covered, 1e-6)
            wanted = timedelta(seconds=(window - len(ids)) / density * SLICE_MARGIN)
            span = min(rest, max(wanted, _MICROSECOND))  # never an empty slice: it would not end
    return ids


def _tags(terms: Mapping[Speaker, Sequence[str]]) -> dict[Speaker, list[str]]:
    return {s: [t for t in found if t.startswith(ENTITY_PREFIX)] for s, found in terms.items()}


def render(expr: Expr, weight: str = "") -> str:
    """The tsquery literal of ``expr``; ``weight`` holds every term to one speaker."""
    if isinstance(expr, Match):
        parts = [
            " <-> ".join(
                _query_lexeme(t, prefix=expr.prefix and i == len(alternative) - 1, weight=weight)
                for i, t in enumerate(alternative)
            )
            for alternative in expr.alternatives
        ]
        return "(" + " | ".join(f"({p})" for p in parts) + ")"
    if isinstance(expr, AnyOf):
        return "(" + " | ".join(render(c, weight) for c in expr.children) + ")"
    terms = [render(c, weight) for c in expr.include]
    terms += [f"!{render(c, weight)}" for c in expr.exclude]
    return "(" + " & ".join(terms) + ")"


def _is_tag(expr: Expr) -> bool:
    return (
        isinstance(expr, Match)
        and not expr.prefix
        and len(expr.alternatives) == 1
        and len(expr.alternatives[0]) == 1
        and expr.alternatives[0][0].startswith(ENTITY_PREFIX)
    )


def _split(expr: Expr) -> tuple[Expr | None, Expr | None]:
    """``expr`` as its words and the entity tags every hit must hold (the search's entity
    filters), when it is that conjunction; otherwise all words."""
    parts = expr.include if isinstance(expr, AllOf) else (expr,)
    tags = tuple(p for p in parts if _is_tag(p))
    rest = tuple(p for p in parts if not _is_tag(p))
    exclude = expr.exclude if isinstance(expr, AllOf) else ()
    if not tags or (not rest and exclude):
        return expr, None
    words: Expr | None = None
    if rest:
        words = rest[0] if len(rest) == 1 and not exclude else AllOf(rest, exclude)
    return words, tags[0] if len(tags) == 1 else AllOf(tags)


def _implied_pairs(expr: Expr) -> str | None:
    """A tsquery over ``pairs`` that every document ``expr`` matches also matches: each phrase
    as the pairs of its adjacent terms (``"want a refund"``: ``'want a' & 'a refund'``), a
    prefix phrase's last pair as a prefix; ``None`` where words alone say nothing of pairs."""
    if isinstance(expr, Match):
        parts = []
        for alternative in expr.alternatives:
            if len(alternative) < 2:
                return None
            last = len(alternative) - 2
            pair_lexemes = [
                _query_lexeme(f"{a} {b}", prefix=expr.prefix and i == last, weight="")
                for i, (a, b) in enumerate(itertools.pairwise(alternative))
            ]
            parts.append("(" + " & ".join(pair_lexemes) + ")")
        return "(" + " | ".join(parts) + ")"
    if isinstance(expr, AnyOf):
        children = [_implied_pairs(c) for c in expr.children]
        if any(c is None for c in children):
            return None
        return "(" + " | ".join(c for c in children if c is not None) + ")"
    found = [q for c in expr.include if (q := _implied_pairs(c)) is not None]
    return "(" + " & ".join(found) + ")" if found else None


def _pairs_alone(expr: Expr) -> bool:
    """Whether ``pairs`` decides ``expr`` alone (said by anyone): two-term phrases, in
    conjunctions and disjunctions; longer ones also need their terms' positions."""
    if isinstance(expr, Match):
        return all(len(alternative) == 2 for alternative in expr.alternatives)
    if isinstance(expr, AnyOf):
        return all(_pairs_alone(c) for c in expr.children)
    return not expr.exclude and all(_pairs_alone(c) for c in expr.include)


def _tags_of(tags: Expr) -> list[str]:
    parts = tags.include if isinstance(tags, AllOf) else (tags,)
    return [p.alternatives[0][0] for p in parts if isinstance(p, Match)]


def _matches(expr: Expr, weight: str) -> ColumnElement[bool]:
    """The documents ``expr`` matches: its words in ``terms``; its entity tags in
    ``entities``, which is in the row, or with a speaker's weight as the exact ``pairs``
    lexemes ``B:entity_...`` (a weight in a query makes PostgreSQL check every candidate row
    again). A phrase also requires its pairs of terms in ``pairs``, which the GIN index answers
    exactly: only documents holding the phrase's pairs are checked for its positions in
    ``terms``, which is stored out of line."""
    doc = SearchDocument
    words, tags = _split(expr)
    conditions = []
    if words is not None:
        words_query = cast(literal(render(words, weight)), TSQUERY)
        implied = _implied_pairs(words)
        if implied is None:
            conditions.append(doc.terms.bool_op("@@")(words_query))
        else:
            conditions.append(doc.pairs.bool_op("@@")(cast(literal(implied), TSQUERY)))
            if weight or not _pairs_alone(words):
                # Checked on the rows the pairs find, never through the terms' index: a
                # phrase there marks every row holding its words for a recheck.
                terms = func.coalesce(doc.terms, doc.terms)
                conditions.append(terms.bool_op("@@")(words_query))
    if tags is not None and weight:
        tag_pairs = " & ".join(_lexeme(f"{weight}:{t}") for t in _tags_of(tags))
        conditions.append(doc.pairs.bool_op("@@")(cast(literal(tag_pairs), TSQUERY)))
    elif tags is not None:
        tags_query = cast(literal(render(tags, weight)), TSQUERY)
        conditions.append(doc.entities.bool_op("@@")(tags_query))
    return and_(*conditions)


class PostgresBackend(Backend):
    def insert(self, session: Session, documents: Sequence[Document]) -> Sequence[int]:
        statement = (
            insert(DOCUMENTS)
            .values(
                terms=cast(bindparam("terms_literal"), TSVECTOR),
                entities=cast(bindparam("entities_literal"), TSVECTOR),
                pairs=cast(bindparam("pairs_literal"), TSVECTOR),
            )
            .returning(DOCUMENTS.c.id, sort_by_parameter_order=True)
        )
        rows = [
            d.row()
            | {
                "terms_literal": tsvector(d.terms),
                "entities_literal": tsvector(_tags(d.terms)),
                "pairs_literal": pairs(d.terms),
            }
            for d in documents
        ]
        return session.scalars(statement, rows).all()

    def _matching(
        self, query: AnySelect, *, expr: Expr, speaker: Speaker | None
    ) -> tuple[AnySelect, ColumnElement[float]]:
        weight = WEIGHTS[speaker] if speaker is not None else ""
        tsquery = cast(literal(render(expr, weight)), TSQUERY)
        # Entity filters alone are ranked on the small ``entities`` (how often the call holds
        # the tags), not on the whole transcript's terms, which would be read from out of line.
        ranked = SearchDocument.entities if _split(expr)[0] is None else SearchDocument.terms
        # ts_rank is a real; as a double it comes back to Python exactly, for cursors to compare.
        score = cast(
            func.ts_rank(_RANK_WEIGHTS, ranked, tsquery, _RANK_NORMALISATION), DOUBLE_PRECISION
        )
        return query.where(_matches(expr, weight)), score

    def newest(
        self,
        session: Session,
        *,
        expr: Expr,
        speaker: Speaker | None,
        conditions: Sequence[ColumnElement[bool]],
        window: int,
        started_from: datetime | None = None,
        started_to: datetime | None = None,
        agent_id: str | None = None,
        scored: bool = True,
    ) -> Subquery:
        doc = SearchDocument
        found, score = self._matching(select(doc.id).where(*conditions), expr=expr, speaker=speaker)
        # The planner's estimate of a phrase multiplies its pairs' frequencies as if they were
        # independent, and guesses at the check of its positions: far below the truth.
        words = _split(expr)[0]
        ids = _newest_ids(
            session,
            found,
            window=window,
            started_from=started_from,
            started_to=started_to,
            trust_estimate=words is None or _implied_pairs(words) is None,
        )
        # Ranked by primary key, the window alone.
        return (
            select(
                doc.id,
                doc.recording_id,
                doc.started_at,
                (score if scored else null().cast(DOUBLE_PRECISION)).label("score"),
            )
            .where(doc.id == any_(bindparam("window_ids", ids, type_=ARRAY(Integer))))
            .subquery("newest")
        )

    def optimise(self, session: Session) -> None:
        # Merge the GIN index's pending list (every search would scan it until autovacuum
        # does), and give the planner fresh statistics.
        for index in ("terms", "entities", "pairs"):
            session.execute(
                text("SELECT gin_clean_pending_list(CAST(:index AS regclass))"),
                {"index": f"ix_search_documents_{index}"},
            )
        session.execute(text("ANALYZE search_documents, search_document_texts"))
