"""Values named by the conversation: after "son kullanma tarihi", "güvenlik kodu", "IBAN",
"date of birth", "sort code"…, the number said next is that entity even without a checksum;
where no value follows, or what follows is a price, a duration or a count, nothing is."""

from __future__ import annotations

import pytest

from tests.vault.redaction.recognizers._rows import Expected, Row, balance, check, ids
from vault.redaction.recognizers.generic.context import ContextRecognizer
from vault.redaction.types import EntityType

E = EntityType

ROWS: list[Row] = [
    (
        "tr",
        "Son kullanma tarihi nedir? On iki yirmi yedi.",
        [(E.CARD_EXPIRY, "On iki yirmi yedi")],
    ),
    (
        "tr",
        "Kartın arkasındaki üç haneyi, yani güvenlik kodunu okur musunuz? Yedi bir dört.",
        [(E.CARD_CVV, "Yedi bir dört")],
    ),
    ("tr", "Vergi numaranız? 1234567890 efendim.", [(E.TAX_ID, "1234567890")]),
    ("tr", "Müşteri numaram 88 412 907, kontrol eder misiniz?", [(E.CUSTOMER_ID, "88 412 907")]),
    (
        "tr",
        "Size gelen onay kodunu söyleyebilir misiniz? Dört sıfır dokuz, iki iki bir.",
        [(E.VERIFICATION_CODE, "Dört sıfır dokuz, iki iki bir")],
    ),
    (
        "tr",
        "Doğum tarihiniz? On dört Mart bin dokuz yüz seksen beş.",
        [(E.DATE_OF_BIRTH, "On dört Mart bin dokuz yüz seksen beş")],
    ),
    (
        "tr",
        "Hesap numaram 6543210 şube kodu 0412.",
        [(E.BANK_ACCOUNT, "6543210"), (E.BANK_ACCOUNT, "0412")],
    ),
    # "IBAN" in capitals in a Turkish call is still the word IBAN.
    (
        "tr",
        "IBAN'ımı söyleyeyim: TR kırk bir, sıfır sıfır bir iki, üç dört beş altı.",
        [(E.IBAN, "TR kırk bir, sıfır sıfır bir iki, üç dört beş altı")],
    ),
    # "T.C. kimlik numaram" is one cue: its "numaram" does not make the value a phone number.
    (
        "tr",
        "T.C. kimlik numaram on iki bin üç yüz kırk beş, altı yedi sekiz, dokuz sıfır.",
        [(E.NATIONAL_ID, "on iki bin üç yüz kırk beş, altı yedi sekiz, dokuz sıfır")],
    ),
    (
        "en",
        "What's the expiry on the card? Oh nine twenty-eight.",
        [(E.CARD_EXPIRY, "Oh nine twenty-eight")],
    ),
    (
        "en",
        "Turn the card over, what are the three digits on the back? Four four one.",
        [(E.CARD_CVV, "Four four one")],
    ),
    ("en", "The account number's 40 19 28 77, I think.", [(E.CUSTOMER_ID, "40 19 28 77")]),
    (
        "en",
        "Your date of birth please? The third of February nineteen ninety.",
        [(E.DATE_OF_BIRTH, "The third of February nineteen ninety")],
    ),
    (
        "en",
        "Please read out the one-time passcode from the text. It's 5 5 2 0 1 8.",
        [(E.VERIFICATION_CODE, "5 5 2 0 1 8")],
    ),
    (
        "en",
        "What's your mobile number? It's oh seven seven double oh, nine double oh one two three.",
        [(E.PHONE_NUMBER, "oh seven seven double oh, nine double oh one two three")],
    ),
    (
        "en",
        "For the refund, what's your sort code? Forty, twelve, seventy-six.",
        [(E.BANK_ACCOUNT, "Forty, twelve, seventy-six")],
    ),
    # No value after the cue, or a price, a duration or a count where the value would be.
    ("tr", "Paketimiz 299 lira, 50 GB internet veriyor.", []),
    ("tr", "Kurulum 3 iş günü sürer, saat 10:30'da teknisyen gelir.", []),
    ("tr", "IBAN numaranızı söyler misiniz? Şu an yanımda değil, akşam ararım.", []),
    ("tr", "Müşteri numaranız faturanın sağ üst köşesinde yazıyor.", []),
    ("tr", "Tabii hanımefendi, şifrenizi kimseyle paylaşmayın.", []),
    ("tr", "Vergi numarası şirket adına, Octopus Bilişim Anonim Şirketi.", []),
    ("tr", "Kredi kartı ile öderseniz 299 lira tek çekimde alınır.", []),
    ("tr", "Kimlik numaranızı tuşlayın lütfen. Tamam, bir dakika bekleyin.", []),
    ("tr", "Telefon numaranızı güncellemek için 3 iş günü bekleyin.", []),
    ("en", "That comes to £24.99 a month with 50 GB of data.", []),
    ("en", "The engineer will be there between 8 and 12 on Tuesday.", []),
    ("en", "Your PIN will never be asked for by our staff.", []),
    ("en", "Is the card number the same as last time? Yes it is.", []),
    ("en", "I don't have my national insurance number with me right now.", []),
    ("en", "I need your account number but take your time. Sure, give me a second.", []),
    ("en", "Do you have your card number to hand? Yes, one moment.", []),
    ("en", "The verification code expires in 10 minutes.", []),
]


@pytest.mark.parametrize(("lang", "text", "expected"), ROWS, ids=ids(ROWS))
def test_context(lang: str, text: str, expected: Expected) -> None:
    check(ContextRecognizer(), lang, text, expected)


@pytest.mark.parametrize("lang", ["tr", "en"])
def test_table_has_a_negative_row_for_each_positive(lang: str) -> None:
    positive, negative = balance([row for row in ROWS if row[0] == lang])
    assert 0 < positive <= negative
