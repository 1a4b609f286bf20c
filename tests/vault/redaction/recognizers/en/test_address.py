"""English addresses: house number, street name and kind, flat, town, UK postcode or US state
and ZIP; an address ends with its sentence; numbers before capitalised words are no address."""

from __future__ import annotations

import pytest

from tests.vault.redaction.recognizers._rows import Expected, Row, balance, check, ids
from vault.redaction.recognizers.en.address import EnglishAddressRecognizer
from vault.redaction.types import EntityType

ADDRESS = EntityType.ADDRESS

ROWS: list[Row] = [
    (
        "en",
        "Please send it to 42 Maple Avenue, Bristol BS8 1QU.",
        [(ADDRESS, "42 Maple Avenue, Bristol BS8 1QU")],
    ),
    (
        "en",
        "I live at Flat 3, 17 Kingsley Road, Leeds LS6 2AB.",
        [(ADDRESS, "Flat 3, 17 Kingsley Road, Leeds LS6 2AB")],
    ),
    ("en", "It's 9 Rosemary Close, Harrogate.", [(ADDRESS, "9 Rosemary Close, Harrogate")]),
    ("en", "Postcode is M14 5RT.", [(ADDRESS, "M14 5RT")]),
    (
        "en",
        "Deliver to 12 Station Road Cardiff CF10 1EP tomorrow.",
        [(ADDRESS, "12 Station Road Cardiff CF10 1EP")],
    ),
    # The state's letters are not a town: the ZIP code stays in the address.
    (
        "en",
        "The new address is 1600 Elm Street, Springfield IL 62704.",
        [(ADDRESS, "1600 Elm Street, Springfield IL 62704")],
    ),
    # The next sentence's first word is not a town.
    ("en", "It's 14 Mill Lane. Sorry, is that with two Ls?", [(ADDRESS, "14 Mill Lane")]),
    ("en", "That's £24.99 a month for 50 GB.", []),
    ("en", "I waited 3 hours on the street for the engineer.", []),
    ("en", "We offer 12 months free on the Park plan.", []),
    ("en", "The engineer arrives between 8 and 12 on Tuesday.", []),
    ("en", "Call 0800 123 4567 about your Premium Road Safety add-on.", []),
    ("en", "Our London office on Oxford Street is closed.", []),
    ("en", "Use code SAVE10 at checkout.", []),
    ("en", "The router is 2 Years Old now.", []),
    ("en", "We had 5 Great Days of service before it dropped.", []),
]


@pytest.mark.parametrize(("lang", "text", "expected"), ROWS, ids=ids(ROWS))
def test_english_address(lang: str, text: str, expected: Expected) -> None:
    check(EnglishAddressRecognizer(), lang, text, expected)


def test_table_has_a_negative_row_for_each_positive() -> None:
    positive, negative = balance(ROWS)
    assert 0 < positive <= negative
