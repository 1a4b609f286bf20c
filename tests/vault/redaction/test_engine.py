"""The whole engine: one entity per overlapping group, tags put in from the end to the start,
the language guessed when none is given, the call's known values found wherever they are said,
hostile input answered in bounded time, and no transcript text in errors, reprs or logs."""

from __future__ import annotations

import itertools
import logging

import pytest

from vault.redaction import base, checksums, document
from vault.redaction.document import Document
from vault.redaction.engine import Redaction, Redactor, guess_language, replace
from vault.redaction.recognizers.generic import context, known, person
from vault.redaction.recognizers.tr import address
from vault.redaction.types import EntityType, Finding, Known

E = EntityType
CARD = "5324 1827 9012 3453"
"""A Mastercard number (Luhn holds) whose first ten digits are a Turkish mobile number."""


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor()


def spans(text: str, findings: tuple[Finding, ...] | list[Finding]) -> list[tuple[str, str]]:
    return [(f.entity_type.value, text[f.start : f.end]) for f in findings]


# --- one overlap policy ---------------------------------------------------------------------


def test_the_card_number_fits_a_phone_plan_too() -> None:
    digits = CARD.replace(" ", "")
    assert checksums.is_card_number(digits)
    assert checksums.turkish_phone(digits[:10])


SPOKEN_CARD = "beş üç iki dört, bir sekiz iki yedi, dokuz sıfır bir iki, üç dört beş üç"


@pytest.mark.parametrize(
    ("text", "lang", "known_values", "card"),
    [
        # The known phone number's digits lie inside the card number.
        (f"Kart numaram {CARD}, son kullanma 08/27.", "tr", Known(phone="0532 418 27 90"), CARD),
        # A phone cue ("numaradan arayabilirsiniz") right before it.
        (
            f"Beni bu numaradan arayabilirsiniz: {SPOKEN_CARD}.",
            "tr",
            Known(),
            SPOKEN_CARD,
        ),
        (f"My phone number? Sorry, that's my card: {CARD}.", "en", Known(), CARD),
    ],
    ids=["known phone inside", "phone cue before", "english"],
)
def test_a_card_number_that_also_fits_a_phone_plan_is_one_card_entity(
    redactor: Redactor, text: str, lang: str, known_values: Known, card: str
) -> None:
    findings = redactor.analyze(text, lang=lang, known=known_values)
    start = text.index(card)
    covering = [f for f in findings if f.start < start + len(card) and start < f.end]
    assert spans(text, covering) == [("CARD_NUMBER", card)]


def test_findings_come_in_text_order_and_never_overlap(redactor: Redactor) -> None:
    text = (
        "Merhaba, ben Ayşe Yılmaz. Kart numaram 4916 3385 0608 2832, son kullanma 08/27, "
        "güvenlik kodu yedi bir dört. Cep numaram 0532 418 27 90, e-postam "
        "ayse.yilmaz@ornek.com.tr, adresim Lale Sokak No 9 Bornova İzmir."
    )
    findings = redactor.analyze(text, lang="tr", known=Known(name="Ayşe Yılmaz"))
    assert len(findings) >= 7
    for before, after in itertools.pairwise(findings):
        assert before.end <= after.start


# --- replacement, end to start --------------------------------------------------------------


def test_tags_replace_each_entity_from_the_end_to_the_start(redactor: Redactor) -> None:
    text = (
        "Merhaba, ben Ayşe Yılmaz. Kartım 4916 3385 0608 2832, son kullanma 08/27, "
        "e-postam ayse.yilmaz@ornek.com.tr."
    )
    result = redactor.redact(text, lang="tr")
    assert result.text == (
        "Merhaba, ben [PERSON]. Kartım [CARD_NUMBER], son kullanma [CARD_EXPIRY], "
        "e-postam [EMAIL_ADDRESS]."
    )
    # The findings' offsets index the input, not the redacted text.
    assert spans(text, result.findings) == [
        ("PERSON", "Ayşe Yılmaz"),
        ("CARD_NUMBER", "4916 3385 0608 2832"),
        ("CARD_EXPIRY", "08/27"),
        ("EMAIL_ADDRESS", "ayse.yilmaz@ornek.com.tr"),
    ]


def test_replace_works_from_the_end_whatever_order_the_findings_come_in() -> None:
    text = "ab 12345 cd ef"
    findings = [
        Finding(9, 11, E.PERSON, 0.9, "test"),  # "cd": its tag is longer than it
        Finding(3, 8, E.CUSTOMER_ID, 0.9, "test"),
        Finding(12, 14, E.PERSON, 0.9, "test"),
    ]
    assert replace(text, findings) == "ab [CUSTOMER_ID] [PERSON] [PERSON]"
    assert replace(text, []) == text


# --- language -------------------------------------------------------------------------------

LANGUAGES = [
    ("Merhaba, faturam hakkında arıyorum.", "tr"),
    ("numaram sifir bes uc iki dort bir sekiz iki yedi dokuz sifir", "tr"),  # no Turkish letter
    ("Evet, kart numaram dört dokuz bir altı.", "tr"),
    ("Hi, I'm calling about my bill.", "en"),
    ("Yes, the card is four nine one six, three three eight five.", "en"),
    # An English call stays English when someone in it has a Turkish name.
    ("Morning, you have reached the billing team, this is Gökhan, what can I do for you?", "en"),
    ("Hello, Şükrü Öztürk here, I'm ringing about a late fee.", "en"),
]


