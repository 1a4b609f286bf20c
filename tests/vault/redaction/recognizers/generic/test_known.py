"""What the call's metadata says about the customer, found wherever it is said: the name and
each part of it in any casing, with Turkish suffixes, with or without Turkish letters; the
phone number, e-mail and customer id written or read out."""

from __future__ import annotations

import pytest

from tests.vault.redaction.recognizers._rows import Expected, Row, balance, check, ids
from vault.redaction.recognizers.generic.known import KnownValuesRecognizer
from vault.redaction.types import EntityType, Known

E = EntityType
AYSE = Known(name="Ayşe Yılmaz")
PHONE_TR = Known(phone="+90 532 418 27 90")
PHONE_UK = Known(phone="07700 900123")
CUSTOMER = Known(customer_id="C-48213")

ROWS: list[tuple[str, str, Known, Expected]] = [
    ("tr", "YILMAZ'IN hattı kapanmış, ben eşiyim.", AYSE, [(E.PERSON, "YILMAZ'IN")]),
    ("tr", "yilmaz soyadıyla kayıtlı olmalı", AYSE, [(E.PERSON, "yilmaz")]),
    (
        "tr",
        "Ayşe'ye ulaşamadık, Ayşe Yılmaz'a not bıraktık.",
        AYSE,
        [(E.PERSON, "Ayşe'ye"), (E.PERSON, "Ayşe Yılmaz'a")],
    ),
    ("tr", "Kayıt AYSE YILMAZ adına görünüyor.", AYSE, [(E.PERSON, "AYSE YILMAZ")]),
    (
        "tr",
        "IBRAHIM ÖZDEMİR adına kayıtlı.",
        Known(name="İbrahim Özdemir"),
        [(E.PERSON, "IBRAHIM ÖZDEMİR")],
    ),
    (
        "tr",
        "numaram sıfır beş üç iki dört bir sekiz iki yedi dokuz sıfır",
        PHONE_TR,
        [(E.PHONE_NUMBER, "sıfır beş üç iki dört bir sekiz iki yedi dokuz sıfır")],
    ),
    (
        "tr",
        "müşteri numaram kırk sekiz iki on üç",
        CUSTOMER,
        [(E.CUSTOMER_ID, "kırk sekiz iki on üç")],
    ),
    (
        "tr",
        "mail adresim burak.aslan84@gmail.com",
        Known(email="Burak.Aslan84@gmail.com"),
        [(E.EMAIL_ADDRESS, "burak.aslan84@gmail.com")],
    ),
    (
        "en",
        "It's oh seven seven double oh nine double oh one two three",
        PHONE_UK,
        [(E.PHONE_NUMBER, "oh seven seven double oh nine double oh one two three")],
    ),
    (
        "en",
        "BENNETT, Olivia, that's the account.",
        Known(name="Olivia Bennett"),
        [(E.PERSON, "BENNETT"), (E.PERSON, "Olivia")],
    ),
    (
        "en",
        "My reference is oct-448210 I think.",
        Known(customer_id="OCT-448210"),
        [(E.CUSTOMER_ID, "oct-448210")],
    ),
    # Near misses: other names that start alike, short parts, numbers a digit away.
    ("tr", "Aysel Hanım geldi, Ayşegül de.", AYSE, []),
    ("tr", "Yılmazlar köyünden geliyorum.", AYSE, []),
    ("tr", "Su faturası ayrı geliyor.", Known(name="Ali Su"), []),
    ("tr", "Kampanya 299 lira, 3 iş günü sürer.", PHONE_TR, []),
    ("tr", "Beni 0532 418 27 91'den arayın.", PHONE_TR, []),
    ("tr", "Müşteri numaranız 48214 değil mi?", CUSTOMER, []),
    ("tr", "Ayşe Yılmaz'ın hattı bu.", Known(), []),
    ("tr", "Tabii hanımefendi, sizi Ayten Hanım'a bağlıyorum.", AYSE, []),
    ("tr", "Bu ay 532 lira 41 kuruş ödediniz, 8 GB kullandınız.", PHONE_TR, []),
    ("en", "Call 0800 900 123 for help.", PHONE_UK, []),
    ("en", "I'll text the code to 07700 900124.", PHONE_UK, []),
    ("en", "George called about his bill.", Known(name="Georgia Hill"), []),
    ("en", "Jo rang earlier about the router.", Known(name="Jo Lee"), []),
    ("en", "My reference is OCT-448219.", Known(customer_id="OCT-448210"), []),
    (
        "en",
        "The email bounced from olivia.b@example.com.",
        Known(email="olivia.bennett@example.com"),
        [],
    ),
]
TABLE: list[Row] = [(lang, text, expected) for lang, text, _known, expected in ROWS]


@pytest.mark.parametrize(("lang", "text", "known", "expected"), ROWS, ids=ids(TABLE))
def test_known(lang: str, text: str, known: Known, expected: Expected) -> None:
    check(KnownValuesRecognizer(), lang, text, expected, known)


@pytest.mark.parametrize("lang", ["tr", "en"])
def test_table_has_a_negative_row_for_each_positive(lang: str) -> None:
    positive, negative = balance([row for row in TABLE if row[0] == lang])
    assert 0 < positive <= negative
