"""Searching redacted transcripts, on SQLite FTS5 and on PostgreSQL full text alike."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from models.schemas import Speaker, Status
from models.tables import Recording, SearchDocument, SearchDocumentText
from tests.vault.search.helpers import day, find, ids, indexed
from vault.db import transaction
from vault.errors import InvalidInput
from vault.search import service

A, C, M = Speaker.AGENT, Speaker.CUSTOMER, Speaker.MIXED


@dataclass(frozen=True)
class Calls:
    cancel_tr: str
    refund_tr: str
    refund_en: str
    cancel_en: str
    bill_tr: str


@pytest.fixture
def calls(session_factory: sessionmaker[Session]) -> Calls:
    f = session_factory
    return Calls(
        cancel_tr=indexed(
            f,
            [
                (A, "Octopus'a hoş geldiniz, size nasıl yardımcı olabilirim?"),
                (C, "Aboneliğimin iptalini istiyorum, faturam çok yüksek geldi."),
                (A, "İPTAL için kart numaranızı alabilir miyim?"),
                (C, "Kartım [CARD_NUMBER], son kullanma tarihi [CARD_EXPIRY]."),
            ],
            agent_id="ayse",
            started_at=day(0),
        ),
        refund_tr=indexed(
            f,
            [
                (C, "Kargo hâlâ gelmedi, şikâyetim var, iade istiyorum."),
                (A, "İade sürecini başlattım, [PERSON] Bey."),
            ],
            agent_id="mehmet",
            started_at=day(1),
        ),
        refund_en=indexed(
            f,
            [
                (A, "Thank you for calling Octopus, how can I help?"),
                (C, "I was charged twice, I want a refund for the duplicate bill."),
                (A, "I have refunded the charge to your card ending [CARD_NUMBER]."),
            ],
            language="en",
            agent_id="john",
            started_at=day(2),
        ),
        cancel_en=indexed(
            f,
            [
                (C, "I'd like to cancel my subscription, the billing is wrong."),
                (A, "Cancellation done. Anything else?"),
            ],
            language="en",
            agent_id="ayse",
            started_at=day(3),
        ),
        bill_tr=indexed(
            f,
            [(M, "Fatura itirazı için aradım, ödeme yaptım ama görünmüyor.")] * 2
            + [(M, "Tamam, kontrol ediyorum.")] * 4,
            agent_id="mehmet",
            started_at=day(4),
        ),
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("iptal", {"cancel_tr"}),
        ("iptali", {"cancel_tr"}),
        ("iptalini", {"cancel_tr"}),
        ("IPTAL", {"cancel_tr"}),
        ("refund", {"refund_en"}),
        ("refunds", {"refund_en"}),
        ("refunded", {"refund_en"}),
        ("cancelled", {"cancel_en"}),
        ("odeme", {"bill_tr"}),  # ödeme
        ("sikayetim", {"refund_tr"}),  # şikâyetim
        ("octopus", {"cancel_tr", "refund_en"}),  # Octopus'a, Octopus
        ("OCTOPUS'UN", {"cancel_tr", "refund_en"}),
        ("fatura", {"cancel_tr", "bill_tr"}),  # faturam, Fatura
        ("kargo", {"refund_tr"}),
        ("gelmedi iade", {"refund_tr"}),
        ("zzyzx", set()),
    ],
)
def test_words_find_their_forms_in_both_languages(
    session_factory: sessionmaker[Session], calls: Calls, query: str, expected: set[str]
) -> None:
    names = {getattr(calls, n): n for n in Calls.__dataclass_fields__}
    assert {names[i] for i in ids(find(session_factory, query))} == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"iptalini istiyorum"', {"cancel_tr"}),
        ('"istiyorum iptalini"', set()),
        ('"want a refund"', {"refund_en"}),
        ('"want refund"', set()),
        ('"charged twice"', {"refund_en"}),
        # a phrase never spans two speakers
        ('"olabilirim aboneliğimin"', set()),
        ("iade OR refund", {"refund_tr", "refund_en"}),
        ("(iptal OR cancel) subscription", {"cancel_en"}),
        ("fatura -iptal", {"bill_tr"}),
        ("fatura NOT iptal", {"bill_tr"}),
        ("octopus AND NOT refund", {"cancel_tr"}),
        ('octopus -"want a refund"', {"cancel_tr"}),
        ("sürec*", {"refund_tr"}),
        ("iade*", {"refund_tr"}),
        ("refun*", {"refund_en"}),
        ("cancel*", {"cancel_en"}),
        ("[CARD_NUMBER]", {"cancel_tr", "refund_en"}),
        ("[CARD_EXPIRY] iptal", {"cancel_tr"}),
    ],
)
def test_phrases_booleans_and_prefixes(
    session_factory: sessionmaker[Session], calls: Calls, query: str, expected: set[str]
) -> None:
    names = {getattr(calls, n): n for n in Calls.__dataclass_fields__}
    assert {names[i] for i in ids(find(session_factory, query))} == expected


def test_filters(session_factory: sessionmaker[Session], calls: Calls) -> None:
    f = session_factory
    everything = {calls.cancel_tr, calls.refund_tr, calls.refund_en, calls.cancel_en, calls.bill_tr}
    assert ids(find(f)) == everything
    assert ids(find(f, started_from=day(1), started_to=day(3))) == {
        calls.refund_tr,
        calls.refund_en,
    }
    assert ids(find(f, agent_id="ayse")) == {calls.cancel_tr, calls.cancel_en}
    assert ids(find(f, language="en")) == {calls.refund_en, calls.cancel_en}
    assert ids(find(f, "octopus", language="tr")) == {calls.cancel_tr}
    assert ids(find(f, min_duration=35)) == {calls.cancel_tr, calls.bill_tr}
    assert ids(find(f, max_duration=20)) == {calls.refund_tr, calls.cancel_en}
    assert ids(find(f, "octopus", min_duration=35, max_duration=45)) == {calls.cancel_tr}


def test_speaker_filter_holds_the_words_to_one_side(
    session_factory: sessionmaker[Session], calls: Calls
) -> None:
    f = session_factory
    # the customer asked to cancel in one call; the agent only said the word
    assert ids(find(f, "iptal", speaker="customer")) == {calls.cancel_tr}
    assert ids(find(f, "iade", speaker="customer")) == {calls.refund_tr}
    assert ids(find(f, "refund", speaker="agent")) == {calls.refund_en}
    assert ids(find(f, "fatura", speaker="agent")) == set()
    assert ids(find(f, "fatura", speaker="mixed")) == {calls.bill_tr}
    # without words: the calls where that speaker is heard
    assert ids(find(f, speaker="mixed")) == {calls.bill_tr}
    assert calls.bill_tr not in ids(find(f, speaker="customer"))


def test_entity_filter_finds_calls_where_a_card_was_given(
    session_factory: sessionmaker[Session], calls: Calls
) -> None:
    f = session_factory
    assert ids(find(f, entity_types=["CARD_NUMBER"])) == {calls.cancel_tr, calls.refund_en}
    assert ids(find(f, entity_types=["CARD_NUMBER", "CARD_EXPIRY"])) == {calls.cancel_tr}
    assert ids(find(f, "refund", entity_types=["CARD_NUMBER"])) == {calls.refund_en}
    assert ids(find(f, entity_types=["IBAN"])) == set()
    # the customer read the card number out in one call, the agent in the other
    assert ids(find(f, entity_types=["CARD_NUMBER"], speaker="customer")) == {calls.cancel_tr}
    hit = find(f, entity_types=["CARD_NUMBER"], speaker="customer").items[0]
    assert hit.entity_types == ["CARD_EXPIRY", "CARD_NUMBER"]
    assert [s.start for s in hit.snippets] == [30.0]
    assert "<mark>[CARD_NUMBER]</mark>" in hit.snippets[0].html


def test_hits_carry_metadata_snippets_and_time_offsets(
    session_factory: sessionmaker[Session], calls: Calls
) -> None:
    (hit,) = find(session_factory, "iptal").items
    assert hit.recording_id == calls.cancel_tr
    assert hit.agent_id == "ayse"
    assert hit.call_id.startswith("call-")
    assert hit.language == "tr"
    assert hit.started_at == day(0)
    assert hit.duration_seconds == 40.0
    assert hit.speakers == ["agent", "customer"]
    assert hit.score is not None
    assert hit.score > 0
    assert [(s.start, s.speaker) for s in hit.snippets] == [(10.0, C), (20.0, A)]
    assert hit.snippets[0].html == (
        "Aboneliğimin <mark>iptalini</mark> istiyorum, faturam çok yüksek geldi."
    )
    assert hit.snippets[1].html.startswith("<mark>İPTAL</mark> için")


def test_phrase_highlights_the_whole_phrase_and_not_excluded_words(
    session_factory: sessionmaker[Session], calls: Calls
) -> None:
    (hit,) = find(session_factory, '"want a refund" -iptal').items
    assert hit.snippets[0].html == (
        "I was charged twice, I <mark>want a refund</mark> for the duplicate bill."
    )
    (hit,) = find(session_factory, "fatura -iptal").items
    assert len(hit.snippets) == 2
    assert all("<mark>Fatura</mark>" in s.html for s in hit.snippets)


def test_snippets_are_escaped_html(session_factory: sessionmaker[Session]) -> None:
    rid = indexed(
        session_factory,
        [(C, "iade <script>alert(\"x\")</script> & <b>kalın</b> 'tırnak'")],
    )
    (hit,) = find(session_factory, "iade").items
    assert hit.recording_id == rid
    assert hit.snippets[0].html == (
        "<mark>iade</mark> &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; "
        "&lt;b&gt;kalın&lt;/b&gt; &#x27;tırnak&#x27;"
    )
    (hit,) = find(session_factory, "script").items
    assert "<script>" not in hit.snippets[0].html
    assert "&lt;<mark>script</mark>&gt;" in hit.snippets[0].html


def test_long_segments_are_cut_around_the_hit(session_factory: sessionmaker[Session]) -> None:
    words = " ".join(f"kelime{i}" for i in range(200))
    indexed(session_factory, [(C, f"{words} iade {words}")])
    (hit,) = find(session_factory, "iade").items
    html = hit.snippets[0].html
    assert html.startswith("…")
    assert html.endswith("…")
    assert "<mark>iade</mark>" in html
    assert len(html) < 400


def test_at_most_three_snippets_per_call(session_factory: sessionmaker[Session]) -> None:
    indexed(session_factory, [(C, "iade lütfen")] * 8)
    (hit,) = find(session_factory, "iade").items
    assert [s.start for s in hit.snippets] == [0.0, 10.0, 20.0]


def test_agents_see_only_their_own_calls(
    session_factory: sessionmaker[Session], calls: Calls
) -> None:
    f = session_factory
    assert ids(find(f, "octopus", agent_id="ayse")) == {calls.cancel_tr}
    assert ids(find(f, "octopus", agent_id="john")) == {calls.refund_en}
    assert ids(find(f, "octopus", agent_id="mehmet")) == set()


def test_a_filter_on_another_agent_cannot_widen_an_agents_scope(
    session_factory: sessionmaker[Session], calls: Calls
) -> None:
    with session_factory() as session:
        from vault.search.schemas import SearchFilters  # noqa: PLC0415

        page = service.search(
            session,
            query="octopus",
            agent_id="mehmet",
            filters=SearchFilters(agent_id="ayse"),
        )
    assert page.items == []


def test_only_ready_recordings_are_found(session_factory: sessionmaker[Session]) -> None:
    ready = indexed(session_factory, [(C, "iade istiyorum")])
    failed = indexed(session_factory, [(C, "iade istiyorum")], status=Status.FAILED)
    assert ids(find(session_factory, "iade")) == {ready}
    with transaction(session_factory) as session:
        row = session.get(Recording, ready)
        assert row is not None
        row.status = Status.TRANSCRIBING.value
    assert ids(find(session_factory, "iade")) == set()
    assert failed


def test_reindexing_replaces_and_remove_removes(session_factory: sessionmaker[Session]) -> None:
    from tests.vault.search.helpers import redacted  # noqa: PLC0415

    rid = indexed(session_factory, [(C, "iade istiyorum")])
    with transaction(session_factory) as session:
        recording = session.get(Recording, rid)
        assert recording is not None
        for _ in range(2):
            service.index_recording(
                session, recording=recording, transcript=redacted([(C, "kargo gelmedi")])
            )
    assert ids(find(session_factory, "iade")) == set()
    assert ids(find(session_factory, "kargo")) == {rid}
    with transaction(session_factory) as session:
        assert session.scalar(select(func.count()).select_from(SearchDocument)) == 1
        service.remove(session, recording_id=rid)
        service.remove(session, recording_id=rid)
    assert ids(find(session_factory, "kargo")) == set()
    assert _fts_rows(session_factory) in (0, None)


def test_deleting_a_recording_takes_it_out_of_the_index(
    session_factory: sessionmaker[Session],
) -> None:
    rid = indexed(session_factory, [(C, "iade istiyorum")])
    other = indexed(session_factory, [(C, "iade istiyorum")])
    with transaction(session_factory) as session:
        session.execute(delete(Recording).where(Recording.id == rid))
    assert ids(find(session_factory, "iade")) == {other}
    with session_factory() as session:
        assert session.scalars(select(SearchDocument.recording_id)).all() == [other]
    assert _fts_rows(session_factory) in (1, None)


def _fts_rows(factory: sessionmaker[Session]) -> int | None:
    """Rows in SQLite's FTS table (``None`` on PostgreSQL, which has none)."""
    with factory() as session:
        if session.get_bind().dialect.name != "sqlite":
            return None
        count: int | None = session.scalar(text("SELECT count(*) FROM search_fts"))
        return count