@pytest.mark.parametrize(
    ("text", "lang"),
    LANGUAGES,
    ids=[
        "tr letters",
        "tr without Turkish letters",
        "tr number words",
        "en",
        "en number words",
        "en with a Turkish agent's name",
        "en with a Turkish customer's name",
    ],
)
def test_guess_language(text: str, lang: str) -> None:
    assert guess_language(text) == lang


@pytest.mark.parametrize("lang", [None, "auto", "de"])
def test_without_a_known_language_it_is_guessed(redactor: Redactor, lang: str | None) -> None:
    text = "numaram sifir bes uc iki dort bir sekiz iki yedi dokuz sifir, tesekkurler"
    result = redactor.redact(text, lang=lang)
    assert result.text == "numaram [PHONE_NUMBER], tesekkurler"


def test_an_english_call_with_a_turkish_name_still_reads_english_numbers(
    redactor: Redactor,
) -> None:
    text = (
        "Hi, this is Gülşen Çelik. My card number is four nine one six, three three eight "
        "five, zero six zero eight, two eight three two."
    )
    assert "[CARD_NUMBER]" in redactor.redact(text, lang="en").text
    assert "[CARD_NUMBER]" in redactor.redact(text).text, (
        "with lang=None the Turkish letters of one name made the call Turkish, and the card "
        "number said in English words was left in"
    )


# --- the call's known values ----------------------------------------------------------------

AYSE = Known(name="Ayşe Yılmaz", phone="0532 418 27 90")
# A Turkish case ending after the apostrophe is no personal data: the tag goes before it.


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (
            "YILMAZ'IN hattından arıyorum, numarası sıfır beş yüz otuz iki, dört yüz on sekiz, "
            "yirmi yedi, doksan.",
            "[PERSON]'IN hattından arıyorum, numarası [PHONE_NUMBER].",
        ),
        (
            "Hattı yılmaz soyadıyla açtık, Ayşe'ye de haber verdik.",
            "Hattı [PERSON] soyadıyla açtık, [PERSON]'ye de haber verdik.",
        ),
        (
            "Ayşe Yılmaz'a ulaşmak için beş üç iki, dört bir sekiz, iki yedi, dokuz sıfır.",
            "[PERSON]'a ulaşmak için [PHONE_NUMBER].",
        ),
        ("AYSE YILMAZ adına kayıtlı.", "[PERSON] adına kayıtlı."),
    ],
)
def test_known_values_are_found_wherever_they_are_said(
    redactor: Redactor, text: str, redacted: str
) -> None:
    assert redactor.redact(text, lang="tr", known=AYSE).text == redacted


def test_a_known_phone_read_as_digit_words_without_any_cue(redactor: Redactor) -> None:
    text = "Yes, it's oh seven seven double oh, nine double oh, one two three."
    result = redactor.redact(text, lang="en", known=Known(phone="07700 900123"))
    assert result.text == "Yes, it's [PHONE_NUMBER]."


# --- hostile input --------------------------------------------------------------------------

HOSTILE = {
    "a@ repeated": "a@" * 100_000,
    "digits and spaces": "4 " * 100_000,
    "digit words": "dört " * 40_000,
    "a. repeated": "a." * 100_000,
    # A speech recogniser stuck in a loop over hold music writes the same word for minutes.
    "'Evet.' loop": "Evet. " * 34_000,
}


@pytest.mark.parametrize("text", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_input_of_200_kb_is_answered(redactor: Redactor, text: str) -> None:
    assert len(text) >= 200_000
    result = redactor.redact(text)
    assert isinstance(result, Redaction)


# --- no personal data in errors, reprs or logs ----------------------------------------------

SECRETS = ("4916 3385 0608 2832", "4916338506082832", "Ayşe Yılmaz", "0532 418 27 90")
SECRET_TEXT = (
    "Merhaba, ben Ayşe Yılmaz. Kart numaram 4916 3385 0608 2832, cep numaram 0532 418 27 90."
)


def _leaks(rendered: str) -> list[str]:
    return [secret for secret in SECRETS if secret in rendered]


def test_findings_and_known_values_never_show_the_text(redactor: Redactor) -> None:
    known_values = Known(name="Ayşe Yılmaz", phone="0532 418 27 90")
    result = redactor.redact(SECRET_TEXT, lang="tr", known=known_values)
    assert {f.entity_type for f in result.findings} >= {E.PERSON, E.CARD_NUMBER, E.PHONE_NUMBER}
    assert _leaks(repr(result.findings)) == []
    assert _leaks(repr(known_values)) == []


def test_the_document_repr_never_shows_the_transcript() -> None:
    doc = Document(text=SECRET_TEXT, lang="tr", known=Known(name="Ayşe Yılmaz"))
    assert _leaks(repr(doc)) == [], (
        "Document is a plain dataclass: its repr (in tracebacks with locals, debuggers, "
        "error reporters) is the whole transcript"
    )


def test_a_regex_timeout_names_no_matched_text(
    redactor: Redactor, monkeypatch: pytest.MonkeyPatch
) -> None:
    for module in (document, base, known, context, person, address):
        monkeypatch.setattr(module, "TIMEOUT", 1e-9, raising=False)
    text = SECRET_TEXT * 2000
    try:
        result = redactor.redact(text, lang="tr", known=Known(name="Ayşe Yılmaz"))
    except Exception as error:
        rendered = f"{error}{error!r}{getattr(error, '__notes__', '')}{error.__cause__!r}"
        assert _leaks(rendered) == []
    else:
        assert _leaks(repr(result.findings)) == []


def test_the_engine_logs_no_transcript_text(
    redactor: Redactor, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        redactor.redact(SECRET_TEXT, known=Known(name="Ayşe Yılmaz"))
    assert _leaks(caplog.text) == []
