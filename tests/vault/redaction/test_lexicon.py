"""The name lexicons: Turkish and English names in any case and with Turkish suffixes; ordinary
words are not names, and names that are ordinary words are ambiguous."""

from __future__ import annotations

import pytest

from vault.redaction import lexicon

GIVEN_NAMES = [
    # Turkish, every casing, with and without diacritics
    "Ayşe",
    "AYŞE",
    "ayşe",
    "Ayse",
    "Mehmet",
    "MEHMET",
    "İbrahim",
    "IBRAHIM",
    "ibrahim",
    "Ibrahim",
    "Şükrü",
    "Sukru",
    "Gökhan",
    "GOKHAN",
    "Zeynep",
    "Elif",
    "Emre",
    "Fatma",
    "Hüseyin",
    "Işıl",
    "IŞIL",
    # a Turkish suffix after an apostrophe, straight or curly
    "Ayşe'ye",
    "Mehmet'le",
    "Ali'nin",
    "Zeynep’in",
    "Burak'tan",
    # a case suffix glued on (vowel harmony agrees)
    "Mehmetle",
    "Ayşeye",
    "Fatmanın",
    "Emreyle",
    "Kemale",
    "Zeynepten",
    # English
    "James",
    "JAMES",
    "james",
    "Olivia",
    "Sophie",
    "Daniel",
    "Isabella",
    "ISABELLA",
    "Charlotte",
    "Oliver",
    "James's",
    "Olivia’s",
]

NOT_GIVEN_NAMES = [
    "merhaba",
    "tamam",
    "evet",
    "hayır",
    "kart",
    "numara",
    "adres",
    "teşekkürler",
    "fatura",
    "modem",
    "lira",
    "altmış",
    "sen",
    "artık",
    "sim",
    "bugün",
    "hello",
    "thanks",
    "the",
    "card",
    "number",
    "router",
    "payment",
    "doctor",
    # glued forms that are ordinary words, not a name with a suffix
    "umarım",
    "alanda",
    "arası",
    "sakla",
    "Canım",
    "Yazın",
    "Sevgiyle",
    "Işıkta",
    "Bankaya",
    "Kartla",
    "Kimin",
    "Sonra",
    "Evde",
    "",
    "'",
]

SURNAMES = [
    "Yılmaz",
    "YILMAZ",
    "yılmaz",
    "Yilmaz",
    "Özdemir",
    "OZDEMIR",
    "Öztürk",
    "Şahin",
    "Sahin",
    "Çelik",
    "Kaya",
    "Arslan",
    "Aydın",
    "Kılıç",
    "Yılmaz'ın",
    "Özdemir'e",
    "Yılmazın",
    "Yılmazlar",
    "Öztürkten",
    "Roberts",
    "Smith",
    "SMITH",
    "Johnson",
    "Williams",
    "Taylor",
    "O'Brien",
    "O'Brien'ın",
    "Smith's",
]

NOT_SURNAMES = [
    "merhaba",
    "teşekkür",
    "numaranız",
    "kimlik",
    "doğrulama",
    "kodu",
    "şifre",
    "hello",
    "please",
    "account",
    "number",
    "yesterday",
    "şu",
    "Kargo",
    "İnternet",
    "Modemi",
    "Sonra",
    "Tamam",
    "Evet",
    "Hayır",
    "Kartla",
    "bankaya",
    "sakla",
    "arası",
    "umarım",
    "the",
    "and",
    "router",
]

AMBIGUOUS = [
    "Umut",
    "Deniz",
    "Can",
    "Su",
    "Nur",
    "Ay",
    "Güneş",
    "Yıldız",
    "Bahar",
    "Barış",
    "Özgür",
    "Umut'a",
    "Deniz'le",
    "May",
    "Will",
    "Mark",
    "Bill",
    "Grant",
    "Hope",
    "Joy",
    "April",
    "Rose",
    "Summer",
    "Art",
    "Chase",
    "Grace",
    "Green",
    "Ben",
]

NOT_AMBIGUOUS = [
    "Mehmet",
    "Ayşe",
    "Yılmaz",
    "Özdemir",
    "Fatma",
    "Zeynep",
    "Emre",
    "İbrahim",
    "Olivia",
    "James",
    "Roberts",
    "Sophie",
    "Daniel",
    "Mehmetle",
    "Ayşe'ye",
    # not names at all
    "merhaba",
    "kart",
    "router",
    "tamam",
    "Hak",
    "Bay",
    "hello",
    "umarım",
    "sakla",
    "the",
    "fatura",
]


@pytest.mark.parametrize("word", GIVEN_NAMES)
def test_given_names(word: str) -> None:
    assert lexicon.is_given_name(word)
    assert lexicon.is_name(word)


