"""Numbers that prove themselves, with no cue: cards (brand, length, Luhn), T.C. kimlik
numbers (check digits), phone numbers (numbering plans), written or spoken."""

from __future__ import annotations

import pytest

from tests.vault.redaction.recognizers._rows import Expected, Row, balance, check, ids
from vault.redaction.recognizers.generic.numbers import ChecksumRecognizer
from vault.redaction.types import EntityType

CARD = EntityType.CARD_NUMBER
KIMLIK = EntityType.NATIONAL_ID
PHONE = EntityType.PHONE_NUMBER

ROWS: list[Row] = [
    (
        "tr",
        "Kartımın üzerindeki numara 4916 3385 0608 2832 şeklinde.",
        [(CARD, "4916 3385 0608 2832")],
    ),
    (
        "tr",
        "Okuyorum: dört dokuz bir altı, üç üç sekiz beş, sıfır altı sıfır sekiz, iki sekiz üç iki.",
        [(CARD, "dört dokuz bir altı, üç üç sekiz beş, sıfır altı sıfır sekiz, iki sekiz üç iki")],
    ),
    ("tr", "Kimliğimde 28945120348 yazıyor.", [(KIMLIK, "28945120348")]),
    (
        "tr",
        "Tamam, iki sekiz dokuz dört beş bir iki sıfır üç dört sekiz, doğru mu?",
        [(KIMLIK, "iki sekiz dokuz dört beş bir iki sıfır üç dört sekiz")],
    ),
    ("tr", "Beni 0532 418 27 90'dan arayın.", [(PHONE, "0532 418 27 90'dan")]),
    (
        "tr",
        "Numaramı söyleyeyim: sıfır beş yüz otuz iki, dört yüz on sekiz, yirmi yedi, doksan.",
        [(PHONE, "sıfır beş yüz otuz iki, dört yüz on sekiz, yirmi yedi, doksan")],
    ),
    (
        "en",
        "it's six zero one one, zero zero zero nine, nine zero one three, nine four two four",
        [(CARD, "six zero one one, zero zero zero nine, nine zero one three, nine four two four")],
    ),
    ("en", "The number on my card is 5425 2334 3010 9903.", [(CARD, "5425 2334 3010 9903")]),
    ("en", "Ring me on +44 7700 900123 tomorrow.", [(PHONE, "44 7700 900123")]),
    # A UK mobile in national form is a plausible plan (checksums.uk_phone says so).
    ("en", "Sure, my mobile is 07700 900123.", [(PHONE, "07700 900123")]),
    # Prices, quantities, times, dates, serials, and numbers that fail their check.
    ("tr", "Paketiniz 299 lira, 50 GB ve 3 iş günü içinde aktif olur.", []),
    ("tr", "Saat 14:30 ile 17:45 arası teknisyen gelecek.", []),
    ("tr", "4916 3385 0608 2833 diye bir sayı gördüm.", []),
    ("tr", "Modem seri numarası 2350 1187 6642 yazıyor.", []),
    ("tr", "0123 456 78 90 diye bir numara yok efendim.", []),
    ("tr", "Faturanız 12.10.2024 tarihinde kesildi, son ödeme 27.10.2024.", []),
    ("tr", "Geçen ay 1.299,90 TL ödemişsiniz, bu ay 849,50 TL.", []),
    ("en", "That's £24.99 a month for 100 Mbps.", []),
    ("en", "The batch number 4111 1111 1111 1112 was printed on the box.", []),
    ("en", "The engineer will come between 8 and 12, it's 2024 after all.", []),
    ("en", "Samsung Galaxy S24 Ultra 512 GB, model SM-S928B.", []),
    ("en", "Order 20240514 was dispatched on the 15th.", []),
    ("en", "I've been with you since two thousand and nineteen, that's five years.", []),
    ("en", "The invoice from 14/05/2024 shows 1,299.90 in total.", []),
]


@pytest.mark.parametrize(("lang", "text", "expected"), ROWS, ids=ids(ROWS))
def test_checksum(lang: str, text: str, expected: Expected) -> None:
    check(ChecksumRecognizer(), lang, text, expected)


@pytest.mark.parametrize("lang", ["tr", "en"])
def test_table_has_a_negative_row_for_each_positive(lang: str) -> None:
    positive, negative = balance([row for row in ROWS if row[0] == lang])
    assert 0 < positive <= negative
