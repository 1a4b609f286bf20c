"""PostgreSQL: the terms in the stored tsvector ``search_documents.terms`` (GIN), by ts_rank.

The tsvector and the tsquery are written out here, lexeme by lexeme, rather than made by
``to_tsvector('simple', ...)``: the terms are already normalised, and PostgreSQL's parser would
split them again (``entity_card_number`` into three words). Each speaker's terms carry a weight
(agent ``A``, customer ``B``, mixed ``C``), so a query can be held to one speaker, and follow
each other in positions, with a gap between speakers, so a phrase never spans two of them: the
same phrases FTS5 finds in its per-speaker columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Subquery,
    and_,
    bindparam,
    cast,
    func,
    insert,
    literal,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import DOUBLE_PRECISION, TSQUERY, TSVECTOR
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

# ts_rank's weights, {D, C, B, A}: every speaker counts the same. Normalisation 1 divides by
# 1 + log(length), as bm25 also favours shorter documents.
_RANK_WEIGHTS: ColumnElement[object] = literal_column("'{1, 1, 1, 1}'::real[]")
_RANK_NORMALISATION = 1


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _query_lexeme(term: str, *, prefix: bool, weight: str) -> str:
    label = ("*" if prefix else "") + weight
    return _lexeme(term) + (f":{label}" if label else "")


def tsvector(terms: Mapping[Speaker, Sequence[str]]) -> str:
    """The tsvector literal of a document's terms, by speaker."""
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
    return " ".join(f"{_lexeme(t)}:{','.join(p)}" for t, p in positions.items())


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


def _matches(expr: Expr, weight: str) -> ColumnElement[bool]:
    """The documents ``expr`` matches: its words in ``terms``, its entity tags in
    ``entities``, which is in the row (``terms`` is stored out of line, and a speaker's
    weight makes PostgreSQL check every candidate row again)."""
    words, tags = _split(expr)
    conditions = []
    if words is not None:
        words_query = cast(literal(render(words, weight)), TSQUERY)
        conditions.append(SearchDocument.terms.bool_op("@@")(words_query))
    if tags is not None:
        tags_query = cast(literal(render(tags, weight)), TSQUERY)
        conditions.append(SearchDocument.entities.bool_op("@@")(tags_query))
    return and_(*conditions)


class PostgresBackend(Backend):
    def insert(self, session: Session, documents: Sequence[Document]) -> Sequence[int]:
        statement = (
            insert(DOCUMENTS)
            .values(
                terms=cast(bindparam("terms_literal"), TSVECTOR),
                entities=cast(bindparam("entities_literal"), TSVECTOR),
            )
            .returning(DOCUMENTS.c.id, sort_by_parameter_order=True)
        )
        rows = [
            d.row()
            | {"terms_literal": tsvector(d.terms), "entities_literal": tsvector(_tags(d.terms))}
            for d in documents
        ]
        return session.scalars(statement, rows).all()

    def matching(
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
        *,
        expr: Expr,
        speaker: Speaker | None,
        conditions: Sequence[ColumnElement[bool]],
        window: int,
        started_from: datetime | None = None,
        started_to: datetime | None = None,
    ) -> Subquery:
        doc = SearchDocument
        found, score = self.matching(select(doc.id).where(*conditions), expr=expr, speaker=speaker)
        # Ordered by an expression the started_at index cannot give: walking that index
        # backwards and testing each row against the query (the planner's pick) costs far
        # more than the term index for queries that match a few percent of calls. Then
        # ranked by primary key, the window alone: materialised, so that the planner does not
        # scan every document to join it.
        newest_first = func.coalesce(doc.started_at, doc.started_at)
        window_ids = (
            found.order_by(newest_first.desc(), doc.id.desc())
            .limit(window)
            .cte("window_ids")
            .prefix_with("MATERIALIZED")
        )
        return (
            select(doc.id, doc.recording_id, doc.started_at, score.label("score"))
            .join(window_ids, window_ids.c.id == doc.id)
            .subquery("newest")
        )

    def optimise(self, session: Session) -> None:
        # Merge the GIN index's pending list (every search would scan it until autovacuum
        # does), and give the planner fresh statistics.
        session.execute(text("SELECT gin_clean_pending_list('ix_search_documents_terms')"))
        session.execute(text("ANALYZE search_documents, search_document_texts"))
