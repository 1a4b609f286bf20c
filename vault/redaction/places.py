"""Place names and address vocabulary for the address recognizers.

Turkish: the 81 provinces (il) and 973 districts (ilçe) of Türkiye from
``data/tr_places.txt`` (public administrative facts; the file names its source), the words
of a Turkish address ("Mahallesi", "Cad.", "Sokağı", "Daire", "posta kodu") and the five-digit
postcode. English: street words and their abbreviations ("Road", "Rd", "Flat"), major UK and US
cities (``data/en_places.txt``), the UK postcode and the US state + ZIP code.

Lookups take a word in any case, with or without Turkish diacritics, and with a suffix after an
apostrophe ("İstanbul'da", "Kadıköy'de", "Caddesi'nde"); province names also with a case suffix
glued on ("İzmirde", "Ankaraya"). Several districts are also ordinary words or people's names
("Merkez", "Çay", "Hani", "Olur", "Of", "Fatih", "Kartal"): ``is_ambiguous_place`` tells.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import regex

from vault.redaction import lexicon
from vault.redaction.lexicon import Lang

_TR_KEYWORDS = (
    "mahalle",
    "mahallesi",
    "mahallesinde",
    "mah",
    "mh",
    "cadde",
    "caddesi",
    "cad",
    "cd",
    "sokak",
    "sokağı",
    "sok",
    "sk",
    "bulvar",
    "bulvarı",
    "blv",
    "bulv",
    "meydan",
    "meydanı",
    "yolu",
    "site",
    "sitesi",
    "konutları",
    "evleri",
    "rezidans",
    "apartman",
    "apartmanı",
    "apt",
    "ap",
    "han",
    "hanı",
    "plaza",
    "blok",
    "bloğu",
    "blk",
    "kat",
    "katı",
    "daire",
    "dairesi",
    "no",
    "numara",
    "numaralı",
    "köy",
    "köyü",
    "mevkii",
    "ilçe",
    "ilçesi",
    "il",
    "posta kodu",
)
_EN_KEYWORDS = (
    "street",
    "st",
    "road",
    "rd",
    "avenue",
    "ave",
    "av",
    "lane",
    "ln",
    "drive",
    "dr",
    "close",
    "cl",
    "court",
    "ct",
    "crescent",
    "cres",
    "place",
    "pl",
    "square",
    "sq",
    "terrace",
    "ter",
    "way",
    "gardens",
    "gdns",
    "grove",
    "gr",
    "mews",
    "row",
    "walk",
    "park",
    "hill",
    "boulevard",
    "blvd",
    "highway",
    "hwy",
    "parkway",
    "pkwy",
    "flat",
    "apartment",
    "apt",
    "suite",
    "ste",
    "unit",
    "floor",
    "building",
    "house",
    "cottage",
    "po box",
    "p.o. box",
    "postcode",
    "post code",
    "zip",
    "zip code",
)

US_STATES: dict[str, str] = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
}
"""US states (and DC) by postal abbreviation."""

UK_POSTCODE = regex.compile(
    r"(?<![\p{L}\p{N}])(?:GIR\s?0AA|[A-PR-UWYZ](?:[0-9][0-9A-HJKPSTUW]?|[A-HK-Y][0-9][0-9ABEHMNPRV-Y]?)"
    r"\s?[0-9][ABD-HJLNP-UW-Z]{2})(?![\p{L}\p{N}])",
    regex.IGNORECASE | regex.VERSION1,
)
"""A UK postcode ("LS1 4AB", "SW1A 1AA", "m1 1ae"). Run it with a timeout."""

_STATE_NAMES = "|".join(sorted((regex.escape(name) for name in US_STATES.values()), key=len)[::-1])
US_STATE_ZIP = regex.compile(
    rf"(?<![\p{{L}}\p{{N}}])(?:(?:{'|'.join(US_STATES)})|(?i:{_STATE_NAMES}))"
    r",?\s+\d{5}(?:-\d{4})?(?![\p{N}])",
    regex.VERSION1,
)
"""A US state (abbreviation in capitals, or name in any case) and ZIP code ("NY 10001",
"Texas 75201-1234"). Run it with a timeout."""

US_ZIP = regex.compile(r"(?<![\p{N}\-])\d{5}(?:-\d{4})?(?![\p{N}])", regex.VERSION1)
"""A bare US ZIP code; five digits alone are weak evidence, so use it next to a state."""

TR_POSTCODE = regex.compile(
    r"(?<![\p{N}])(?:0[1-9]|[1-7][0-9]|8[01])[0-9]{3}(?![\p{N}])", regex.VERSION1
)
"""A Turkish postcode: five digits, the first two a province plate code (01-81)."""


@dataclass(frozen=True, slots=True)
class Province:
    plate: int
    name: str
    aliases: tuple[str, ...]
    districts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Places:
    provinces: tuple[Province, ...]
    province_keys: dict[str, Province]
    district_keys: dict[str, frozenset[str]]
    keywords: dict[Lang, frozenset[str]]
    en_cities: frozenset[str]


def _keys(name: str) -> frozenset[str]:
    return lexicon.forms(name, "tr") | lexicon.forms(name, "en")


@cache
def _places() -> _Places:
    provinces: list[Province] = []
    for line in lexicon.read_sections("tr_places.txt")[""]:
        plate, name, aliases, districts = (part.strip() for part in line.split("|"))
        provinces.append(
            Province(
                plate=int(plate),
                name=name,
                aliases=tuple(a.strip() for a in aliases.split(",") if a.strip()),
                districts=tuple(d.strip() for d in districts.split(",") if d.strip()),
            )
        )
    province_keys: dict[str, Province] = {}
    district_keys: dict[str, set[str]] = {}
    for province in provinces:
        for name in (province.name, *province.aliases):
            for key in _keys(name):
                province_keys[key] = province
        for district in province.districts:
            for key in _keys(district):
                district_keys.setdefault(key, set()).add(province.name)
    cities = lexicon.read_sections("en_places.txt")
    en_cities = frozenset(
        key for section in cities.values() for city in section for key in lexicon.forms(city, "en")
    )
    return _Places(
        provinces=tuple(provinces),
        province_keys=province_keys,
        district_keys={key: frozenset(names) for key, names in district_keys.items()},
        keywords={
            "tr": frozenset(k for word in _TR_KEYWORDS for k in lexicon.forms(word, "tr")),
            "en": frozenset(k for word in _EN_KEYWORDS for k in lexicon.forms(word, "en")),
        },
        en_cities=en_cities,
    )


def load() -> None:
    """Load every list now (they load on first use otherwise)."""
    _places()


def _lookup(word: str) -> tuple[str, ...]:
    stem, _ = lexicon.strip_apostrophe(word.strip())
    return lexicon.lookup_keys(stem.strip(lexicon.PUNCTUATION))


def _province(word: str, *, glued: bool) -> Province | None:
    places = _places()
    keys = _lookup(word)
    for key in keys:
        if key in places.province_keys:
            return places.province_keys[key]
    if not glued or lexicon.strip_apostrophe(word.strip())[1] or lexicon.is_common_word(word):
        return None
    for stem in lexicon.glued_stems(keys[0]):
        province = places.province_keys.get(stem)
        if province is not None and not _is_ordinary(stem):
            return province
    return None


def province(word: str) -> Province | None:
    """The province that ``word`` names ("İzmir", "IZMIR", "izmir'de", "Antep"), if any."""
    return _province(word, glued=True)


def provinces() -> tuple[Province, ...]:
    """The 81 provinces, by plate code."""
    return _places().provinces


def is_province(word: str) -> bool:
    """Whether ``word`` names a province of Türkiye (also with a Turkish suffix)."""
    return _province(word, glued=True) is not None


def district_provinces(word: str) -> frozenset[str]:
    """The provinces that have a district named ``word`` ("Gölbaşı" → Adıyaman and Ankara)."""
    places = _places()
    for key in _lookup(word):
        if key in places.district_keys:
            return places.district_keys[key]
    return frozenset()


def is_district(word: str) -> bool:
    """Whether ``word`` (one word, or a name such as "19 Mayıs") names a district of Türkiye,
    with or without a suffix after an apostrophe ("Kadıköy'de")."""
    return bool(district_provinces(word))


def _is_ordinary(key: str) -> bool:
    return lexicon.is_common_word(key) or lexicon.is_name(key)


def is_ambiguous_place(word: str) -> bool:
    """Whether a province or district name is also an everyday word or a person's name
    ("Merkez", "Çay", "Hani", "Ordu", "Aydın", "Fatih"): take it as a place only in an
    address."""
    if not (is_district(word) or _province(word, glued=False) is not None):
        return False
    return any(_is_ordinary(key) for key in _lookup(word))


def address_keywords(lang: Lang) -> frozenset[str]:
    """The words of an address in ``lang`` ("mahallesi", "cad", "sokak"; "road", "rd", "flat"),
    normalised (lower case, no dots; with and without diacritics). Multi-word entries ("posta
    kodu", "po box") have single spaces."""
    return _places().keywords[lang]


def is_address_keyword(word: str, lang: Lang | None = None) -> bool:
    """Whether ``word`` is an address word of ``lang``; a trailing dot ("Cad.") and a suffix after
    an apostrophe ("Caddesi'nde") are allowed."""
    places = _places()
    stem, _ = lexicon.strip_apostrophe(word.strip())
    keys = lexicon.lookup_keys(stem.strip().rstrip("."))
    langs = lexicon.LANGS if lang is None else (lang,)
    return any(key in places.keywords[language] for key in keys for language in langs)


def is_en_city(word: str) -> bool:
    """Whether ``word`` (or a name such as "New York") is a major UK or US city."""
    places = _places()
    stem, _ = lexicon.strip_apostrophe(word.strip())
    return any(key in places.en_cities for key in lexicon.lookup_keys(stem))


def is_us_state(word: str) -> bool:
    """Whether ``word`` is a US state's name (any case) or its abbreviation (capitals: "NY")."""
    text = " ".join(word.split())
    if text in US_STATES:
        return True
    folded = lexicon.casefold_en(text)
    return any(lexicon.casefold_en(name) == folded for name in US_STATES.values())
