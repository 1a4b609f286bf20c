"""The query language: what it means, what it refuses, and that user text never reaches SQL."""

from __future__ import annotations

import pytest

from vault.errors import InvalidInput
from vault.search import postgres, sqlite
from vault.search.query import AllOf, AnyOf, Match, entity, parse, positives, require


def tr(text: str) -> Match:
    """The leaf of a single Turkish-only word."""
    expr = parse(text, language="tr", any_language=False)
    assert isinstance(expr, Match)
    return expr


def test_a_word_is_looked_for_in_each_language() -> None:
    expr = parse("iptalini")
    assert isinstance(expr, Match)
    assert ("iptal",) in expr.alternatives  # Turkish stem
    assert ("iptalini",) in expr.alternatives  # unstemmed, for calls of unknown language
    expr = parse("refunds")
    assert isinstance(expr, Match)
    assert ("refund",) in expr.alternatives


def test_one_language_when_the_search_is_held_to_one() -> None:
    assert tr("iptalini") == Match((("iptal",),))


def test_words_are_all_required_by_default() -> None:
    assert parse("iptal fatura", language="tr", any_language=False) == AllOf(
        (tr("iptal"), tr("fatura"))
    )
    assert parse("iptal AND fatura", language="tr", any_language=False) == parse(
        "iptal fatura", language="tr", any_language=False
    )


def test_or_and_parentheses() -> None:
    expr = parse("(iptal OR iade) fatura", language="tr", any_language=False)
    assert expr == AllOf((AnyOf((tr("iptal"), tr("iade"))), tr("fatura")))


def test_not_and_minus_exclude() -> None:
    expected = AllOf((tr("iade"),), (tr("kargo"),))
    assert parse("iade NOT kargo", language="tr", any_language=False) == expected
    assert parse("iade -kargo", language="tr", any_language=False) == expected
    assert parse("-kargo iade", language="tr", any_language=False) == expected
    assert parse("iade NOT NOT kargo", language="tr", any_language=False) == AllOf(
        (tr("iade"), tr("kargo"))
    )


def test_lowercase_operators_are_words() -> None:
    expr = parse("cancel or refund", language="en", any_language=False)
    assert isinstance(expr, AllOf)
    assert len(expr.include) == 3


def test_phrases_keep_their_order() -> None:
    expr = parse('"iptal etmek istiyorum"', language="tr", any_language=False)
    assert expr == Match((("iptal", "etmek", "istiyor"),))


def test_a_hyphenated_word_is_a_phrase() -> None:
    assert parse("e-posta", language="tr", any_language=False) == parse(
        '"e posta"', language="tr", any_language=False
    )


def test_prefixes() -> None:
    assert parse("iade*", language="tr", any_language=False) == Match((("ia",),), prefix=True)
    assert parse("fatur*", language="tr", any_language=False) == Match((("fatur",),), prefix=True)


def test_entity_tags_in_queries() -> None:
    assert parse("[CARD_NUMBER]") == entity("CARD_NUMBER")


def test_nothing_to_search_for() -> None:
    assert parse("") is None
    assert parse("   ") is None
    assert parse("?! ...") is None


def test_required_entities_join_the_query() -> None:
    card = entity("CARD_NUMBER")
    assert require(None, [card]) == card
    assert require(tr("iade"), [card]) == AllOf((tr("iade"), card))
    expr = parse("iade -kargo", language="tr", any_language=False)
    assert require(expr, [card]) == AllOf((tr("iade"), card), (tr("kargo"),))


def test_excluded_words_are_never_highlighted() -> None:
    expr = parse("(iade OR iptal) -kargo", language="tr", any_language=False)
    assert positives(expr) == [tr("iade"), tr("iptal")]


@pytest.mark.parametrize(
    "query",
    [
        '"abonelik bitsin',
        "(abonelik OR zam",
        "abonelik)",
        "abonelik OR",
        "OR abonelik",
        "abonelik AND",
        "abonelik OR OR zam",
        "abonelik NOT",
        "-zam",
        "NOT zam",
        "abonelik OR -zam",
        "a*",
        "x" * 501,
        " ".join(f"w{i}" for i in range(33)),
        "(" * 10 + "iade" + ")" * 10,
    ],
)
def test_malformed_queries_are_refused_plainly(query: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse(query)
    message = str(refused.value)
    assert "abonelik" not in message
    assert "zam" not in message


def test_a_refusal_never_repeats_the_query() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse('"5321234567 Ayşe')
    assert "5321234567" not in str(refused.value)
    assert "Ayşe" not in str(refused.value)


HOSTILE = [
    "NEAR(iade kargo, 2)",
    "{agent} : iade",
    "customer:iade",
    '"iade" AND "',
    "iade^ kargo+ ' ; DROP TABLE recordings; --",
    "iade':* | !kargo & 'x' <-> y",
    "\\' \\\" %s %(x)s :fts_match",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_backend_syntax_in_a_query_is_only_ever_words(query: str) -> None:
    try:
        expr = parse(query)
    except InvalidInput:
        return
    if expr is None:
        return
    fts = sqlite.render(expr)
    tsq = postgres.render(expr)
    for leaf in positives(expr):
        for terms in leaf.alternatives:
            assert all(t.replace("_", "").isalnum() for t in terms)
    assert "{" not in fts
    assert ":" not in fts
    assert "NEAR" not in fts
    assert ";" not in fts
    assert ";" not in tsq
    assert "{" not in tsq


def test_fts5_rendering_quotes_every_term() -> None:
    expr = parse('(iade OR "iptal et") -kargo ipt*', language="tr", any_language=False)
    assert expr is not None
    assert sqlite.render(expr) == '((("ia" OR "iptal et") AND "ipt" *) NOT ("kargo"))'


def test_tsquery_rendering_quotes_every_lexeme_and_weights_a_speaker() -> None:
    expr = parse('"iptal et" -kargo ipt*', language="tr", any_language=False)
    assert expr is not None
    assert postgres.render(expr) == "((('iptal' <-> 'et')) & (('ipt':*)) & !(('kargo')))"
    assert postgres.render(expr, "B") == (
        "((('iptal':B <-> 'et':B)) & (('ipt':*B)) & !(('kargo':B)))"
    )


def test_tsvector_positions_weights_and_gaps() -> None:
    from models.schemas import Speaker  # noqa: PLC0415

    literal = postgres.tsvector(
        {Speaker.AGENT: ["iptal", "et"], Speaker.CUSTOMER: ["iptal"], Speaker.MIXED: []}
    )
    assert literal == "'iptal':1A,4B 'et':2A"


def test_pairs_are_adjacent_terms_of_one_speaker_and_tags_with_their_weights() -> None:
    from models.schemas import Speaker  # noqa: PLC0415

    literal = postgres.pairs(
        {
            Speaker.AGENT: ["iptal", "et"],
            Speaker.CUSTOMER: ["kart", "entity_card_number"],
            Speaker.MIXED: [],
        }
    )
    assert literal == "'B:entity_card_number' 'iptal et' 'kart entity_card_number'"
