"""People's names: after a cue, before an honorific, as given name + surname pairs; and the
capitalised words that are no one (companies, products, days, places, holidays, titles)."""

from __future__ import annotations

import pytest

from tests.vault.redaction.recognizers._rows import Expected, Row, balance, check, ids
from vault.redaction.recognizers.generic.person import PersonRecognizer
from vault.redaction.types import EntityType

PERSON = EntityType.PERSON

ROWS: list[Row] = [
    (
        "tr",
        "Merhaba, adım Zeynep Karaca, faturam hakkında arıyorum.",
        [(PERSON, "Zeynep Karaca")],
    ),
    ("tr", "İsmim Kerem Aydoğdu.", [(PERSON, "Kerem Aydoğdu")]),
    ("tr", "Tamam Sevgi Hanım, hemen bakıyorum.", [(PERSON, "Sevgi")]),
    ("tr", "Hattın sahibi Mustafa Çelik, ben eşiyim.", [(PERSON, "Mustafa Çelik")]),
    ("tr", "Ben Elif, faturalama biriminden arıyorum.", [(PERSON, "Elif")]),
    ("tr", "Kemal Bey'le geçen hafta görüşmüştüm.", [(PERSON, "Kemal")]),
    ("tr", "Ahmet Yılmaz'ın hattı bu.", [(PERSON, "Ahmet Yılmaz'ın")]),
    ("en", "Hi there, my name is Charlotte Pemberton.", [(PERSON, "Charlotte Pemberton")]),
    ("en", "Thanks, Oliver, I'll check that for you.", [(PERSON, "Oliver")]),
    ("en", "Am I speaking to Mrs Hargreaves?", [(PERSON, "Hargreaves")]),
    ("en", "The account holder is Daniel Hughes.", [(PERSON, "Daniel Hughes")]),
    ("en", "Yes, Rebecca Stone speaking.", [(PERSON, "Rebecca Stone")]),
    ("en", "Hi, it's Amelia, I called yesterday.", [(PERSON, "Amelia")]),
    # A Turkish business's English calls carry Turkish names too.
    (
        "en",
        "Morning, you have reached the billing team, this is Gökhan, what can I do for you?",
        [(PERSON, "Gökhan")],
    ),
    ("en", "Yes, Mehmet Demir speaking.", [(PERSON, "Mehmet Demir")]),
    ("tr", "Tabii hanımefendi, hemen kontrol ediyorum.", []),
    ("tr", "Turkcell ve Vodafone arasında kaldım.", []),
    ("tr", "Ankara şubemize uğrayabilirsiniz.", []),
    ("tr", "Evet, Octopus Plus paketine geçmek istiyorum.", []),
    ("tr", "Bayram tatilinde kargo gecikebilir.", []),
    ("tr", "Peki, Umut verici bir haber bu.", []),
    ("tr", "Ben Pazartesi tekrar ararım.", []),
    ("tr", "Adım adım anlatır mısınız?", []),
    ("tr", "Efendim, Garanti Bankası kartım var.", []),
    # A given name that is also a holiday or a district names no one here.
    ("tr", "Bu kampanya Ramazan Bayramı'na kadar geçerli.", []),
    ("tr", "Merhaba, Bursa'dan arıyorum, Nilüfer ilçesinden.", []),
    ("en", "Great, thanks for your patience.", []),
    ("en", "Virgin Media and Sky were both cheaper.", []),
    ("en", "The Samsung Galaxy S23 is on offer.", []),
    ("en", "Monday or Tuesday works for me.", []),
    ("en", "Hope that helps, have a nice day.", []),
    ("en", "Will the engineer call first?", []),
    ("en", "My name is on the account already.", []),
    # Places and holidays that share a spelling with a given name.
    ("en", "The outage was on Christmas Eve.", []),
    ("en", "We've just moved to York from Leeds.", []),
]


@pytest.mark.parametrize(("lang", "text", "expected"), ROWS, ids=ids(ROWS))
def test_person(lang: str, text: str, expected: Expected) -> None:
    check(PersonRecognizer(), lang, text, expected)


@pytest.mark.parametrize("lang", ["tr", "en"])
def test_table_has_a_negative_row_for_each_positive(lang: str) -> None:
    positive, negative = balance([row for row in ROWS if row[0] == lang])
    assert 0 < positive <= negative
