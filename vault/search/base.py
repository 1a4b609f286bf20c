"""The index's two backends behind one interface, chosen by the database the session uses.

Both store the same rows in ``search_documents`` (what searches filter and sort on) and
``search_document_texts`` (the redacted segments snippets are cut from), and index the same
terms, those ``normalise`` makes; they differ only in where the terms go and in the syntax of
a match:

- SQLite: the FTS5 table ``search_fts`` (one row per document, rowid = ``search_documents.id``,
  one column per speaker), ranked by bm25;
- PostgreSQL: the stored tsvector ``search_documents.terms`` under a GIN index, one weight per
  speaker (agent ``A``, customer ``B``, mixed ``C``), ranked by ``ts_rank``.

A query's terms are always quoted into the backend's syntax, never passed through as typed.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, Table
from sqlalchemy.orm import Session

from models.schemas import Speaker
from models.tables import SearchDocument
from vault.search.query import Expr

SPEAKERS: tuple[Speaker, ...] = (Speaker.AGENT, Speaker.CUSTOMER, Speaker.MIXED)
"""The order of the speakers' columns (SQLite) and weights (PostgreSQL)."""

DOCUMENTS: Table = SearchDocument.metadata.tables[SearchDocument.__tablename__]

AnySelect = Select[*tuple[Any, ...]]


@dataclass(frozen=True)
class Document:
    """One recording as the index holds it: a ``search_documents`` row, its text, its terms."""

    recording_id: str
    language: str | None
    agent_id: str
    started_at: datetime
    duration_seconds: float
    speakers: str
    entity_types: str
    segments: str
    terms: Mapping[Speaker, Sequence[str]]

    def row(self) -> dict[str, Any]:
        return {
            "recording_id": self.recording_id,
            "language": self.language,
            "agent_id": self.agent_id,
            "started_at": self.started_at,
            "duration_seconds": self.duration_seconds,
            "speakers": self.speakers,
            "entity_types": self.entity_types,
        }


class Backend(ABC):
    @abstractmethod
    def insert(self, session: Session, documents: Sequence[Document]) -> Sequence[int]:
        """Add the documents' rows and index their terms (none of them is in the index yet);
        returns their ids, in order."""

    @abstractmethod
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
        """The newest ``window`` documents (by ``started_at``, then id) that ``expr`` matches
        and that meet ``conditions`` (over ``search_documents``), found without scoring every
        match; columns ``id``, ``recording_id``, ``started_at`` and ``score`` (higher is
        better), the score computed for these documents alone, or ``NULL`` unless ``scored``.
        ``started_from`` (inclusive) and ``started_to`` (exclusive) repeat the conditions'
        dates, for a backend whose term index can seek to them; ``agent_id`` repeats their
        agent, for a backend that can read that agent's calls from their own index."""

    @abstractmethod
    def optimise(self, session: Session) -> None:
        """Tidy the index and its statistics after a bulk load."""
