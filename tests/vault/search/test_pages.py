"""Cursor pagination: every hit once, in order, under relevance and date sorting."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from models.schemas import Speaker, Status
from models.tables import Key, Recording
from tests.vault.search.helpers import day, find, indexed, recording_row, redacted
from vault.db import transaction
from vault.errors import InvalidInput
from vault.search import schemas, service
from vault.search.document import document
from vault.search.schemas import SearchFilters, SearchHit, Sort
from vault.search.sqlite import SAME_MICROSECOND

C = Speaker.CUSTOMER


def corpus(factory: sessionmaker[Session]) -> set[str]:
    """25 matching calls: many with equal scores, several on the same day; 5 that don't match."""
    matching = set()
    for i in range(25):
        words = " ".join(["fatura"] * (1 + i % 4) + ["lütfen"] * (i % 3))
        matching.add(indexed(factory, [(C, words)], started_at=day(i % 6)))
    for i in range(5):
        indexed(factory, [(C, "kargo nerede")], started_at=day(i))
    return matching


def walk(
    factory: sessionmaker[Session], sort: Sort, limit: int, *, full: bool = True, **filters: Any
) -> list[SearchHit]:
    hits: list[SearchHit] = []
    cursor = None
    for _ in range(100):
        page = find(factory, "fatura", sort=sort, cursor=cursor, limit=limit, **filters)
        assert len(page.items) <= limit
        hits += page.items
        cursor = page.next_cursor
        if cursor is None:
            return hits
        assert len(page.items) == limit or not full
    raise AssertionError("pagination did not end")


@pytest.mark.parametrize("limit", [1, 7, 25, 100])
def test_relevance_pages_have_no_duplicates_and_no_gaps(
    session_factory: sessionmaker[Session], limit: int
) -> None:
    matching = corpus(session_factory)
    hits = walk(session_factory, "relevance", limit)
    assert [h.recording_id for h in hits] == list(dict.fromkeys(h.recording_id for h in hits))
    assert {h.recording_id for h in hits} == matching
    keys = [(-(h.score or 0.0), h.recording_id) for h in hits]
    assert keys == sorted(keys)
    assert len({h.score for h in hits}) < len(hits)  # ties were there to break


@pytest.mark.parametrize("limit", [1, 4, 100])
def test_date_pages_have_no_duplicates_and_no_gaps(
    session_factory: sessionmaker[Session], limit: int
) -> None:
    matching = corpus(session_factory)
    hits = walk(session_factory, "date", limit)
    assert [h.recording_id for h in hits] == list(dict.fromkeys(h.recording_id for h in hits))
    assert {h.recording_id for h in hits} == matching
    keys = [(-h.started_at.timestamp(), h.recording_id) for h in hits]
    assert keys == sorted(keys)


def test_filtered_pages(session_factory: sessionmaker[Session]) -> None:
    corpus(session_factory)
    hits = walk(session_factory, "relevance", 3, started_from=day(2), started_to=day(4))
    assert hits
    assert all(day(2) <= h.started_at < day(4) for h in hits)
    assert len(hits) == len({h.recording_id for h in hits})


def test_without_words_hits_come_newest_first(session_factory: sessionmaker[Session]) -> None:
    corpus(session_factory)
    first = find(session_factory, "", limit=10)
    assert [h.score for h in first.items] == [None] * 10
    assert first.items[0].started_at == day(5)
    assert first.next_cursor is not None
    second = find(session_factory, "", limit=100, cursor=first.next_cursor)
    assert len(first.items) + len(second.items) == 30
    assert second.next_cursor is None


def test_a_hit_added_between_pages_causes_no_duplicate(
    session_factory: sessionmaker[Session],
) -> None:
    matching = corpus(session_factory)
    first = find(session_factory, "fatura", sort="date", limit=10)
    indexed(session_factory, [(C, "fatura")], started_at=day(10))
    rest: list[SearchHit] = []
    cursor = first.next_cursor
    while cursor is not None:
        page = find(session_factory, "fatura", sort="date", limit=10, cursor=cursor)
        rest += page.items
        cursor = page.next_cursor
    seen = [h.recording_id for h in first.items + rest]
    assert len(seen) == len(set(seen))
    assert set(seen) == matching


def test_a_cursor_belongs_to_its_order(session_factory: sessionmaker[Session]) -> None:
    corpus(session_factory)
    page = find(session_factory, "fatura", sort="relevance", limit=3)
    assert page.next_cursor is not None
    with pytest.raises(InvalidInput):
        find(session_factory, "fatura", sort="date", cursor=page.next_cursor)


@pytest.mark.parametrize(
    "cursor", ["", "not a cursor", "W10", "WyJkYXRlIiwxLDJd", "WyJkYXRlIiwieCIsInkiXQ", "%%%"]
)
def test_a_broken_cursor_is_invalid_input(
    session_factory: sessionmaker[Session], cursor: str
) -> None:
    with pytest.raises(InvalidInput):
        find(session_factory, "fatura", sort="date", cursor=cursor)


