"""Search over redacted transcripts: index a ready recording, drop it, search, rebuild.

Plain functions on a caller's session that never commit (``reindex_all`` alone runs its own
transactions, batch by batch). Only ``ready`` recordings are returned, whatever the index holds.
Nothing here logs a query or a transcript's words: only ids and counts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, insert, or_, select
from sqlalchemy.orm import Session, sessionmaker

from models.schemas import RedactedTranscript, Status
from models.tables import Recording, SearchDocument, SearchDocumentText
from vault.db import transaction
from vault.errors import KeyDestroyed, NotReady
from vault.keys.keyring import MasterKeyring
from vault.search import cursor as cursors
from vault.search import highlight, normalise, schemas
from vault.search.backends import backend_for
from vault.search.base import DOCUMENTS, AnySelect, Document
from vault.search.document import document, segments
from vault.search.query import Expr, entity, parse, positives, require
from vault.search.schemas import MAX_LIMIT, SearchFilters, SearchHit, SearchPage, Sort
from vault.storage.base import BlobStore
from vault.transcription.store import read_redacted

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 20
REINDEX_BATCH = 200
_MICROSECOND = timedelta(microseconds=1)


def index_recording(
    session: Session, *, recording: Recording, transcript: RedactedTranscript
) -> None:
    """Put ``recording``'s redacted transcript in the index, replacing what it held of it."""
    index_documents(session, documents=[document(recording=recording, transcript=transcript)])


def index_documents(session: Session, *, documents: list[Document]) -> None:
    """Index many documents at once (each replaces its recording's previous one)."""
    if not documents:
        return
    session.execute(
        delete(SearchDocument)
        .where(SearchDocument.recording_id.in_([d.recording_id for d in documents]))
        .execution_options(synchronize_session=False)
    )
    ids = backend_for(session).insert(session, documents)
    session.execute(
        insert(SearchDocumentText),
        [
            {"document_id": id_, "segments": d.segments}
            for id_, d in zip(ids, documents, strict=True)
        ],
    )


def remove(session: Session, *, recording_id: str) -> None:
    """Take a recording out of the index (nothing happens if it is not there)."""
    session.execute(
        delete(SearchDocument)
        .where(SearchDocument.recording_id == recording_id)
        .execution_options(synchronize_session=False)
    )


def _conditions(*, agent_id: str | None, filters: SearchFilters) -> list[ColumnElement[bool]]:
    doc = SearchDocument
    conditions: list[ColumnElement[bool]] = []
    if agent_id is not None:
        conditions.append(doc.agent_id == agent_id)
    if filters.agent_id is not None:
        conditions.append(doc.agent_id == filters.agent_id)
    if filters.language is not None:
        conditions.append(doc.language == filters.language)
    if filters.started_from is not None:
        conditions.append(doc.started_at >= filters.started_from)
    if filters.started_to is not None:
        conditions.append(doc.started_at < filters.started_to)
    if filters.min_duration is not None:
        conditions.append(doc.duration_seconds >= filters.min_duration)
    if filters.max_duration is not None:
        conditions.append(doc.duration_seconds <= filters.max_duration)
    return conditions


@dataclass(frozen=True)
class _Keys:
    """The matching documents' ids and sort keys: a statement, its score and tie-breaker."""

    statement: AnySelect
    score: ColumnElement[float] | None
    recording_id: ColumnElement[str]
    started_at: ColumnElement[Any]


def _candidates(
    session: Session,
    *,
    expr: Expr | None,
    agent_id: str | None,
    filters: SearchFilters,
    window: int,
) -> _Keys:
    """The matching documents' ids and sort keys, and their score if there are words.

    With words, only the newest ``window`` matches (by ``started_at``, then id), found
    without scoring, are scored and returned: the cost of ranking stays bounded
    however many documents match. Without, every document the filters keep, unscored.
    """
    doc = SearchDocument
    conditions = _conditions(agent_id=agent_id, filters=filters)
    if expr is not None:
        newest = backend_for(session).newest(
            session,
            expr=expr,
            speaker=filters.speaker,
            conditions=conditions,
            window=window,
            started_from=filters.started_from,
            started_to=filters.started_to,
            agent_id=filters.agent_id if filters.agent_id is not None else agent_id,
        )
        return _Keys(
            select(newest.c.id, newest.c.recording_id, newest.c.started_at, newest.c.score),
            newest.c.score,
            newest.c.recording_id,
            newest.c.started_at,
        )
    statement: AnySelect = select(doc.id, doc.recording_id, doc.started_at).where(*conditions)
    if filters.speaker is not None:
        statement = statement.where(doc.speakers.contains(filters.speaker.value))
    columns = DOCUMENTS.c
    return _Keys(statement, None, columns.recording_id, columns.started_at)