@pytest.mark.parametrize("query", ['"iade', "iade OR", "-iade", "(iade"])
def test_malformed_queries_are_invalid_input(
    session_factory: sessionmaker[Session], query: str
) -> None:
    with pytest.raises(InvalidInput):
        find(session_factory, query)


def test_backend_syntax_typed_into_a_query_is_searched_as_words(
    session_factory: sessionmaker[Session], calls: Calls
) -> None:
    for query in [
        "NEAR(iade kargo)",
        "{agent} : iade",
        "customer:iade",
        "iade':* | !kargo",
        "iade'; DROP TABLE search_documents; --",
    ]:
        find(session_factory, query)
    # read as FTS5 syntax it would find the agent's "İade"; read as words, nothing says "agent"
    assert ids(find(session_factory, "{agent} : iade")) == set()
    assert ids(find(session_factory, "iade")) == {calls.refund_tr}


def test_snippets_of_a_document_indexed_before_segments_kept_their_terms(
    session_factory: sessionmaker[Session],
) -> None:
    rid = indexed(session_factory, [(C, "Kargo nerede?"), (C, "İade istiyorum.")])
    with transaction(session_factory) as session:
        (row,) = session.execute(select(SearchDocumentText)).scalars()
        row.segments = json.dumps([s[:4] for s in json.loads(row.segments)])
    (hit,) = find(session_factory, "iade").items
    assert hit.recording_id == rid
    assert [s.html for s in hit.snippets] == ["<mark>İade</mark> istiyorum."]


