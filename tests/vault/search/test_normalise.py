"""One normalisation for documents and queries: each rule, in Turkish and in English."""

from __future__ import annotations

import pytest

from vault.search.normalise import Language, language_of, prefix_terms, terms, tokens


def same(a: str, b: str, language: Language | None) -> bool:
    return terms(a, language=language) == terms(b, language=language)


@pytest.mark.parametrize(
    ("a", "b", "language"),
    [
        # Turkish lower-casing: İ is i, I is ı (and then folded to i)
        ("İPTAL", "iptal", "tr"),
        ("İstanbul", "istanbul", "tr"),
        ("IŞIK", "ışık", "tr"),
        ("KARTINI", "kartını", "tr"),
        # English lower-casing: I is i, so the English stemmer sees English words
        ("INVOICES", "invoices", "en"),
        ("REFUNDED", "refund", "en"),
        # apostrophe suffixes, straight and typographic
        ("Octopus'un", "Octopus", "tr"),
        ("Octopus’tan", "octopus", "tr"),
        ("Ankara'da", "ankara", "tr"),
        ("customer's", "customer", "en"),
        ("Octopus’s", "octopus", "en"),
        # diacritics folded away
        ("Yılmaz", "yilmaz", "tr"),
        ("ŞÜKRÜ ÖZGÜR", "sukru ozgur", "tr"),
        ("Çağrı", "cagri", "tr"),
        ("café naïve", "cafe naive", "en"),
        ("i̇brahim", "ibrahim", "tr"),  # i + combining dot, as other tools lower-case İ
        # stemming
        ("iptal", "iptali", "tr"),
        ("iptal", "iptalini", "tr"),
        ("aboneliğimi", "abonelik", "tr"),
        ("şikayetim", "şikayet", "tr"),
        ("refund", "refunds", "en"),
        ("refund", "refunded", "en"),
        ("cancelled", "cancellation", "en"),
        ("billing", "bills", "en"),
    ],
)
def test_spellings_meet(a: str, b: str, language: Language) -> None:
    assert same(a, b, language)


@pytest.mark.parametrize(
    ("a", "b", "language"),
    [
        ("iptal", "ödeme", "tr"),
        ("kart", "kargo", "tr"),
        ("refund", "refuse", "en"),
        ("bill", "bell", "en"),
        # without a language nothing is stemmed
        ("refunds", "refund", None),
        ("iptali", "iptal", None),
    ],
)
def test_different_words_stay_apart(a: str, b: str, language: Language | None) -> None:
    assert not same(a, b, language)


def test_english_lowercasing_is_not_turkish() -> None:
    # Turkish rules would make "INVOICE" into "ınvoıce", which the English stemmer cannot read.
    assert terms("INVOICE IT", language="en") == terms("invoice it", language="en")
    assert terms("INVOICES", language="en") == ["invoic"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[CARD_NUMBER]", ["entity_card_number"]),
        ("kart numaram [CARD_NUMBER]'dır", ["kart", "numara", "entity_card_number"]),
        ("my number is [PHONE_NUMBER].", ["my", "number", "is", "entity_phone_number"]),
        ("[card_number] entity_card_number", ["card", "number", "entity", "card", "number"]),
    ],
)
def test_entity_tags_are_terms_no_word_can_spell(text: str, expected: list[str]) -> None:
    language: Language = "tr" if "numaram" in text else "en"
    found = terms(text, language=language)
    assert [t for t in found if t.startswith("entity_")] == [
        t for t in expected if t.startswith("entity_")
    ]
    assert len(found) == len(expected)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Merhaba, Octopus'un İADE süreci: [CARD_NUMBER]'ı verdim.", "tr"),
        ("Hi — I'd like my REFUNDS; card [CARD_NUMBER] please", "en"),
        ("İİİ ıIı ŞŞ", None),
    ],
)
def test_tokens_keep_their_place_in_the_text(text: str, language: Language | None) -> None:
    found = tokens(text, language=language)
    assert found
    for token in found:
        original = text[token.start : token.end]
        assert original.strip() == original
        assert terms(original, language=language) == [token.term]
    assert [t.start for t in found] == sorted(t.start for t in found)


def test_apostrophe_suffix_is_part_of_the_highlighted_span() -> None:
    text = "Octopus'un faturası"
    first = tokens(text, language="tr")[0]
    assert text[first.start : first.end] == "Octopus'un"


@pytest.mark.parametrize(
    ("code", "language"),
    [("tr", "tr"), ("TR", "tr"), ("tr-TR", "tr"), ("en_GB", "en"), ("en", "en"), ("de", None)],
)
def test_language_codes(code: str, language: Language | None) -> None:
    assert language_of(code) == language


def test_no_language_for_nothing() -> None:
    assert language_of(None) is None
    assert language_of("") is None


@pytest.mark.parametrize(
    ("prefix", "language", "word"),
    [
        ("iade", "tr", "iadesini"),
        ("iade", "tr", "iade"),
        ("ipt", "tr", "iptalini"),
        ("happy", "en", "happiness"),
        ("refun", "en", "refunded"),
        ("Yılm", "tr", "Yılmaz'ın"),
        ("yilm", "tr", "Yılmaz"),
    ],
)
def test_prefixes_reach_the_stemmed_words(prefix: str, language: Language, word: str) -> None:
    (start,) = prefix_terms(prefix, language=language)
    (term,) = terms(word, language=language)
    assert term.startswith(start)


def test_punctuation_is_no_term() -> None:
    assert terms("... — !!! ' ’", language="tr") == []
    assert prefix_terms("'", language="tr") == []
