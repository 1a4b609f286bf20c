"""Check digits and numbering plans: each validator accepts real values and rejects near misses."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from vault.redaction import checksums

# Published test card numbers (card schemes', payment processors' sandboxes).
CARDS = [
    ("4111111111111111", "visa"),
    ("4012888888881881", "visa"),
    ("4222222222222", "visa"),
    ("5555555555554444", "mastercard"),
    ("5105105105105100", "mastercard"),
    ("2223003122003222", "mastercard"),
    ("378282246310005", "amex"),
    ("371449635398431", "amex"),
    ("6011111111111117", "discover"),
    ("6011000990139424", "discover"),
    ("3530111333300000", "jcb"),
    ("3566002020360505", "jcb"),
    ("30569309025904", "diners"),
    ("38520000023237", "diners"),
    ("6200000000000005", "unionpay"),
    ("9792030394440796", "troy"),
    ("6759649826438453", "maestro"),
]

NOT_CARDS = [
    "4111111111111112",  # Luhn fails
    "5555555555554440",
    "378282246310006",
    "9792030394440797",
    "4111 1111 1111 1111",  # not digits only
    "",
    "0",
    "411111111111111",  # a Visa prefix with 15 digits
    "37828224631000",  # Amex with 14
    "5555555555554444000",  # Mastercard with 19
    "1234567812345670",  # Luhn holds, no scheme starts with 1
    "7992739871300000",  # no scheme starts with 7
    "0000000000000000",
    "6011 1111 1111 1117",
    "6011111111111",  # Discover with 13
    "4111111111111111111111",  # too long for anything
    "abcdefghijklmnop",
    "٤١١١١١١١١١١١١١١١",  # Arabic-Indic digits are not card digits
]


@pytest.mark.parametrize(("number", "brand"), CARDS)
def test_published_test_cards_pass(number: str, brand: str) -> None:
    assert checksums.luhn(number)
    assert checksums.card_brand(number) == brand
    assert checksums.is_card_number(number)


@pytest.mark.parametrize("number", NOT_CARDS)
def test_near_miss_card_numbers_fail(number: str) -> None:
    assert not checksums.is_card_number(number)


def test_there_are_as_many_near_misses_as_cards() -> None:
    assert len(NOT_CARDS) >= len(CARDS)


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        ("79927398713", True),
        ("0", False),
        ("00", True),
        ("18", True),
        ("79927398710", False),
        ("7992739871x", False),
        ("", False),
        ("12", False),
    ],
)
def test_luhn(digits: str, expected: bool) -> None:
    assert checksums.luhn(digits) is expected


def test_every_single_digit_change_breaks_luhn() -> None:
    number = "4111111111111111"
    for position in range(len(number)):
        for digit in "0123456789":
            if digit != number[position]:
                changed = number[:position] + digit + number[position + 1 :]
                assert not checksums.luhn(changed)


# --- T.C. kimlik ---------------------------------------------------------------------------


def make_tckn(rng: random.Random) -> str:
    """A valid T.C. kimlik number, by the rule as the population registry states it."""
    d = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
    odd, even = d[0] + d[2] + d[4] + d[6] + d[8], d[1] + d[3] + d[5] + d[7]
    d.append((odd * 7 - even) % 10)
    d.append(sum(d) % 10)
    return "".join(map(str, d))


VALID_TCKN = ["10000000146", "17291716060"] + [make_tckn(random.Random(s)) for s in range(40)]


@pytest.mark.parametrize("number", VALID_TCKN)
def test_valid_tckn_pass(number: str) -> None:
    assert checksums.tckn(number)


@pytest.mark.parametrize("number", VALID_TCKN)
def test_any_one_changed_digit_breaks_a_tckn(number: str) -> None:
    rng = random.Random(number)
    position = rng.randrange(11)
    digit = rng.choice([d for d in "0123456789" if d != number[position]])
    assert not checksums.tckn(number[:position] + digit + number[position + 1 :])


@pytest.mark.parametrize(
    "number",
    [
        "07291716092",  # starts with 0 (its check digits hold)
        "1729171606",
        "172917160600",
        "17291716050",
        "1729171606a",
        "",
    ],
)
def test_malformed_tckn_fail(number: str) -> None:
    assert not checksums.tckn(number)


# --- VKN -----------------------------------------------------------------------------------


def make_vkn(rng: random.Random) -> str:
    """A valid VKN, by the revenue administration's rule written the other way round: digit i
    (from the left, 0-based) is shifted by 9 - i and weighted by 2 ** (9 - i) modulo 9."""
    d = [rng.randint(0, 9) for _ in range(9)]
    total = 0
    for i, digit in enumerate(d):
        shifted = (digit + 9 - i) % 10
        weighted = (shifted * 2 ** (9 - i)) % 9
        total += 9 if shifted and not weighted else weighted
    return "".join(map(str, d)) + str((10 - total % 10) % 10)


VALID_VKN = ["4540536920"] + [make_vkn(random.Random(s)) for s in range(30)]


@pytest.mark.parametrize("number", VALID_VKN)
def test_valid_vkn_pass(number: str) -> None:
    assert checksums.vkn(number)


@pytest.mark.parametrize("number", VALID_VKN)
def test_a_wrong_check_digit_breaks_a_vkn(number: str) -> None:
    assert not checksums.vkn(number[:9] + str((int(number[9]) + 1) % 10))


@pytest.mark.parametrize("number", ["454053692", "45405369200", "454053692x", ""])
def test_malformed_vkn_fail(number: str) -> None:
    assert not checksums.vkn(number)


# --- IBAN ----------------------------------------------------------------------------------

# The examples of the IBAN registry and of ISO 13616, one per country.
IBANS = [
    "GB82 WEST 1234 5698 7654 32",
    "DE89 3704 0044 0532 0130 00",
    "FR14 2004 1010 0505 0001 3M02 606",
    "NL91 ABNA 0417 1643 00",
    "ES91 2100 0418 4502 0005 1332",
    "IT60 X054 2811 1010 0000 0123 456",
    "TR33 0006 1005 1978 6457 8413 26",
    "BE68 5390 0754 7034",
    "CH93 0076 2011 6238 5295 7",
    "NO93 8601 1117 947",
    "tr33-0006-1005-1978-6457-8413-26",
    "GB82WEST12345698765432",
]

NOT_IBANS = [
    "GB82 WEST 1234 5698 7654 33",  # one digit changed
    "GB28 WEST 1234 5698 7654 32",  # check digits swapped
    "DE89 3704 0044 0532 0130 01",
    "TR33 0006 1005 1978 6457 8413 2",  # one short for Turkey
    "TR33 0006 1005 1978 6457 8413 266",
    "NL91 ABNA 0417 1643 0",
    "FR14 2004 1010 0505 0001 3M02 60",
    "GB82 WEST 1234 5698 7654 3!",
    "8282 WEST 1234 5698 7654 32",  # no country
    "GB8 WEST 1234 5698 7654 32",
    "XX00 1234 5678 9012 3",
    "",
]


@pytest.mark.parametrize("text", IBANS)
def test_registry_example_ibans_pass(text: str) -> None:
    assert checksums.iban(text)


@pytest.mark.parametrize("text", NOT_IBANS)
def test_near_miss_ibans_fail(text: str) -> None:
    assert not checksums.iban(text)


def test_an_iban_of_a_country_not_in_the_table_needs_15_to_34_characters() -> None:
    body = "1234567890123"
    for check in range(100):
        candidate = f"ZZ{check:02d}{body}"
        if checksums.iban(candidate):
            break
    else:
        pytest.fail("no check digits made the IBAN valid")
    assert not checksums.iban(candidate[:-2])


# --- phone numbers -------------------------------------------------------------------------

Check = Callable[[str], bool]

PHONES: list[tuple[Check, str, bool]] = [
    (checksums.turkish_phone, "05324182790", True),
    (checksums.turkish_phone, "5324182790", True),
    (checksums.turkish_phone, "905324182790", True),
    (checksums.turkish_phone, "00905324182790", True),
    (checksums.turkish_phone, "02125551234", True),
    (checksums.turkish_phone, "03122345678", True),
    (checksums.turkish_phone, "4441234", True),
    (checksums.turkish_phone, "08502223344", True),
    (checksums.turkish_phone, "0532418279", False),  # one short
    (checksums.turkish_phone, "053241827901", False),  # one long
    (checksums.turkish_phone, "06324182790", False),  # no 6xx numbers
    (checksums.turkish_phone, "01234567890", False),  # no area code 123
    (checksums.turkish_phone, "02134567890", False),  # nor 213
    (checksums.turkish_phone, "4451234", False),
    (checksums.turkish_phone, "0532 418 27 90", False),
    (checksums.turkish_phone, "12345", False),
    (checksums.uk_phone, "07411586834", True),
    (checksums.uk_phone, "02079460000", True),
    (checksums.uk_phone, "447700900123", True),
    (checksums.uk_phone, "01632960001", True),
    (checksums.uk_phone, "07411", False),
    (checksums.uk_phone, "06123456789", False),
    (checksums.uk_phone, "074115868341", False),
    (checksums.uk_phone, "7411586834", False),  # no trunk 0 nor 44
    (checksums.us_phone, "2125551234", True),
    (checksums.us_phone, "12125551234", True),
    (checksums.us_phone, "4155552671", True),
    (checksums.us_phone, "1235551234", False),  # area code cannot start with 1
    (checksums.us_phone, "2115551234", False),  # N11 is a service code
    (checksums.us_phone, "2921234567", False),  # N9X area codes are reserved
    (checksums.us_phone, "2121111234", False),  # exchange cannot start with 1
    (checksums.us_phone, "212555123", False),
    (checksums.international_phone, "905324182790", True),
    (checksums.international_phone, "447700900123", True),
    (checksums.international_phone, "4915112345678", True),
    (checksums.international_phone, "33612345678", True),
    (checksums.international_phone, "0012125551234", True),
    (checksums.international_phone, "05324182790", False),  # national form, not E.164
    (checksums.international_phone, "999123456789", False),  # no such country code
    (checksums.international_phone, "3361234", False),
    (checksums.international_phone, "33012345678", False),  # national number starts with 0
    (checksums.international_phone, "1234567890123456", False),
    (checksums.international_phone, "906324182790", False),  # Turkey, but no 6xx numbers
    (checksums.us_ssn, "177783636", True),
    (checksums.us_ssn, "000123456", False),
    (checksums.us_ssn, "666123456", False),
    (checksums.us_ssn, "912345678", False),
    (checksums.us_ssn, "123001234", False),
    (checksums.us_ssn, "123450000", False),
]


def test_the_phone_table_has_no_fewer_negatives_than_positives() -> None:
    positives = sum(expected for _c, _n, expected in PHONES)
    assert len(PHONES) - positives >= positives


@pytest.mark.parametrize(("check", "number", "expected"), PHONES)
def test_numbering_plans(check: Check, number: str, expected: bool) -> None:
    assert check(number) is expected