def test_a_phrase_needs_its_words_in_a_row_said_by_one_speaker(
    session_factory: sessionmaker[Session],
) -> None:
    f = session_factory
    in_a_row = indexed(f, [(A, "You want a refund, I see.")], language="en")
    pairs_apart = indexed(f, [(C, "I want a new plan, and a refund.")], language="en")
    across_speakers = indexed(f, [(C, "I want"), (A, "a refund?")], language="en")
    said_by_agent = indexed(f, [(A, "Charged twice, sorry.")], language="en")
    assert ids(find(f, '"want a refund"')) == {in_a_row}
    assert ids(find(f, '"want a refund"', speaker=Speaker.CUSTOMER)) == set()
    assert ids(find(f, '"charged twice"')) == {said_by_agent}
    assert ids(find(f, '"charged twice"', speaker=Speaker.CUSTOMER)) == set()
    assert ids(find(f, '"want a"')) == {in_a_row, pairs_apart}
    assert ids(find(f, '"want a refund" OR "a new plan"')) == {in_a_row, pairs_apart}
    assert across_speakers not in ids(find(f, '"i want a refund"'))


def test_a_word_without_a_term_does_not_shift_the_marks(
    session_factory: sessionmaker[Session],
) -> None:
    # A lone combining accent is read as a word whose term is empty: it leaves no stored term.
    indexed(session_factory, [(C, "kargo \u0301 iade kargo iade")])
    (hit,) = find(session_factory, "iade").items
    assert hit.snippets[0].html == "kargo \u0301 <mark>iade</mark> kargo <mark>iade</mark>"