def test_a_recording_no_longer_ready_is_skipped_without_breaking_pages(
    session_factory: sessionmaker[Session],
) -> None:
    ready = {indexed(session_factory, [(C, "fatura")], started_at=day(i)) for i in range(6)}
    gone = indexed(session_factory, [(C, "fatura")], started_at=day(3))
    with transaction(session_factory) as session:
        row = session.get(Recording, gone)
        assert row is not None
        row.status = Status.FAILED.value
    hits = walk(session_factory, "date", 2, full=False)
    assert [h.recording_id for h in hits] == list(dict.fromkeys(h.recording_id for h in hits))
    assert {h.recording_id for h in hits} == ready


def test_relevance_ranks_the_newest_matches_alone(
    session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schemas, "RELEVANCE_WINDOW", 5)
    by_day = {
        n: indexed(session_factory, [(C, " ".join(["fatura"] * (1 + n % 3)))], started_at=day(n))
        for n in range(12)
    }
    indexed(session_factory, [(C, "kargo nerede")], started_at=day(20))
    for limit in (1, 2, 5, 100):
        hits = walk(session_factory, "relevance", limit, full=False)
        assert [h.recording_id for h in hits] == list(dict.fromkeys(h.recording_id for h in hits))
        assert {h.recording_id for h in hits} == {by_day[n] for n in range(7, 12)}
        keys = [(-(h.score or 0.0), h.recording_id) for h in hits]
        assert keys == sorted(keys)
    assert find(session_factory, "fatura").ranked_within == 5
    # Filters choose the window's matches: the newest five before day 6.
    hits = walk(session_factory, "relevance", 2, full=False, started_to=day(6))
    assert {h.recording_id for h in hits} == {by_day[n] for n in range(1, 6)}
    # Fewer matches than the window: all of them.
    hits = walk(session_factory, "relevance", 2, full=False, started_to=day(4))
    assert {h.recording_id for h in hits} == {by_day[n] for n in range(4)}
    # By date, every match is walked.
    page = find(session_factory, "fatura", sort="date", limit=100)
    assert page.ranked_within is None
    assert {h.recording_id for h in page.items} == set(by_day.values())


@pytest.mark.parametrize("limit", [1, 3, 7, 50])
def test_date_pages_through_many_calls_of_one_instant(
    session_factory: sessionmaker[Session], limit: int
) -> None:
    # The index walks ties of time in its own order; pages follow the recording ids.
    same = {indexed(session_factory, [(C, "fatura")], started_at=day(3)) for _ in range(12)}
    newer = indexed(session_factory, [(C, "fatura")], started_at=day(4))
    older = indexed(session_factory, [(C, "fatura")], started_at=day(2))
    hits = walk(session_factory, "date", limit)
    assert [h.recording_id for h in hits] == [newer, *sorted(same), older]
    hits = walk(session_factory, "date", limit, started_to=day(4))
    assert [h.recording_id for h in hits] == [*sorted(same), older]


def test_entity_types_alone_are_a_filter_newest_first_unscored(
    session_factory: sessionmaker[Session],
) -> None:
    by_day = {
        n: indexed(
            session_factory, [(C, "kartım " + "[CARD_NUMBER] " * (1 + n % 3))], started_at=day(n)
        )
        for n in range(9)
    }
    indexed(session_factory, [(C, "kargo nerede")], started_at=day(20))
    hits: list[SearchHit] = []
    cursor = None
    while True:
        page = find(
            session_factory, entity_types=["CARD_NUMBER"], sort="relevance", cursor=cursor, limit=4
        )
        assert page.ranked_within is None
        hits += page.items
        cursor = page.next_cursor
        if cursor is None:
            break
    assert [h.recording_id for h in hits] == [by_day[n] for n in reversed(range(9))]
    assert {h.score for h in hits} == {None}
    assert all("<mark>[CARD_NUMBER]</mark>" in h.snippets[0].html for h in hits)
    # With words as well, the words are ranked, within the calls the filter keeps.
    page = find(session_factory, "kartım", entity_types=["CARD_NUMBER"])
    assert page.ranked_within == schemas.RELEVANCE_WINDOW
    assert len(page.items) == 9
    assert all(h.score is not None for h in page.items)


def test_more_calls_at_one_instant_than_sqlite_tells_apart(
    session_factory: sessionmaker[Session],
) -> None:
    # PostgreSQL keeps any number of calls of one microsecond, and a date-sorted page reads
    # them all; SQLite's document ids tell 1024 apart, and the index refuses the next one.
    count = SAME_MICROSECOND + 6
    with transaction(session_factory) as session:
        key = Key(purpose="recording", wrapped=b"x", master_key_id="mk")
        session.add(key)
        session.flush()
        recordings = [recording_row(key.id, started_at=day(3)) for _ in range(count)]
        session.add_all(recordings)
        session.flush()
        documents = [
            document(recording=r, transcript=redacted([(C, "fatura")])) for r in recordings
        ]
        if session.get_bind().dialect.name == "sqlite":
            with pytest.raises(ValueError, match="calls started in one microsecond"):
                service.index_documents(session, documents=documents)
            return
        service.index_documents(session, documents=documents)
    hits = walk(session_factory, "date", 100)
    assert [h.recording_id for h in hits] == sorted(r.id for r in recordings)


def test_a_relevance_window_holds_at_least_one_match(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session, pytest.raises(ValueError, match="at least one"):
        service.search(session, query="fatura", agent_id=None, filters=SearchFilters(), window=0)
