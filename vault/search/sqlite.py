"""SQLite: the terms in the FTS5 table ``search_fts``, one column per speaker, ranked by bm25.

A document's id, which is also its FTS5 rowid, is its *ordinal*: its ``started_at`` in
microseconds since 1970, times 1024, plus a counter for calls that started in the same
microsecond. FTS5 reads a term's rowids in order, so the newest matches of a query come first
from the term index itself, a date range is a rowid range, and a search that wants the newest
few thousand matches stops there instead of sorting every match by date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Subquery,
    bindparam,
    column,
    func,
    insert,
    literal_column,
    null,
    select,
    table,
    text,
)
from sqlalchemy.orm import Session

from models.schemas import Speaker
from vault.search.base import DOCUMENTS, SPEAKERS, Backend, Document
from vault.search.query import AnyOf, Expr, Match

FTS_TABLE = "search_fts"
SAME_MICROSECOND = 1024
"""Calls that started in the same microsecond an index tells apart (ordinal = µs * this + n)."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FTS = table(FTS_TABLE, column("rowid", Integer))
# The hidden column named after the table: what MATCH and bm25 take.
_FTS_ALL: ColumnElement[str] = literal_column(FTS_TABLE)

_INSERT = text(
    "INSERT INTO search_fts (rowid, agent, customer, mixed) VALUES (:id, :agent, :customer, :mixed)"
)


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


def ordinal(started_at: datetime) -> int:
    """The first id a call started at ``started_at`` may have; ids sort as their times do."""
    if started_at.tzinfo is None:
        started_at = started_at.replace(tzinfo=UTC)
    return (started_at - _EPOCH) // timedelta(microseconds=1) * SAME_MICROSECOND


def _free_ids(session: Session, documents: Sequence[Document]) -> list[int]:
    taken: dict[int, int] = {}
    ids = []
    for d in documents:
        first = ordinal(d.started_at)
        if first not in taken:
            last = session.scalar(
                select(func.max(DOCUMENTS.c.id)).where(
                    DOCUMENTS.c.id >= first, DOCUMENTS.c.id < first + SAME_MICROSECOND
                )
            )
            taken[first] = first - 1 if last is None else last
        taken[first] += 1
        if taken[first] >= first + SAME_MICROSECOND:
            raise ValueError(f"more than {SAME_MICROSECOND} calls started in one microsecond")
        ids.append(taken[first])
    return ids


class SQLiteBackend(Backend):
    def insert(self, session: Session, documents: Sequence[Document]) -> Sequence[int]:
        ids = _free_ids(session, documents)
        session.execute(
            insert(DOCUMENTS),
            [d.row() | {"id": id_} for id_, d in zip(ids, documents, strict=True)],
        )
        session.execute(
            _INSERT,
            [
                {"id": id_} | {s.value: " ".join(d.terms.get(s, ())) for s in SPEAKERS}
                for id_, d in zip(ids, documents, strict=True)
            ],
        )
        return ids

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
        match = render(expr)
        if speaker is not None:
            match = f"{{{speaker.value}}} : {match}"
        bounds = []
        dates = []
        if started_from is not None:
            bounds.append(_FTS.c.rowid >= ordinal(started_from))
            dates.append(DOCUMENTS.c.started_at >= started_from)
        if started_to is not None:
            bounds.append(_FTS.c.rowid < ordinal(started_to))
            dates.append(DOCUMENTS.c.started_at < started_to)
        if agent_id is not None:
            # The agent's calls in the period, from their index, checked against each match
            # before its row is read. ``+ 0`` keeps FTS5 from being asked for each of them as a
            # rowid, which costs a fresh look-up of the query's terms every time.
            agents = select(DOCUMENTS.c.id).where(DOCUMENTS.c.agent_id == agent_id, *dates)
            bounds.append((_FTS.c.rowid + 0).in_(agents))
        # FTS5 walks the rowids newest first and stops after ``window`` rows that pass the
        # conditions; bm25 is worked out for those rows alone (but first counts every match of
        # each of the query's phrases, so an unscored walk does not call it).
        # bm25 is lower for better matches: negated, every backend's score grows with relevance.
        score = -func.bm25(_FTS_ALL, type_=Float) if scored else null().cast(Float)
        return (
            select(
                DOCUMENTS.c.id,
                DOCUMENTS.c.recording_id,
                DOCUMENTS.c.started_at,
                score.label("score"),
            )
            .select_from(_FTS.join(DOCUMENTS, DOCUMENTS.c.id == _FTS.c.rowid))
            .where(_FTS_ALL.op("MATCH")(bindparam("fts_window", match)), *bounds, *conditions)
            .order_by(_FTS.c.rowid.desc())
            .limit(window)
            .subquery("newest")
        )

    def optimise(self, session: Session) -> None:
        session.execute(text("INSERT INTO search_fts (search_fts) VALUES ('optimize')"))
