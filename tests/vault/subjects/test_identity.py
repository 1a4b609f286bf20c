"""Normalising identifiers before blind indexing: equal people must index equally."""

from __future__ import annotations

import pytest

from vault.subjects.identity import (
    blind_index,
    normalise_customer_id,
    normalise_email,
    normalise_phone,
)

MOBILE = "905324182790"

PHONES: list[tuple[str, str]] = [
    # One Turkish mobile number, written every way a caller or a CRM writes it.
    ("0532 418 27 90", MOBILE),
    ("05324182790", MOBILE),
    ("(0532) 418-27-90", MOBILE),
    ("0532.418.27.90", MOBILE),
    ("532 418 27 90", MOBILE),
    ("5324182790", MOBILE),
    ("+90 532 418 27 90", MOBILE),
    ("+905324182790", MOBILE),
    ("90 532 418 2790", MOBILE),
    ("0090 532 418 27 90", MOBILE),
    ("00905324182790", MOBILE),
    # A Turkish landline, national and international.
    ("0212 555 12 34", "902125551234"),
    ("+90 212 555 12 34", "902125551234"),
    # Other countries: digits only, left as they are.
    ("+44 20 7946 0958", "442079460958"),
    ("0044 20 7946 0958", "442079460958"),
    ("+1 (415) 555-0100", "14155550100"),
    ("+49 30 1234567", "49301234567"),
    ("030 1234567", "0301234567"),  # a German national number: not 11 digits, not Turkish
    ("212 555 1234", "2125551234"),  # ten digits not starting with 5: not a Turkish mobile
    ("4155550100", "4155550100"),
    ("112", "112"),
    ("", ""),
]


@pytest.mark.parametrize(("phone", "expected"), PHONES, ids=[p or "empty" for p, _ in PHONES])
def test_normalise_phone(phone: str, expected: str) -> None:
    assert normalise_phone(phone) == expected


def test_normalising_a_phone_twice_changes_nothing() -> None:
    for phone, expected in PHONES:
        assert normalise_phone(expected) == expected, phone


EMAILS: list[tuple[str, str]] = [
    ("ahmet.yilmaz@example.com.tr", "ahmet.yilmaz@example.com.tr"),
    ("Ahmet.Yilmaz@Example.COM.TR", "ahmet.yilmaz@example.com.tr"),
    ("  ahmet.yilmaz@example.com.tr \n", "ahmet.yilmaz@example.com.tr"),
    ("STRASSE@example.de", "strasse@example.de"),
    ("Straße@example.de", "strasse@example.de"),  # casefold, not lower
    ("e\u0301mile@example.fr", "\u00e9mile@example.fr"),  # NFC
    ("\u00c9MILE@example.fr", "\u00e9mile@example.fr"),
]


@pytest.mark.parametrize(("email", "expected"), EMAILS)
def test_normalise_email(email: str, expected: str) -> None:
    assert normalise_email(email) == expected


EMAIL_DIFFERENT: list[tuple[str, str]] = [
    ("ahmet.yilmaz@example.com", "ahmetyilmaz@example.com"),  # dots are the provider's business
    ("ahmet+calls@example.com", "ahmet@example.com"),
    ("ahmet@example.com", "ahmet@example.com.tr"),
]


@pytest.mark.parametrize(("one", "other"), EMAIL_DIFFERENT)
def test_distinct_emails_stay_distinct(one: str, other: str) -> None:
    assert normalise_email(one) != normalise_email(other)


CUSTOMER_IDS: list[tuple[str, str]] = [
    ("CUST-884120", "CUST-884120"),
    ("  CUST-884120\t", "CUST-884120"),
    ("cust-884120", "cust-884120"),  # ids are case-sensitive: kept as given
    ("A\u0301-1", "\u00c1-1"),
]


@pytest.mark.parametrize(("value", "expected"), CUSTOMER_IDS)
def test_normalise_customer_id(value: str, expected: str) -> None:
    assert normalise_customer_id(value) == expected


KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


def test_blind_index_is_stable_and_opaque() -> None:
    index = blind_index(KEY, kind="phone", value=MOBILE)
    assert index == blind_index(KEY, kind="phone", value=MOBILE)
    assert len(index) == 64
    assert int(index, 16) >= 0
    assert MOBILE not in index


def test_both_forms_of_a_phone_number_index_alike() -> None:
    national = blind_index(KEY, kind="phone", value=normalise_phone("0532 418 27 90"))
    international = blind_index(KEY, kind="phone", value=normalise_phone("+90 532 418 2790"))
    assert national == international


DIFFERS: list[tuple[str, tuple[bytes, str, str], tuple[bytes, str, str]]] = [
    ("another key", (KEY, "phone", MOBILE), (OTHER_KEY, "phone", MOBILE)),
    ("another kind", (KEY, "phone", MOBILE), (KEY, "customer_id", MOBILE)),
    ("another value", (KEY, "phone", MOBILE), (KEY, "phone", MOBILE[:-1] + "1")),
    ("kind and value run together", (KEY, "email", "x"), (KEY, "emai", "lx")),
    ("empty key", (KEY, "phone", MOBILE), (b"", "phone", MOBILE)),
]


@pytest.mark.parametrize(
    ("one", "other"), [(a, b) for _, a, b in DIFFERS], ids=[n for n, _, _ in DIFFERS]
)
def test_blind_index_differs(one: tuple[bytes, str, str], other: tuple[bytes, str, str]) -> None:
    assert blind_index(one[0], kind=one[1], value=one[2]) != blind_index(
        other[0], kind=other[1], value=other[2]
    )
