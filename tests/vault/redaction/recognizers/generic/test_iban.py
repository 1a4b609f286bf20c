"""IBANs: confirmed by mod-97 anywhere, or IBAN-shaped right after the word IBAN."""

from __future__ import annotations

import pytest

from tests.vault.redaction.recognizers._rows import Expected, Row, balance, check, ids
from vault.redaction.recognizers.generic.iban import IbanRecognizer
from vault.redaction.types import EntityType

IBAN = EntityType.IBAN

ROWS: list[Row] = [
    (
        "tr",
        "IBAN'ım TR33 0006 1005 1978 6457 8413 26, adı soyadı aynı.",
        [(IBAN, "TR33 0006 1005 1978 6457 8413 26")],
    ),
    (
        "tr",
        "Hesabım TR33-0006-1005-1978-6457-8413-26 olarak kayıtlı.",
        [(IBAN, "TR33-0006-1005-1978-6457-8413-26")],
    ),
    # A misheard last digit fails mod-97; the word IBAN (capitals, in a Turkish call) vouches.
    (
        "tr",
        "IBAN numaram TR33 0006 1005 1978 6457 8413 27, kontrol eder misiniz?",
        [(IBAN, "TR33 0006 1005 1978 6457 8413 27")],
    ),
    (
        "en",
        "Refund to GB29 NWBK 6016 1331 9268 19 please.",
        [(IBAN, "GB29 NWBK 6016 1331 9268 19")],
    ),
    ("en", "My IBAN is GB29 NWBK 6016 1331 9268 18.", [(IBAN, "GB29 NWBK 6016 1331 9268 18")]),
    (
        "en",
        "Could you send the refund to DE89 3704 0044 0532 0130 00?",
        [(IBAN, "DE89 3704 0044 0532 0130 00")],
    ),
    ("tr", "IBAN numaranızı söyler misiniz? Şu an yanımda değil.", []),
    ("tr", "Paket fiyatı 299 lira, 50 GB dahil.", []),
    ("tr", "Kargo takip numaranız YK 12 3456 7890 1234 5678, yarın teslim.", []),
    ("tr", "İade tutarı 3 iş günü sonra, saat 17:00'ye kadar yatar.", []),
    ("tr", "IBAN yerine kartla ödemek istiyorum, 149 lira 90 kuruş.", []),
    ("en", "Do you have your IBAN handy? I'll text it later.", []),
    ("en", "The router model is TP 4000 AX 1800 with HD 2024 firmware.", []),
    ("en", "Your reference GB12 3456 7890 1234 is noted.", []),
    ("en", "Call us on 0800 123 4567 between 9 and 5.", []),
    ("en", "That's £24.99 a month, billed on the 1st.", []),
]


@pytest.mark.parametrize(("lang", "text", "expected"), ROWS, ids=ids(ROWS))
def test_iban(lang: str, text: str, expected: Expected) -> None:
    check(IbanRecognizer(), lang, text, expected)


@pytest.mark.parametrize("lang", ["tr", "en"])
def test_table_has_a_negative_row_for_each_positive(lang: str) -> None:
    positive, negative = balance([row for row in ROWS if row[0] == lang])
    assert 0 < positive <= negative