def _by_date(
    session: Session,
    *,
    expr: Expr,
    agent_id: str | None,
    filters: SearchFilters,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[Any]:
    """The next ``limit + 1`` matches of ``expr`` after ``after``, newest first (then by
    recording id): rows of ``id``, ``recording_id``, ``started_at`` and a ``NULL`` score.

    Found by walking the index newest first, unscored, so a page costs the same however many
    documents match. The walk breaks ties of time by document id and the page by recording
    id, so every match at the cursor's instant, and at the oldest instant the page shows, is
    read whole.
    """
    backend = backend_for(session)

    def walk(f: SearchFilters, window: int) -> list[Any]:
        newest = backend.newest(
            session,
            expr=expr,
            speaker=f.speaker,
            conditions=_conditions(agent_id=agent_id, filters=f),
            window=window,
            started_from=f.started_from,
            started_to=f.started_to,
            agent_id=f.agent_id if f.agent_id is not None else agent_id,
            scored=False,
        )
        return list(session.execute(select(newest)).all())

    def at_instant(at: datetime) -> list[Any]:
        """Every match that started at ``at`` (within the filters' dates), however many."""
        start = at if filters.started_from is None else max(at, filters.started_from)
        end = at + _MICROSECOND
        end = end if filters.started_to is None else min(end, filters.started_to)
        if start >= end:
            return []
        calls = session.scalar(
            select(func.count())
            .select_from(SearchDocument)
            .where(SearchDocument.started_at >= start, SearchDocument.started_at < end)
        )
        if not calls:
            return []
        instant = filters.model_copy(update={"started_from": start, "started_to": end})
        return walk(instant, calls)

    found: list[Any] = []
    older = filters
    if after is not None:
        at, recording_id = after
        # Compared here, as the page is sorted, not in SQL under the database's collation.
        found += [row for row in at_instant(at) if row.recording_id > recording_id]
        until = at if filters.started_to is None else min(at, filters.started_to)
        older = filters.model_copy(update={"started_to": until})
    page = walk(older, limit + 1)  # in no particular order
    found += page
    if len(page) == limit + 1:
        # The page shows a match of the oldest instant read only if two or more were read;
        # then which ones it shows depends on the instant's every match.
        edge = min(row.started_at for row in page)
        if sum(row.started_at == edge for row in page) > 1:
            found += at_instant(edge)
    rows = sorted({row.id: row for row in found}.values(), key=lambda row: row.recording_id)
    rows.sort(key=lambda row: row.started_at, reverse=True)  # stable: ties keep the ids' order
    return rows[: limit + 1]


def search(
    session: Session,
    *,
    query: str,
    agent_id: str | None,
    filters: SearchFilters,
    sort: Sort = "relevance",
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    window: int | None = None,
) -> SearchPage:
    """One page of the ready recordings matching ``query`` and ``filters``.

    ``agent_id`` scopes the search to that agent's own calls (``None``: everyone's). Raises
    ``InvalidInput`` for a malformed query or cursor.

    Only words are ranked: with none to look for (filters alone, entity types among them),
    hits come newest first whatever ``sort`` says, with no score.

    A recording that is no longer ``ready`` is never shown, even if the index still holds it;
    it then leaves its page one hit short. ``next_cursor`` alone says whether more may follow.

    Relevance ranks only the newest ``window`` matches (by ``started_at``, then document id;
    ``schemas.RELEVANCE_WINDOW`` unless given), chosen without scoring; the page's
    ``ranked_within`` says so, and its pages walk that window alone, best first. Sorting by
    date walks every match, newest first, reading from the index no more than each page needs.
    """
    limit = max(1, min(limit, MAX_LIMIT))
    doc = SearchDocument
    words = parse(
        query,
        language=normalise.language_of(filters.language),
        any_language=filters.language is None,
    )
    expr = require(words, [entity(t.value) for t in filters.entity_types])
    ranked = sort == "relevance" and words is not None
    by: Sort = "relevance" if ranked else "date"
    if window is None:
        window = schemas.RELEVANCE_WINDOW
    elif window < 1:
        raise ValueError("the relevance window must hold at least one match")
    keys: list[Any]
    if expr is not None and not ranked:
        since = cursors.decode_date(cursor) if cursor is not None else None
        keys = _by_date(
            session, expr=expr, agent_id=agent_id, filters=filters, after=since, limit=limit
        )
    else:
        after = cursors.decode(cursor, sort=by) if cursor is not None else None
        found = _candidates(session, expr=expr, agent_id=agent_id, filters=filters, window=window)
        candidates, tie = found.statement, found.recording_id
        sort_key = found.started_at if found.score is None else found.score
        if after is not None:
            key, last_id = after
            candidates = candidates.where(or_(sort_key < key, and_(sort_key == key, tie > last_id)))
        # Rank and cut on the keys alone; then read the page's rows, and check them.
        keys = list(session.execute(candidates.order_by(sort_key.desc(), tie).limit(limit + 1)))
    shown = keys[:limit]
    rows = {
        row.id: row
        for row in session.execute(
            select(
                doc.id,
                Recording.call_id,
                doc.agent_id,
                doc.language,
                doc.duration_seconds,
                doc.speakers,
                doc.entity_types,
                SearchDocumentText.segments,
            )
            .join(SearchDocumentText, SearchDocumentText.document_id == doc.id)
            .join(Recording, Recording.id == doc.recording_id)
            .where(doc.id.in_([k.id for k in shown]), Recording.status == Status.READY.value)
        )
    }
    leaves = positives(expr)
    items = [
        SearchHit(
            recording_id=k.recording_id,
            call_id=row.call_id,
            agent_id=row.agent_id,
            started_at=k.started_at,
            language=row.language,
            duration_seconds=row.duration_seconds,
            speakers=row.speakers.split(),
            entity_types=row.entity_types.split(),
            score=k.score if ranked else None,
            snippets=highlight.snippets(
                segments(row.segments),
                language=normalise.language_of(row.language),
                leaves=leaves,
                speaker=filters.speaker,
            ),
        )
        for k in shown
        if (row := rows.get(k.id)) is not None
    ]
    next_cursor = None
    if len(keys) > limit:
        last = shown[-1]
        next_cursor = cursors.encode(
            sort=by,
            key=last.score if ranked else last.started_at,
            recording_id=last.recording_id,
        )
    return SearchPage(
        items=items, next_cursor=next_cursor, ranked_within=window if ranked else None
    )


@dataclass(frozen=True)
class ReindexReport:
    indexed: int
    skipped: int
    removed: int


def reindex_all(
    factory: sessionmaker[Session],
    *,
    store: BlobStore,
    keyring: MasterKeyring,
    batch_size: int = REINDEX_BATCH,
) -> ReindexReport:
    """Rebuild the index from the stored redacted transcripts of every ``ready`` recording.

    Batches by recording id, each read in one session and written in its own transaction, so
    the index stays searchable throughout. A recording whose transcript cannot be read any
    more (its key destroyed by an erasure, or no redacted variant) is taken out of the index;
    so is any document whose recording is no longer ready.
    """
    indexed = skipped = 0
    after = ""
    while True:
        loaded: list[tuple[Recording, RedactedTranscript | None]] = []
        with factory() as session:
            batch = session.scalars(
                select(Recording)
                .where(Recording.status == Status.READY.value, Recording.id > after)
                .order_by(Recording.id)
                .limit(batch_size)
            ).all()
            for recording in batch:
                try:
                    transcript = read_redacted(
                        session, store=store, keyring=keyring, recording=recording
                    )
                except (KeyDestroyed, NotReady):
                    transcript = None
                loaded.append((recording, transcript))
        if not loaded:
            break
        after = loaded[-1][0].id
        with transaction(factory) as session:
            ready = set(
                session.scalars(
                    select(Recording.id).where(
                        Recording.id.in_([r.id for r, _ in loaded]),
                        Recording.status == Status.READY.value,
                    )
                )
            )
            documents = []
            for recording, transcript in loaded:
                if transcript is None or recording.id not in ready:
                    remove(session, recording_id=recording.id)
                    skipped += 1
                else:
                    documents.append(document(recording=recording, transcript=transcript))
            index_documents(session, documents=documents)
            indexed += len(documents)
    with transaction(factory) as session:
        stale = select(SearchDocument.recording_id).join(
            Recording, Recording.id == SearchDocument.recording_id
        )
        stale = stale.where(Recording.status != Status.READY.value)
        result = session.execute(
            delete(SearchDocument)
            .where(SearchDocument.recording_id.in_(stale.scalar_subquery()))
            .execution_options(synchronize_session=False)
        )
        removed = int(getattr(result, "rowcount", 0) or 0)
        backend_for(session).optimise(session)
    log.info(
        "search index rebuilt", extra={"indexed": indexed, "skipped": skipped, "removed": removed}
    )
    return ReindexReport(indexed=indexed, skipped=skipped, removed=removed)
