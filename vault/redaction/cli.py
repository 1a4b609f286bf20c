"""``vault redact`` and ``vault eval redaction``: the engine on text streams and eval files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

from vault.redaction import evaluate as evaluation
from vault.redaction.engine import RedactionError, Redactor
from vault.redaction.types import Finding, Known


def _entities(findings: tuple[Finding, ...] | list[Finding]) -> list[dict[str, Any]]:
    return [
        {"type": f.entity_type.value, "start": f.start, "end": f.end, "score": round(f.score, 3)}
        for f in findings
    ]


def _known(raw: Any) -> Known:
    if not isinstance(raw, dict):
        return Known()
    fields = ("name", "phone", "email", "customer_id")
    return Known(**{k: str(raw[k]) for k in fields if raw.get(k)})


def redact(source: TextIO, sink: TextIO, *, lang: str, jsonl: bool) -> int:
    """Plain text in, one JSON object out; or, with ``jsonl``, one object per input line."""
    redactor = Redactor()
    default = None if lang == "auto" else lang
    if not jsonl:
        text = source.read()
        result = redactor.redact(text, lang=default)
        json.dump(
            {"redacted": result.text, "entities": _entities(result.findings)},
            sink,
            ensure_ascii=False,
        )
        sink.write("\n")
        return 0
    status = 0
    for number, line in enumerate(source, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text = item["text"]
            if not isinstance(text, str):
                raise TypeError("text must be a string")
        except (ValueError, KeyError, TypeError) as error:
            sink.write(json.dumps({"line": number, "error": f"not a redaction request: {error}"}))
            sink.write("\n")
            status = 1
            continue
        item_lang = item.get("lang") if item.get("lang") in ("tr", "en") else default
        try:
            result = redactor.redact(text, lang=item_lang, known=_known(item.get("known")))
        except RedactionError as error:
            sink.write(json.dumps({"id": item.get("id"), "line": number, "error": str(error)}))
            sink.write("\n")
            status = 1
            continue
        out = {
            "id": item.get("id"),
            "redacted": result.text,
            "entities": _entities(result.findings),
        }
        sink.write(json.dumps(out, ensure_ascii=False))
        sink.write("\n")
        sink.flush()
    return status


def evaluate(path: Path, sink: TextIO, *, misses: int = 0) -> int:
    report = evaluation.score(evaluation.load(path), Redactor(), keep=max(misses, 0))
    for line in report.lines():
        sink.write(line + "\n")
    if misses:
        sink.write("missed:\n")
        for example_id, entity_type, text in report.misses[:misses]:
            sink.write(f"  {example_id} {entity_type}: {text}\n")
        sink.write("predicted outside any label:\n")
        for example_id, text in report.false_positives[:misses]:
            sink.write(f"  {example_id} {text}\n")
    return 0
