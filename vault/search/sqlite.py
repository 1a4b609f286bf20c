"""SQLite: the terms in the FTS5 table ``search_fts``, one column per speaker, ranked by bm25."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Float, Integer, column, insert, text
from sqlalchemy.orm import Session

from models.schemas import Speaker
from models.tables import SearchDocument
from vault.search.base import DOCUMENTS, SPEAKERS, AnySelect, Backend, Document
from vault.search.query import AnyOf, Expr, Match

FTS_TABLE = "search_fts"

_INSERT = text(
    "INSERT INTO search_fts (rowid, agent, customer, mixed) VALUES (:id, :agent, :customer, :mixed)"
)
# bm25 is lower for better matches: negated, every backend's score grows with relevance.
_MATCH = text(
    "SELECT rowid AS id, -bm25(search_fts) AS score FROM search_fts "
    "WHERE search_fts MATCH :fts_match"
).columns(column("id", Integer), column("score", Float))


def _string(terms: Sequence[str]) -> str:
    """An FTS5 string: a phrase of the terms, quotes doubled (terms have none, but still)."""
    return '"' + " ".join(terms).replace('"', '""') + '"'


def render(expr: Expr) -> str:
    """The FTS5 query syntax of ``expr``: every term quoted, every operator parenthesised."""
    if isinstance(expr, Match):
        parts = [_string(a) + (" *" if expr.prefix else "") for a in expr.alternatives]
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
    if isinstance(expr, AnyOf):
        return "(" + " OR ".join(render(c) for c in expr.children) + ")"
    included = "(" + " AND ".join(render(c) for c in expr.include) + ")"
    if not expr.exclude:
        return included
    return f"({included} NOT ({' OR '.join(render(c) for c in expr.exclude)}))"


class SQLiteBackend(Backend):
    def insert(self, session: Session, documents: Sequence[Document]) -> Sequence[int]:
        ids = session.scalars(
            insert(DOCUMENTS).returning(DOCUMENTS.c.id, sort_by_parameter_order=True),
            [d.row() for d in documents],
        ).all()
        session.execute(
            _INSERT,
            [
                {"id": id_} | {s.value: " ".join(d.terms.get(s, ())) for s in SPEAKERS}
                for id_, d in zip(ids, documents, strict=True)
            ],
        )
        return ids

    def matching(
        self, query: AnySelect, *, expr: Expr, speaker: Speaker | None, matched: bool = False
    ) -> tuple[AnySelect, ColumnElement[float]]:
        # bm25 is only known inside an FTS5 match: the match is run whatever ``matched`` says.
        match = render(expr)
        if speaker is not None:
            match = f"{{{speaker.value}}} : {match}"
        fts = _MATCH.bindparams(fts_match=match).subquery("fts")
        return query.join(fts, fts.c.id == SearchDocument.id), fts.c.score

    def optimise(self, session: Session) -> None:
        session.execute(text("INSERT INTO search_fts (search_fts) VALUES ('optimize')"))
