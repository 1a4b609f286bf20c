"""E-mail addresses, written or spoken ("nokta", "at", "alt çizgi"), and what is not one."""

from __future__ import annotations

import pytest

from tests.vault.redaction.recognizers._rows import Expected, Row, balance, check, ids
from vault.redaction.recognizers.generic.email import EmailRecognizer
from vault.redaction.types import EntityType

EMAIL = EntityType.EMAIL_ADDRESS

ROWS: list[Row] = [
    (
        "tr",
        "Faturayı zeynep.karaca@ornekmail.com.tr adresine atar mısınız?",
        [(EMAIL, "zeynep.karaca@ornekmail.com.tr")],
    ),
    (
        "tr",
        "mail adresim selin nokta aksoy at gmail nokta com olacak",
        [(EMAIL, "selin nokta aksoy at gmail nokta com")],
    ),
    (
        "tr",
        "kerem alt çizgi 84 et hotmail nokta com, küçük harflerle",
        [(EMAIL, "kerem alt çizgi 84 et hotmail nokta com")],
    ),
    (
        "en",
        "send it to harry underscore blake at outlook dot com if you can",
        [(EMAIL, "harry underscore blake at outlook dot com")],
    ),
    ("en", "My email is p.fenwick@hotmail.co.uk, thanks.", [(EMAIL, "p.fenwick@hotmail.co.uk")]),
    ("en", "it's tom.h @ yahoo . com", [(EMAIL, "tom.h @ yahoo . com")]),
    # Not an address: handles, prices, times, web addresses, the word itself.
    ("tr", "Twitter'da @octopusdestek hesabına yazabilirsiniz.", []),
    ("tr", "Fiyatı 299 lira, 50 GB internet dahil.", []),
    ("tr", "E-postanızı da yazayım mı? Tabii hanımefendi, olur.", []),
    ("tr", "Faturanızı octopus nokta com nokta tr adresinden görebilirsiniz.", []),
    ("tr", "Modem ZTE H298A, şifre etiketin arkasında.", []),
    ("tr", "Saat 14.30'da arayacağız, 3 iş günü içinde kapanır.", []),
    # A web address read out after "at" is no mailbox: "online" is not a user name.
    ("en", "You can pay online at octopus dot com any time.", []),
    ("en", "I'll be at home at 5 and then at work.", []),
    ("en", "The app is at version 2.5.1 now.", []),
    ("en", "Go to www dot octopus dot com slash help.", []),
    ("en", "That's £24.99 at the moment, or 19.99 at renewal.", []),
    ("en", "Look at the light on the router, is it green?", []),
]


@pytest.mark.parametrize(("lang", "text", "expected"), ROWS, ids=ids(ROWS))
def test_email(lang: str, text: str, expected: Expected) -> None:
    check(EmailRecognizer(), lang, text, expected)


@pytest.mark.parametrize("lang", ["tr", "en"])
def test_table_has_a_negative_row_for_each_positive(lang: str) -> None:
    positive, negative = balance([row for row in ROWS if row[0] == lang])
    assert 0 < positive <= negative
