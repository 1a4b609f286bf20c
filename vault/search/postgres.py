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

from sqlalchemy import (
    ColumnElement,
    bindparam,
    cast,
    func,
    insert,
    literal,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import DOUBLE_PRECISION, TSQUERY, TSVECTOR
from sqlalchemy.orm import Session

from models.schemas import Speaker
from models.tables import SearchDocument
from vault.search.base import DOCUMENTS, SPEAKERS, AnySelect, Backend, Document
from vault.search.query import AnyOf, Expr, Match

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


class PostgresBackend(Backend):
    def insert(self, session: Session, documents: Sequence[Document]) -> Sequence[int]:
        statement = (
            insert(DOCUMENTS)
            .values(terms=cast(bindparam("terms_literal"), TSVECTOR))
            .returning(DOCUMENTS.c.id, sort_by_parameter_order=True)
        )
        return session.scalars(
            statement, [d.row() | {"terms_literal": tsvector(d.terms)} for d in documents]
        ).all()

    def matching(
        self, query: AnySelect, *, expr: Expr, speaker: Speaker | None, matched: bool = False
    ) -> tuple[AnySelect, ColumnElement[float]]:
        weight = WEIGHTS[speaker] if speaker is not None else ""
        tsquery = cast(literal(render(expr, weight)), TSQUERY)
        # ts_rank is a real; as a double it comes back to Python exactly, for cursors to compare.
        score = cast(
            func.ts_rank(_RANK_WEIGHTS, SearchDocument.terms, tsquery, _RANK_NORMALISATION),
            DOUBLE_PRECISION,
        )
        if matched:  # ts_rank alone: testing phrases again would read every tsvector twice
            return query, score
        return query.where(SearchDocument.terms.bool_op("@@")(tsquery)), score

    def optimise(self, session: Session) -> None:
        # Merge the GIN index's pending list (every search would scan it until autovacuum
        # does), and give the planner fresh statistics.
        session.execute(text("SELECT gin_clean_pending_list('ix_search_documents_terms')"))
        session.execute(text("ANALYZE search_documents, search_document_texts"))
