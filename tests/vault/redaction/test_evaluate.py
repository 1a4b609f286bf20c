"""The scores of ``shared/eval/README.md`` on hand-made transcripts, against a recognizer that
says exactly what each test tells it to:

- strict recall: an entity counts only if every letter and digit in it lies inside some
  predicted span; overall, per type and for the non-PERSON types; the predicted type does not
  matter;
- precision: of the letters and digits inside predicted spans, the share inside a labelled
  entity (of any type), over all transcripts together.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from vault.redaction.base import Recognizer
from vault.redaction.document import Document
from vault.redaction.engine import Redactor
from vault.redaction.evaluate import Example, Report, load, score
from vault.redaction.types import EntityType, Finding, Known

E = EntityType
Said = list[tuple[EntityType, str]]


class Scripted(Recognizer):
    """Predicts, for each known transcript, the given (type, substring) spans."""

    name = "scripted"
    entities: ClassVar[tuple[EntityType, ...]] = tuple(EntityType)

    def __init__(self, predictions: dict[str, Said]) -> None:
        self.predictions = predictions

    def analyze(self, doc: Document) -> Iterator[Finding]:
        for entity, value in self.predictions.get(doc.text, []):
            start = doc.text.index(value)
            yield Finding(start, start + len(value), entity, 1.0, self.name)


def example(text: str, labels: Said, lang: str = "tr") -> Example:
    entities = []
    for entity, value in labels:
        start = text.index(value)
        entities.append((entity.value, start, start + len(value)))
    return Example(
        id=f"x{len(text)}", text=text, lang=lang, entities=tuple(entities), known=Known()
    )


def run(*cases: tuple[str, Said, Said]) -> Report:
    """Score ``(text, labels, predictions)`` cases."""
    predictions = {text: predicted for text, _labels, predicted in cases}
    examples = [example(text, labels) for text, labels, _predicted in cases]
    return score(examples, Redactor([Scripted(predictions)]))


CARD_TEXT = "Kartım 4916 3385 0608 2832, son kullanma 08/27."
CARD = (E.CARD_NUMBER, "4916 3385 0608 2832")


# --- strict recall ---------------------------------------------------------------------------


def test_a_card_with_its_last_four_digits_visible_is_a_miss() -> None:
    report = run((CARD_TEXT, [CARD], [(E.CARD_NUMBER, "4916 3385 0608")]))
    assert report.recall() == 0.0
    assert report.recall([E.CARD_NUMBER.value]) == 0.0


def test_one_visible_digit_is_a_miss() -> None:
    report = run((CARD_TEXT, [CARD], [(E.CARD_NUMBER, "4916 3385 0608 283")]))
    assert report.recall() == 0.0


def test_spaces_and_punctuation_left_outside_do_not_make_a_miss() -> None:
    text = "Numaram 0532 418 27 90, teşekkürler."
    pieces: Said = [(E.PHONE_NUMBER, v) for v in ("0532", "418", "27", "90")]
    report = run((text, [(E.PHONE_NUMBER, "0532 418 27 90, ")], pieces))
    assert report.recall() == 1.0


def test_an_entity_covered_by_several_spans_together_is_found() -> None:
    text = "Kod bir iki üç dört, tamam."
    report = run(
        (
            text,
            [(E.VERIFICATION_CODE, "bir iki üç dört")],
            [(E.VERIFICATION_CODE, "bir iki"), (E.PERSON, "üç dört")],
        )
    )
    assert report.recall() == 1.0


def test_the_predicted_type_does_not_change_recall() -> None:
    report = run((CARD_TEXT, [CARD], [(E.PHONE_NUMBER, "4916 3385 0608 2832")]))
    assert report.recall() == 1.0
    assert report.recall([E.CARD_NUMBER.value]) == 1.0


def test_recall_overall_per_type_and_without_person() -> None:
    report = run(
        (CARD_TEXT, [CARD, (E.CARD_EXPIRY, "08/27")], [(E.CARD_EXPIRY, "08/27")]),
        ("Ben Ayşe Kaya.", [(E.PERSON, "Ayşe Kaya")], []),
        ("Ben Elif Şahin.", [(E.PERSON, "Elif Şahin")], [(E.PERSON, "Elif Şahin")]),
        ("Numaram 0532 418 27 90.", [(E.PHONE_NUMBER, "0532 418 27 90")], [(E.PERSON, "0532")]),
    )
    # 5 entities, 2 found: the expiry and Elif Şahin.
    assert report.recall() == pytest.approx(2 / 5)
    # Without PERSON: card (missed), expiry (found), phone (missed).
    assert report.recall([k for k in report.total if k != "PERSON"]) == pytest.approx(1 / 3)
    assert report.recall(["PERSON"]) == pytest.approx(1 / 2)
    assert report.recall(["CARD_NUMBER"]) == 0.0
    assert report.recall(["CARD_EXPIRY"]) == 1.0
    assert dict(report.total) == {
        "CARD_NUMBER": 1,
        "CARD_EXPIRY": 1,
        "PERSON": 2,
        "PHONE_NUMBER": 1,
    }


# --- precision -------------------------------------------------------------------------------


def test_precision_counts_letters_and_digits_only() -> None:
    text = "Kartım 4916 3385 0608 2832, 299 lira çekildi."
    report = run(
        (
            text,
            [CARD],
            [(E.CARD_NUMBER, "4916 3385 0608 2832, "), (E.CARD_NUMBER, "299 lira")],
        )
    )
    # 16 digits inside the card; "299 lira" is 7 letters and digits outside any label.
    assert report.predicted_chars == 23
    assert report.correct_chars == 16
    assert report.precision == pytest.approx(16 / 23)


def test_turkish_letters_are_letters() -> None:
    report = run(("Şükrü Bey aradı.", [], [(E.PERSON, "Şükrü")]))
    assert report.predicted_chars == 5
    assert report.precision == 0.0


def test_characters_of_an_entity_of_another_type_are_correct() -> None:
    text = "Ben Elif Şahin, kartım 4916 3385 0608 2832."
    report = run(
        (text, [(E.PERSON, "Elif Şahin"), CARD], [(E.CARD_NUMBER, "Elif Şahin, kartım 4916")])
    )
    # "Elif", "Şahin" and "4916" are labelled; "kartım" (6 letters) is not.
    assert report.predicted_chars == 4 + 5 + 6 + 4
    assert report.correct_chars == 4 + 5 + 4


def test_precision_is_pooled_over_all_transcripts() -> None:
    report = run(
        (
            "Numaram 0532 418 27 90.",
            [(E.PHONE_NUMBER, "0532 418 27 90")],
            [(E.PHONE_NUMBER, "0532 418 27 90")],
        ),
        ("Paket 50 GB.", [], [(E.PHONE_NUMBER, "50")]),
    )
    # 11 of 13 characters, not the mean of 1.0 and 0.0.
    assert report.precision == pytest.approx(11 / 13)


def test_a_character_in_two_overlapping_predictions_counts_once() -> None:
    report = run((CARD_TEXT, [CARD], [(E.CARD_NUMBER, "4916 3385"), (E.PHONE_NUMBER, "3385 0608")]))
    assert report.predicted_chars == 12
    assert report.precision == 1.0


def test_lines_report_every_score() -> None:
    report = run((CARD_TEXT, [CARD], [(E.CARD_NUMBER, "4916 3385 0608")]))
    text = "\n".join(report.lines())
    assert "recall (strict), overall:" in text
    assert "recall (strict), non-PERSON:" in text
    assert "precision (letters and digits):" in text
    assert "CARD_NUMBER" in text
    assert "(0/1)" in text


def test_an_empty_report_still_prints() -> None:
    assert len(Report().lines()) == 5


# --- loading ---------------------------------------------------------------------------------


def test_load_reads_the_eval_format(tmp_path: Path) -> None:
    path = tmp_path / "eval.jsonl"
    lines = [
        {
            "id": "t-1",
            "lang": "tr",
            "text": CARD_TEXT,
            "entities": [{"type": "CARD_NUMBER", "start": 7, "end": 26}],
            "known": {"name": "Ayşe Kaya", "phone": "05324182790"},
        },
        {"id": "t-2", "text": "Hello.", "entities": []},
    ]
    path.write_text(
        "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n\n",
        encoding="utf-8",
    )
    first, second = load(path)
    assert (first.id, first.lang, first.entities) == ("t-1", "tr", (("CARD_NUMBER", 7, 26),))
    assert CARD_TEXT[7:26] == "4916 3385 0608 2832"
    assert first.known == Known(name="Ayşe Kaya", phone="05324182790")
    assert (second.id, second.lang, second.known) == ("t-2", None, Known())


def test_a_bad_line_names_its_number_and_not_its_text(tmp_path: Path) -> None:
    path = tmp_path / "eval.jsonl"
    good = {"id": "t-1", "text": "Merhaba.", "entities": []}
    bad = {"id": "t-2", "text": "Kartım 4916 3385 0608 2832.", "labels": []}
    path.write_text(f"{json.dumps(good)}\n{json.dumps(bad, ensure_ascii=False)}\n", "utf-8")
    with pytest.raises(ValueError, match="line 2") as raised:
        list(load(path))
    assert "4916" not in str(raised.value)
