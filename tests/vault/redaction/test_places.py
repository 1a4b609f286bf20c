"""Places: provinces and districts of Türkiye with and without diacritics and suffixes, address
words in both languages, and the UK, US and Turkish postcode patterns."""

from __future__ import annotations

import pytest

from vault.redaction import lexicon, places

PROVINCES = [
    "İstanbul",
    "ISTANBUL",
    "istanbul",
    "Istanbul",
    "Ankara",
    "ANKARA",
    "İzmir",
    "Izmir",
    "izmir",
    "Bursa",
    "Şanlıurfa",
    "Sanliurfa",
    "Urfa",
    "Antep",
    "Afyon",
    "Muğla",
    "Mugla",
    "Iğdır",
    "Igdir",
    "Isparta",
    "ISPARTA",
    "Hakkâri",
    "İstanbul'da",
    "Ankara’ya",
    "İzmirde",
    "Ankaraya",
    "Bursadan",
    "bursa'nın",
    "Eskişehir",
]

NOT_PROVINCES = [
    "Kadıköy",
    "Karşıyaka",
    "Nilüfer",
    "Çankaya",
    "Leeds",
    "London",
    "merhaba",
    "kart",
    "araba",
    "Mahallesi",
    "Caddesi",
    "Türkiye",
    "İstanbullu",
    "ordunun",
    "Manchester",
    "Deniz",
    "",
    "34",
    "İzmirli",
    "ankaralı",
    "Paris",
    "Sokak",
    "Daire",
    "No",
    "Berlin",
    "Moskova",
]


@pytest.mark.parametrize("word", PROVINCES)
def test_provinces(word: str) -> None:
    assert places.is_province(word)


@pytest.mark.parametrize("word", NOT_PROVINCES)
def test_not_provinces(word: str) -> None:
    assert not places.is_province(word)


DISTRICTS = [
    "Kadıköy",
    "kadikoy",
    "KADIKÖY",
    "Kadıköy'de",
    "Karşıyaka",
    "Karsiyaka",
    "Nilüfer",
    "Nilufer",
    "Çankaya",
    "Cankaya",
    "Üsküdar",
    "Uskudar",
    "Beşiktaş",
    "Bornova",
    "Keçiören",
    "Osmangazi",
    "Yıldırım",
    "Seyhan",
    "19 Mayıs",
    "Merkez",
    "Gölbaşı",
    "Şişli'de",
]

NOT_DISTRICTS = [
    "İstanbul",
    "Ankara",
    "Bursa",
    "Leeds",
    "Manchester",
    "merhaba",
    "kart",
    "numara",
    "Mahallesi",
    "Caddesi",
    "Sokak",
    "Daire",
    "Cumhuriyet",
    "Atatürk",
    "Bağdat",
    "Sultanahmet",
    "Mehmet",
    "router",
    "",
    "Kadıköylü",
    "London",
    "street",
]


@pytest.mark.parametrize("word", DISTRICTS)
def test_districts(word: str) -> None:
    assert places.is_district(word)


@pytest.mark.parametrize("word", NOT_DISTRICTS)
def test_not_districts(word: str) -> None:
    assert not places.is_district(word)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Merkez", True),
        ("Çay", True),
        ("Hani", True),
        ("Olur", True),
        ("Of", True),
        ("Ordu", True),
        ("Aydın", True),
        ("Fatih", True),
        ("Kartal", True),
        ("Pazar", True),
        ("19 Mayıs", True),
        ("Kadıköy", False),
        ("İstanbul", False),
        ("Karşıyaka", False),
        ("Bornova", False),
        ("Ankara", False),
        ("Üsküdar", False),
        ("Eskişehir", False),
        ("merhaba", False),
        ("Mehmet", False),
    ],
)
def test_ambiguous_places(word: str, expected: bool) -> None:
    assert places.is_ambiguous_place(word) is expected


def test_all_provinces_and_districts() -> None:
    provinces = places.provinces()
    assert len(provinces) == 81
    assert [p.plate for p in provinces] == list(range(1, 82))
    assert sum(len(p.districts) for p in provinces) == 973
    assert sum(p.districts.count("Merkez") for p in provinces) == 51
    istanbul = places.province("istanbul'da")
    assert istanbul is not None
    assert istanbul.plate == 34
    assert len(istanbul.districts) == 39
    assert places.district_provinces("Gölbaşı") == {"Ankara", "Adıyaman"}
    assert places.district_provinces("Karşıyaka") == {"İzmir"}
    assert places.district_provinces("Londra") == frozenset()


