"""Redacting a timed transcript: tags in the text and words, padded times, speakers, PCI scrub."""

from __future__ import annotations

from models.schemas import Segment, Speaker, Transcript, Word
from vault.redaction.engine import Redactor
from vault.redaction.transcript import card_spans, layout, redact, scrub_raw
from vault.redaction.types import PAYMENT_CARD, Known

REDACTOR = Redactor()


def segment(text: str, start: float, speaker: Speaker, step: float = 0.4) -> Segment:
    words = [
        Word(
            word=w,
            start=round(start + i * step, 3),
            end=round(start + i * step + 0.3, 3),
            probability=0.9,
        )
        for i, w in enumerate(text.split())
    ]
    return Segment(start=start, end=words[-1].end, speaker=speaker, text=text, words=words)


def call(*segments: Segment) -> Transcript:
    return Transcript(
        language="en",
        duration=30.0,
        text=" ".join(s.text for s in segments),
        segments=list(segments),
    )


AGENT = segment("Could I take the long number on your card please?", 0.0, Speaker.AGENT)
CUSTOMER = segment("Sure, it's 4532 0151 1283 0366 and my name is Jane Doe.", 5.0, Speaker.CUSTOMER)


def test_the_layout_keeps_words_apart_and_knows_where_each_is() -> None:
    placed = layout(call(AGENT, CUSTOMER))
    assert placed.text == AGENT.text + " " + CUSTOMER.text
    first = placed.words[0]
    assert placed.text[first.start : first.end] == "Could"
    assert [t.speaker for t in placed.turns] == ["agent", "customer"]


def test_tags_replace_words_and_times_are_padded() -> None:
    redacted, _ = redact(call(AGENT, CUSTOMER), redactor=REDACTOR, pad=0.25)
    text = redacted.text
    assert "4532" not in text
    assert "Jane" not in text
    assert "[CARD_NUMBER]" in text
    assert "[PERSON]" in text
    words = [w.word for s in redacted.segments for w in s.words]
    assert "0366" not in words
    assert "[CARD_NUMBER]" in words
    card = next(e for e in redacted.entities if e.type == "CARD_NUMBER")
    number_words = CUSTOMER.words[2:6]
    assert card.start_time == round(number_words[0].start - 0.25, 3)
    assert card.end_time == round(number_words[-1].end + 0.25, 3)
    assert card.speaker is Speaker.CUSTOMER


def test_known_values_are_found_without_a_cue() -> None:
    said = segment("Thanks Doe, that is all for today.", 0.0, Speaker.AGENT)
    redacted, _ = redact(call(said), redactor=REDACTOR, known=Known(name="Jane Doe"))
    assert "Doe" not in redacted.text


def test_pci_scrub_removes_card_data_only() -> None:
    transcript = call(AGENT, CUSTOMER)
    _, timed = redact(transcript, redactor=REDACTOR)
    scrubbed = scrub_raw(transcript, timed, PAYMENT_CARD)
    assert "4532" not in scrubbed.text
    assert "Jane Doe" in scrubbed.text  # the raw transcript keeps what PCI does not forbid
    assert card_spans(timed)


def test_a_transcript_without_personal_data_is_unchanged() -> None:
    plain = segment("The router restarts every evening around nine.", 0.0, Speaker.MIXED)
    redacted, timed = redact(call(plain), redactor=REDACTOR)
    assert redacted.text == plain.text
    assert timed == []
    assert redacted.entities == []
