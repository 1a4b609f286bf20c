"""Results never hold personal data: only redacted transcripts are indexed or shown."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from models.schemas import Segment, Speaker, Transcript
from tests.vault.search.helpers import add_recording, find, indexed
from vault.db import transaction
from vault.redaction.engine import Redactor
from vault.redaction.transcript import redact
from vault.redaction.types import Known
from vault.search import service

A, C = Speaker.AGENT, Speaker.CUSTOMER

RAW = [
    (A, "Octopus, ben Mehmet, nasıl yardımcı olabilirim?"),
    (C, "Adım Ayşe Yılmaz, telefonum 0532 123 45 67, aboneliğimi iptal etmek istiyorum."),
    (C, "Kart numaram 4111 1111 1111 1111, e-posta adresim ayse.yilmaz@example.com."),
    (C, "İade için IBAN TR33 0006 1005 1978 6457 8413 26, T.C. kimlik numaram 10000000146."),
]
REDACTED = [
    (A, "Octopus, ben [PERSON], nasıl yardımcı olabilirim?"),
    (C, "Adım [PERSON], telefonum [PHONE_NUMBER], aboneliğimi iptal etmek istiyorum."),
    (C, "Kart numaram [CARD_NUMBER], e-posta adresim [EMAIL_ADDRESS]."),
    (C, "İade için IBAN [IBAN], T.C. kimlik numaram [NATIONAL_ID]."),
]
PERSONAL = [
    "Mehmet",
    "Ayşe",
    "Yılmaz",
    "ayse yilmaz",
    '"Ayşe Yılmaz"',
    "0532",
    "05321234567",
    '"0532 123 45 67"',
    "4111",
    "4111111111111111",
    '"4111 1111 1111 1111"',
    "ayse.yilmaz@example.com",
    "example",
    "TR33",
    "TR330006100519786457841326",
    "10000000146",
    "Ayş*",
    "411*",
    "Mehmet OR Ayşe OR 4111 OR example OR TR33",
]
VALUES = ["Mehmet", "Ayşe", "Yılmaz", "0532", "123 45 67", "4111", "example", "TR33", "10000000146"]


def assert_nothing_personal(factory: sessionmaker[Session]) -> None:
    for query in PERSONAL:
        assert find(factory, query).items == [], query
    page = find(factory, "iptal OR kart OR iade OR octopus")
    assert page.items
    body = page.model_dump_json()
    for value in VALUES:
        assert value not in body


def test_a_tags_only_transcript_gives_nothing_personal(
    session_factory: sessionmaker[Session],
) -> None:
    indexed(session_factory, REDACTED)
    assert_nothing_personal(session_factory)
    (hit,) = find(session_factory, "kart", entity_types=["CARD_NUMBER", "IBAN"]).items
    assert hit.entity_types == [
        "CARD_NUMBER",
        "EMAIL_ADDRESS",
        "IBAN",
        "NATIONAL_ID",
        "PERSON",
        "PHONE_NUMBER",
    ]


def test_the_redaction_pipeline_feeds_nothing_personal(
    session_factory: sessionmaker[Session],
) -> None:
    segments = [
        Segment(start=5.0 * i, end=5.0 * (i + 1), speaker=s, text=t, words=[])
        for i, (s, t) in enumerate(RAW)
    ]
    raw = Transcript(
        language="tr",
        duration=20.0,
        text=" ".join(t for _, t in RAW),
        segments=segments,
    )
    redacted, _ = redact(
        raw,
        redactor=Redactor(),
        known=Known(name="Ayşe Yılmaz", phone="+90 532 123 45 67", email="ayse.yilmaz@example.com"),
    )
    recording = add_recording(session_factory)
    with transaction(session_factory) as session:
        service.index_recording(session, recording=recording, transcript=redacted)
    assert_nothing_personal(session_factory)


def test_a_raw_transcript_is_refused(session_factory: sessionmaker[Session]) -> None:
    recording = add_recording(session_factory)
    raw = Transcript(language="tr", duration=1.0, text="x", segments=[])
    with transaction(session_factory) as session, pytest.raises(TypeError):
        service.index_recording(session, recording=recording, transcript=raw)  # type: ignore[arg-type]