@pytest.mark.parametrize("word", NOT_GIVEN_NAMES)
def test_not_given_names(word: str) -> None:
    assert not lexicon.is_given_name(word)


@pytest.mark.parametrize("word", SURNAMES)
def test_surnames(word: str) -> None:
    assert lexicon.is_surname(word)


@pytest.mark.parametrize("word", NOT_SURNAMES)
def test_not_surnames(word: str) -> None:
    assert not lexicon.is_surname(word)


@pytest.mark.parametrize("word", AMBIGUOUS)
def test_ambiguous(word: str) -> None:
    assert lexicon.is_name(word)
    assert lexicon.is_ambiguous(word)


@pytest.mark.parametrize("word", NOT_AMBIGUOUS)
def test_not_ambiguous(word: str) -> None:
    assert not lexicon.is_ambiguous(word)


@pytest.mark.parametrize(
    ("word", "lang", "expected"),
    [
        ("Ayşe", "tr", True),
        ("Ayşe", "en", False),
        ("Olivia", "en", True),
        ("Olivia", "tr", False),
        ("Mehmetle", "tr", True),
        ("Mehmetle", "en", False),
        ("Ben", "en", True),
        ("ben", "tr", False),
        ("Sen", "tr", False),
        ("Can", "tr", True),
    ],
)
def test_given_name_by_language(word: str, lang: lexicon.Lang, expected: bool) -> None:
    assert lexicon.is_given_name(word, lang) is expected


@pytest.mark.parametrize(
    ("word", "lang", "expected"),
    [
        ("Ben", None, True),  # an English name, and Turkish for "I"
        ("Ben", "en", False),
        ("Will", "en", True),
        ("Umut", "tr", True),
        ("Umut", "en", False),  # not an English name
        ("Ayşe", "tr", False),
    ],
)
def test_ambiguous_by_language(word: str, lang: lexicon.Lang | None, expected: bool) -> None:
    assert lexicon.is_ambiguous(word, lang) is expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Bey", True),
        ("Hanım", True),
        ("HANIM", True),
        ("Bay", True),
        ("Bayan", True),
        ("Sayın", True),
        ("Mr", True),
        ("Mr.", True),
        ("Mrs", True),
        ("Ms.", True),
        ("Miss", True),
        ("Dr.", True),
        ("Hanım'a", True),
        ("Mehmet", False),
        ("merhaba", False),
        ("Mister", False),
        ("kart", False),
        ("road", False),
        ("Bayram", False),
        ("", False),
    ],
)
def test_honorifics(word: str, expected: bool) -> None:
    assert lexicon.is_honorific(word) is expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Deniz", True),
        ("deniz", True),
        ("su", True),
        ("will", True),
        ("Hak", True),
        ("Bay", True),
        ("Mehmet", False),
        ("Yılmaz", False),
        ("Olivia", False),
        ("Kadıköy", False),
    ],
)
def test_common_words(word: str, expected: bool) -> None:
    assert lexicon.is_common_word(word) is expected


def test_forms_hold_lower_case_and_folded() -> None:
    assert lexicon.forms("Yılmaz", "tr") == {"yılmaz", "yilmaz"}
    assert lexicon.forms("İbrahim", "tr") == {"ibrahim"}
    assert lexicon.forms("ISABELLA", "en") == {"isabella"}
    assert lexicon.forms("ISPARTA", "tr") == {"ısparta", "isparta"}


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Ayşe'ye", ("Ayşe", True)),
        ("Yılmaz’ın", ("Yılmaz", True)),
        ("James'", ("James", True)),
        ("O'Brien", ("O'Brien", False)),
        ("D'Arcy'nin", ("D'Arcy", True)),
        ("Mehmet", ("Mehmet", False)),
    ],
)
def test_strip_apostrophe(word: str, expected: tuple[str, bool]) -> None:
    assert lexicon.strip_apostrophe(word) == expected


def test_lists_are_large_and_normalised() -> None:
    for lang in lexicon.LANGS:
        assert len(lexicon.given_names(lang)) > 5000
        assert len(lexicon.surnames(lang)) > 2500
    assert "yılmaz" in lexicon.surnames("tr")
    assert "yilmaz" in lexicon.surnames("tr")
    assert "olivia" in lexicon.given_names("en")
    assert all(name == name.lower() for name in lexicon.given_names("en"))


def test_intro_phrases() -> None:
    assert "adım" in lexicon.introducers("tr")
    assert "my name is" in lexicon.introducers("en")
    assert "bey" in lexicon.honorifics("tr")
    assert "mr" in lexicon.honorifics("en")


def test_loads_from_cold() -> None:
    """The lists load on first use (about 0.2 s on a developer machine; not asserted)."""
    lexicon._lexicon.cache_clear()
    lexicon.load()
    assert lexicon.is_given_name("Ayşe")
