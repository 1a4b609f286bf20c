"""Turkish addresses: mahalle, cadde, sokak, bulvar, site with their names, door and flat
numbers, districts and provinces; an address ends where it does, not at the end of the
sentence; ordinary words ("sokakta", "yolu", "site yönetimi") open none."""

from __future__ import annotations

import pytest

from tests.vault.redaction.recognizers._rows import Expected, Row, balance, check, ids
from vault.redaction.recognizers.tr.address import TurkishAddressRecognizer
from vault.redaction.types import EntityType

ADDRESS = EntityType.ADDRESS

ROWS: list[Row] = [
    (
        "tr",
        "Adresim Kazım Karabekir Caddesi No 23 Daire 5 Yenimahalle Ankara.",
        [(ADDRESS, "Kazım Karabekir Caddesi No 23 Daire 5 Yenimahalle Ankara")],
    ),
    (
        "tr",
        "Tamam, Gazi Osman Paşa Mahallesi Lale Sokak numara 9, Bornova İzmir.",
        [(ADDRESS, "Gazi Osman Paşa Mahallesi Lale Sokak numara 9, Bornova İzmir")],
    ),
    (
        "tr",
        "Kargo adresim İnönü Bulvarı 112 Kat 4 Muratpaşa Antalya.",
        [(ADDRESS, "İnönü Bulvarı 112 Kat 4 Muratpaşa Antalya")],
    ),
    (
        "tr",
        "Esentepe Mah. Büyükdere Cad. No 193 Şişli.",
        [(ADDRESS, "Esentepe Mah. Büyükdere Cad. No 193 Şişli")],
    ),
    (
        "tr",
        "Fatih Sultan Mehmet Caddesi numara 18 Ümraniye İstanbul'a taşındık.",
        [(ADDRESS, "Fatih Sultan Mehmet Caddesi numara 18 Ümraniye İstanbul")],
    ),
    # The address stops at its last name or number: the verb after it is not part of it…
    (
        "tr",
        "Teslimat adresi Atatürk Cad. No: 45/2 Konak/İzmir olsun.",
        [(ADDRESS, "Atatürk Cad. No: 45/2 Konak/İzmir")],
    ),
    # …nor is the sentence's first word before it…
    (
        "tr",
        "Modemi Yıldız Sitesi B Blok Daire 12'ye bırakın.",
        [(ADDRESS, "Yıldız Sitesi B Blok Daire 12")],
    ),
    # …and a numbered street ("1203. Sokak") does not end it.
    (
        "tr",
        "Evet, Bahçelievler Mahallesi 1203. Sokak No 4 Karşıyaka.",
        [(ADDRESS, "Bahçelievler Mahallesi 1203. Sokak No 4 Karşıyaka")],
    ),
    ("tr", "Paketiniz 299 lira, 3 iş günü içinde teslim edilir.", []),
    ("tr", "Mahallede başka kimsenin internetinde sorun var mı?", []),
    ("tr", "Sokakta kazı var, kablo kopmuş olabilir.", []),
    ("tr", "Caddeye bakan odada modem çekmiyor.", []),
    ("tr", "Ankara şubemize ya da İzmir bölge müdürlüğüne başvurun.", []),
    ("tr", "Site yönetimi kablo çekilmesine izin vermedi.", []),
    ("tr", "Apartman görevlisi kapıyı açacak.", []),
    ("tr", "Octopus Fiber 100 paketi ayda 399 lira.", []),
    ("tr", "Kampanya 12 Eylül'e kadar geçerli.", []),
    ("tr", "Teknisyen yolu bulamamış, sokak tabelası yok.", []),
]


@pytest.mark.parametrize(("lang", "text", "expected"), ROWS, ids=ids(ROWS))
def test_turkish_address(lang: str, text: str, expected: Expected) -> None:
    check(TurkishAddressRecognizer(), lang, text, expected)


def test_runs_on_turkish_calls_only() -> None:
    recognizer = TurkishAddressRecognizer()
    assert recognizer.supports("tr")
    assert not recognizer.supports("en")


def test_table_has_a_negative_row_for_each_positive() -> None:
    positive, negative = balance(ROWS)
    assert 0 < positive <= negative
