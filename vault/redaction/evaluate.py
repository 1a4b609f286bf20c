"""Scoring the engine on labelled transcripts (JSON lines with ``text``, ``entities``).

- Strict recall: an entity counts as redacted only if every letter and digit in it lies inside
  some predicted span (a card number with its last four digits visible is a leak). Overall,
  per type, and for the non-``PERSON`` types alone.
- Precision: of all letters and digits inside predicted spans, the share inside a labelled
  entity (of any type: a card number tagged as a phone number is still hidden).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vault.redaction.engine import Redactor
from vault.redaction.types import EntityType, Known


@dataclass(frozen=True)
class Example:
    id: str
    text: str
    lang: str | None
    entities: tuple[tuple[str, int, int], ...]
    known: Known


def load(path: Path) -> Iterator[Example]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                raw: dict[str, Any] = json.loads(line)
                yield Example(
                    id=str(raw.get("id", number)),
                    text=raw["text"],
                    lang=raw.get("lang"),
                    entities=tuple((e["type"], e["start"], e["end"]) for e in raw["entities"]),
                    known=Known(**(raw.get("known") or {})),
                )
            except (KeyError, TypeError, ValueError) as error:
                raise ValueError(f"line {number}: not a labelled example ({error})") from None


@dataclass
class Report:
    found: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    predicted_chars: int = 0
    correct_chars: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)
    false_positives: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    examples: int = 0

    def recall(self, types: Iterable[str] | None = None) -> float:
        keys = list(self.total) if types is None else list(types)
        total = sum(self.total[k] for k in keys)
        return sum(self.found[k] for k in keys) / total if total else 1.0

    @property
    def precision(self) -> float:
        return self.correct_chars / self.predicted_chars if self.predicted_chars else 1.0

    def lines(self) -> list[str]:
        non_person = [k for k in self.total if k != EntityType.PERSON.value]
        out = [
            f"examples: {self.examples}, entities: {sum(self.total.values())}, "
            f"time: {self.seconds * 1000 / max(1, self.examples):.2f} ms per transcript",
            f"recall (strict), overall:        {self.recall():.4f}",
            f"recall (strict), non-PERSON:     {self.recall(non_person):.4f}",
            f"precision (letters and digits):  {self.precision:.4f}",
            "per type:",
        ]
        for key in sorted(self.total):
            out.append(
                f"  {key:18} recall {self.recall([key]):.4f}  ({self.found[key]}/{self.total[key]})"
            )
        return out


def _alnum(text: str, start: int, end: int) -> set[int]:
    return {i for i in range(start, end) if text[i].isalnum()}


def score(examples: Iterable[Example], redactor: Redactor, *, keep: int = 50) -> Report:
    report = Report()
    started = time.perf_counter()
    for example in examples:
        report.examples += 1
        findings = redactor.analyze(example.text, lang=example.lang, known=example.known)
        covered: set[int] = set()
        for finding in findings:
            covered |= _alnum(example.text, finding.start, finding.end)
        labelled: set[int] = set()
        for entity_type, start, end in example.entities:
            chars = _alnum(example.text, start, end)
            labelled |= chars
            report.total[entity_type] += 1
            if chars <= covered:
                report.found[entity_type] += 1
            elif len(report.misses) < keep:
                report.misses.append((example.id, entity_type, example.text[start:end]))
        report.predicted_chars += len(covered)
        report.correct_chars += len(covered & labelled)
        for finding in findings:
            extra = _alnum(example.text, finding.start, finding.end) - labelled
            if extra and len(report.false_positives) < keep:
                report.false_positives.append(
                    (
                        example.id,
                        f"{finding.entity_type}: {example.text[finding.start : finding.end]}",
                    )
                )
    report.seconds = time.perf_counter() - started
    return report