@pytest.mark.parametrize(
    ("word", "lang", "expected"),
    [
        ("Mahallesi", "tr", True),
        ("mah.", "tr", True),
        ("Mh.", "tr", True),
        ("Caddesi", "tr", True),
        ("Caddesi'nde", "tr", True),
        ("Cad.", "tr", True),
        ("Sokağı", "tr", True),
        ("SOKAK", "tr", True),
        ("Sokagi", "tr", True),
        ("sk.", "tr", True),
        ("Bulvarı", "tr", True),
        ("Apt.", "tr", True),
        ("Daire", "tr", True),
        ("posta kodu", "tr", True),
        ("Road", "en", True),
        ("Rd.", "en", True),
        ("Street", "en", True),
        ("St", "en", True),
        ("Avenue", "en", True),
        ("Flat", "en", True),
        ("merhaba", "tr", False),
        ("kart", "tr", False),
        ("numaranız", "tr", False),
        ("İstanbul", "tr", False),
        ("Mehmet", "tr", False),
        ("Road", "tr", False),
        ("Caddesi", "en", False),
        ("card", "en", False),
        ("number", "en", False),
        ("Leeds", "en", False),
        ("hello", "en", False),
        ("payment", "en", False),
        ("router", "en", False),
        ("thanks", "en", False),
        ("bill", "en", False),
        ("", "en", False),
        ("Kadıköy", "tr", False),
        ("telefon", "tr", False),
        ("ödeme", "tr", False),
        ("fatura", "tr", False),
    ],
)
def test_address_keywords(word: str, lang: lexicon.Lang, expected: bool) -> None:
    assert places.is_address_keyword(word, lang) is expected


def test_address_keyword_sets() -> None:
    assert {"mahallesi", "caddesi", "cad", "sokak", "sokagi", "no", "posta kodu"} <= (
        places.address_keywords("tr")
    )
    assert {"street", "st", "road", "rd", "avenue", "ave", "flat", "apartment"} <= (
        places.address_keywords("en")
    )


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("my postcode is LS1 4AB thanks", ["LS1 4AB"]),
        ("SW1A 1AA", ["SW1A 1AA"]),
        ("m1 1ae", ["m1 1ae"]),
        ("EC1A1BB and B33 8TH", ["EC1A1BB", "B33 8TH"]),
        ("it costs 24.99 a month", []),
        ("card ending 4455", []),
        ("ABC 123", []),
        ("QQ1 1AA", []),
    ],
)
def test_uk_postcode(text: str, found: list[str]) -> None:
    assert places.UK_POSTCODE.findall(text, timeout=1) == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Austin, TX 78701", ["TX 78701"]),
        ("New York 10001-1234", ["New York 10001-1234"]),
        ("texas 75201", ["texas 75201"]),
        ("CA 90210", ["CA 90210"]),
        ("ca 90210", []),
        ("TX 7870", []),
        ("ZZ 12345", []),
        ("my code is 12345", []),
    ],
)
def test_us_state_zip(text: str, found: list[str]) -> None:
    assert places.US_STATE_ZIP.findall(text, timeout=1) == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Posta kodu 34710 Kadıköy", ["34710"]),
        ("06100 Çankaya", ["06100"]),
        ("81000", ["81000"]),
        ("99000", []),
        ("00100", []),
        ("123456", []),
    ],
)
def test_tr_postcode(text: str, found: list[str]) -> None:
    assert places.TR_POSTCODE.findall(text, timeout=1) == found


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Leeds", True),
        ("MANCHESTER", True),
        ("New York", True),
        ("bristol", True),
        ("Stoke-on-Trent", True),
        ("İstanbul", False),
        ("router", False),
        ("Road", False),
        ("Mehmet", False),
        ("Oxfordshire", False),
    ],
)
def test_en_cities(word: str, expected: bool) -> None:
    assert places.is_en_city(word) is expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("NY", True),
        ("Texas", True),
        ("new york", True),
        ("District of Columbia", True),
        ("ny", False),
        ("Leeds", False),
        ("ZZ", False),
        ("Yorkshire", False),
    ],
)
def test_us_states(word: str, expected: bool) -> None:
    assert places.is_us_state(word) is expected


def test_loads_from_cold() -> None:
    """The lists load on first use (about 0.05 s on a developer machine; not asserted)."""
    places._places.cache_clear()
    places.load()
    assert places.is_province("Ankara")
