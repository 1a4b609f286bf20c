"""``vault redact`` and ``vault eval redaction`` as a script calls them: text or JSON lines on
stdin, JSON on stdout, offsets into the input text, metrics lines for an eval file."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.vault.redaction.test_evaluate import Said, Scripted
from vault.cli import main
from vault.config import get_settings
from vault.redaction import cli as redaction_cli
from vault.redaction.engine import Redactor
from vault.redaction.types import EntityType

E = EntityType


@pytest.fixture(autouse=True)
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings of their own, forgotten afterwards (``main`` reads them for every command)."""
    monkeypatch.setenv("VAULT_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def vault(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *argv: str,
    stdin: str = "",
) -> tuple[int, str]:
    """``vault ARGV < stdin``: its exit status and stdout."""
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    status = main(list(argv))
    out, _err = capsys.readouterr()
    return status, out


def jsonl(*items: dict[str, Any] | str) -> str:
    return "".join(
        (i if isinstance(i, str) else json.dumps(i, ensure_ascii=False)) + "\n" for i in items
    )


# --- vault redact ----------------------------------------------------------------------------

CALL = "Merhaba, ben Ayşe Yılmaz.\nKart numaram 4916 3385 0608 2832, son kullanma 08/27.\n"


def test_plain_text_in_one_json_object_out(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out = vault(capsys, monkeypatch, "redact", "--lang", "tr", stdin=CALL)
    assert status == 0
    result = json.loads(out)
    assert result["redacted"] == (
        "Merhaba, ben [PERSON].\nKart numaram [CARD_NUMBER], son kullanma [CARD_EXPIRY].\n"
    )
    said = [(e["type"], CALL[e["start"] : e["end"]]) for e in result["entities"]]
    assert said == [
        ("PERSON", "Ayşe Yılmaz"),
        ("CARD_NUMBER", "4916 3385 0608 2832"),
        ("CARD_EXPIRY", "08/27"),
    ]
    assert all(0 < e["score"] <= 1 for e in result["entities"])


def test_plain_text_guesses_the_language_by_default(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "Hi, my name is Charlotte Pemberton. My card is 4916 3385 0608 2832."
    status, out = vault(capsys, monkeypatch, "redact", stdin=text)
    assert status == 0
    assert json.loads(out)["redacted"] == "Hi, my name is [PERSON]. My card is [CARD_NUMBER]."


def test_jsonl_answers_each_line_with_its_id_and_offsets_into_its_text(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines: list[dict[str, Any]] = [
        # Characters beyond the basic plane and a dotted capital İ before the entities: the
        # offsets are Python string indices into the input.
        {"id": "c-1", "lang": "tr", "text": "🙂 İyi günler, kartım 4916 3385 0608 2832."},
        {"id": 7, "lang": "en", "text": "Text me on 0 7 9 4 6, 1 2 0 5 8 3 after six."},
        {"id": "c-3", "text": "Paketiniz 299 lira, 50 GB, 3 iş günü içinde açılır."},
    ]
    status, out = vault(capsys, monkeypatch, "redact", "--jsonl", stdin=jsonl(*lines))
    assert status == 0
    answers = [json.loads(line) for line in out.splitlines()]
    assert [a["id"] for a in answers] == ["c-1", 7, "c-3"]
    said = [
        [(e["type"], line["text"][e["start"] : e["end"]]) for e in answer["entities"]]
        for line, answer in zip(lines, answers, strict=True)
    ]
    assert said == [
        [("CARD_NUMBER", "4916 3385 0608 2832")],
        [("PHONE_NUMBER", "0 7 9 4 6, 1 2 0 5 8 3")],
        [],
    ]
    assert answers[0]["redacted"] == "🙂 İyi günler, kartım [CARD_NUMBER]."
    assert answers[2]["redacted"] == lines[2]["text"]


def test_jsonl_honours_known(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "yılmaz soyadıyla kayıtlı, YILMAZ'IN hattı bu."
    known = {"name": "Ayşe Yılmaz", "phone": "0532 418 27 90", "customer_id": None}
    stdin = jsonl(
        {"id": "with", "lang": "tr", "text": text, "known": known},
        {"id": "without", "lang": "tr", "text": text},
    )
    status, out = vault(capsys, monkeypatch, "redact", "--jsonl", stdin=stdin)
    assert status == 0
    with_known, without = (json.loads(line) for line in out.splitlines())
    assert with_known["redacted"] == "[PERSON] soyadıyla kayıtlı, [PERSON]'IN hattı bu."
    assert [(e["start"], e["end"]) for e in with_known["entities"]] == [(0, 6), (26, 32)]
    assert without["redacted"] == text


def test_a_malformed_line_gets_an_error_line_and_the_rest_are_answered(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin = jsonl(
        {"id": "ok-1", "lang": "tr", "text": "Kartım 4916 3385 0608 2832."},
        "this is not JSON 4916 3385 0608 2832",
        {"id": "no-text", "txt": "Kartım 4916 3385 0608 2832."},
        {"id": "not-a-string", "text": 4916338506082832},
        '["a", "list"]',
        {"id": "ok-2", "lang": "en", "text": "My card is 4916 3385 0608 2832."},
    )
    status, out = vault(capsys, monkeypatch, "redact", "--jsonl", stdin=stdin)
    assert status == 1
    answers = [json.loads(line) for line in out.splitlines()]
    assert len(answers) == 6
    assert [a.get("id") for a in answers if "error" not in a] == ["ok-1", "ok-2"]
    assert [a["line"] for a in answers if "error" in a] == [2, 3, 4, 5]
    for answer in answers:
        if "error" in answer:
            assert "4916" not in answer["error"]
        else:
            assert "[CARD_NUMBER]" in answer["redacted"]


def test_a_line_the_engine_cannot_finish_does_not_end_the_stream(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One transcript the engine gives up on (a regex timeout) is that line's error, as a
    malformed line is; the lines after it are still answered."""
    stdin = jsonl(
        {"id": "before", "lang": "tr", "text": "Kartım 4916 3385 0608 2832."},
        # A speech recogniser stuck in a loop; the e-mail pattern needs minutes on it.
        {"id": "loop", "lang": "tr", "text": "Evet. " * 5000},
        {"id": "after", "lang": "tr", "text": "Kartım 4916 3385 0608 2832."},
    )
    status, out = vault(capsys, monkeypatch, "redact", "--jsonl", stdin=stdin)
    before, loop, after = (json.loads(line) for line in out.splitlines())
    assert before["redacted"] == after["redacted"] == "Kartım [CARD_NUMBER]."
    assert status == (1 if "error" in loop else 0)


# --- vault eval redaction --------------------------------------------------------------------

EXAMPLES: list[tuple[str, str, Said, Said]] = [
    # (lang, text, labels, what the scripted engine predicts)
    (
        "tr",
        "Kartım 4916 3385 0608 2832, son kullanma 08/27.",
        [(E.CARD_NUMBER, "4916 3385 0608 2832"), (E.CARD_EXPIRY, "08/27")],
        [(E.CARD_NUMBER, "4916 3385 0608"), (E.CARD_EXPIRY, "08/27")],  # last 4 digits seen
    ),
    (
        "en",
        "Hi, I'm Olivia Bennett, the bill was £24.99.",
        [(E.PERSON, "Olivia Bennett")],
        [(E.PERSON, "Olivia"), (E.PHONE_NUMBER, "£24.99")],  # surname seen; a price taken
    ),
    (
        "tr",
        "Numaram 0532 418 27 90.",
        [(E.PHONE_NUMBER, "0532 418 27 90")],
        [(E.CARD_NUMBER, "0532 418 27 90")],  # hidden, under the wrong tag
    ),
    (
        "tr",
        "Kod 1 2 3 4 tamam.",
        [(E.VERIFICATION_CODE, "1 2 3 4")],
        [(E.VERIFICATION_CODE, "1 2"), (E.VERIFICATION_CODE, "3 4")],  # in two pieces
    ),
]


def write_eval(path: Path, examples: list[tuple[str, str, Said, Said]]) -> None:
    lines = []
    for number, (lang, text, labels, _predicted) in enumerate(examples):
        entities = [
            {"type": entity.value, "start": text.index(v), "end": text.index(v) + len(v)}
            for entity, v in labels
        ]
        lines.append({"id": f"hand-{number}", "lang": lang, "text": text, "entities": entities})
    path.write_text(jsonl(*lines), encoding="utf-8")


def metric(out: str, label: str) -> str:
    match = re.search(rf"^\s*{re.escape(label)}\s*(.+)$", out, re.MULTILINE)
    assert match is not None, f"no {label!r} line in:\n{out}"
    return match.group(1).strip()


def test_eval_prints_recall_precision_and_per_type_lines(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "hand.jsonl"
    write_eval(path, EXAMPLES)
    predictions = {text: predicted for _lang, text, _labels, predicted in EXAMPLES}
    monkeypatch.setattr(redaction_cli, "Redactor", lambda: Redactor([Scripted(predictions)]))
    status, out = vault(capsys, monkeypatch, "eval", "redaction", str(path))
    assert status == 0
    assert out.startswith("examples: 4, entities: 5,")
    # Found: the expiry, the phone (as a card), the code (in two pieces); missed: the card
    # (last four digits), the person (surname).
    assert metric(out, "recall (strict), overall:") == "0.6000"
    assert metric(out, "recall (strict), non-PERSON:") == "0.7500"
    # Letters and digits predicted: 12 + 4 card and expiry, 6 + 4 "Olivia" and "2499",
    # 11 phone, 4 code = 41; of them inside labels: 37.
    assert metric(out, "precision (letters and digits):") == f"{37 / 41:.4f}"
    assert metric(out, "CARD_NUMBER") == "recall 0.0000  (0/1)"
    assert metric(out, "CARD_EXPIRY") == "recall 1.0000  (1/1)"
    assert metric(out, "PERSON") == "recall 0.0000  (0/1)"
    assert metric(out, "PHONE_NUMBER") == "recall 1.0000  (1/1)"
    assert metric(out, "VERIFICATION_CODE") == "recall 1.0000  (1/1)"


def test_eval_with_the_real_engine(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "small.jsonl"
    write_eval(
        path,
        [
            (
                "tr",
                "Kart numaram 4916 3385 0608 2832, teşekkürler.",
                [(E.CARD_NUMBER, "4916 3385 0608 2832")],
                [],
            ),
            ("en", "That's £24.99 a month for 50 GB.", [], []),
        ],
    )
    status, out = vault(capsys, monkeypatch, "eval", "redaction", str(path))
    assert status == 0
    assert metric(out, "recall (strict), overall:") == "1.0000"
    assert metric(out, "precision (letters and digits):") == "1.0000"
    assert metric(out, "CARD_NUMBER") == "recall 1.0000  (1/1)"
