"""Snippets: which segments may hold a hit, where the hits are, and how they are marked."""

from __future__ import annotations

from models.schemas import Speaker
from vault.search import normalise
from vault.search.document import StoredSegment
from vault.search.highlight import may_hit, needles, snippets
from vault.search.query import Match

TR = normalise.language_of("tr")


def _segment(text: str, speaker: Speaker = Speaker.CUSTOMER, at: float = 0.0) -> StoredSegment:
    terms = " ".join(normalise.terms(text, language=TR))
    return StoredSegment(at, at + 5.0, speaker, text, terms)


def test_a_segment_may_hit_when_it_holds_every_term_of_an_alternative() -> None:
    wanted = needles([Match((("iptal", "et"), ("iade",)))])
    assert may_hit("abonelik iptal et ist", wanted)
    assert may_hit("iade", wanted)
    assert not may_hit("iptal", wanted)
    assert not may_hit("iadesi iptali", wanted)  # whole terms only


def test_a_prefix_needs_only_the_start_of_its_last_term() -> None:
    wanted = needles([Match((("iade",),), prefix=True)])
    assert may_hit("para iadesini", wanted)
    assert not may_hit("para biade", wanted)


def test_snippets_mark_the_hits_of_the_first_three_segments_that_hold_them() -> None:
    segments = [
        _segment("Merhaba, nasıl yardımcı olabilirim?", Speaker.AGENT, 0.0),
        _segment("Aboneliğimi iptal etmek istiyorum.", Speaker.CUSTOMER, 5.0),
        _segment("İptal için kartınız [CARD_NUMBER] mi?", Speaker.AGENT, 10.0),
        _segment("Evet, iptali onaylıyorum.", Speaker.CUSTOMER, 15.0),
        _segment("İptal edildi.", Speaker.AGENT, 20.0),
    ]
    leaves = [Match(((normalise.term("iptal", TR),),))]
    found = snippets(segments, language=TR, leaves=leaves, speaker=None)
    assert [s.start for s in found] == [5.0, 10.0, 15.0]
    assert found[0].html == "Aboneliğimi <mark>iptal</mark> etmek istiyorum."
    assert found[1].html.startswith("<mark>İptal</mark> için")
    only_customer = snippets(segments, language=TR, leaves=leaves, speaker=Speaker.CUSTOMER)
    assert [s.start for s in only_customer] == [5.0, 15.0]


def test_snippets_escape_the_text_and_mark_a_tag() -> None:
    segments = [_segment("<b>kart</b> [CARD_NUMBER] & son", Speaker.CUSTOMER)]
    leaves = [Match(((normalise.tag_term("CARD_NUMBER"),),))]
    (found,) = snippets(segments, language=TR, leaves=leaves, speaker=None)
    assert found.html == "&lt;b&gt;kart&lt;/b&gt; <mark>[CARD_NUMBER]</mark> &amp; son"
