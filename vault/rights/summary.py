"""The readable summary in an export (``summary.tr.txt``, ``summary.en.txt``).

What the controller tells a data subject (KVKK Art. 11 and the Art. 10 notice): categories of
data, purposes, recipients and retention, in words the organisation writes once. The built-in
texts live in ``data/export_texts.json``; ``VAULT_EXPORT_TEXTS_FILE`` names a JSON file of the
same shape that replaces them. The concrete facts (how many calls, over which dates, how many
accesses) come from the export itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from vault.errors import ConfigurationError

LANGUAGES = ("tr", "en")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")

    heading: str
    items: list[str]


class _Facts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    heading: str
    recordings: str
    period: str
    no_recordings: str
    accesses: str
    generated: str


class Texts(BaseModel):
    """One language's texts."""

    model_config = ConfigDict(extra="forbid")

    title: str
    intro: str
    categories: _Section
    purposes: _Section
    recipients: _Section
    retention: _Section
    facts: _Facts


@dataclass(frozen=True)
class Facts:
    """What the summary counts, from the export being built."""

    export_id: str
    created_at: datetime
    recordings: int
    first_call: datetime | None
    last_call: datetime | None
    accesses: int
    denied: int


_SAMPLE = Facts("id", datetime(2026, 1, 1), 1, datetime(2026, 1, 1), datetime(2026, 1, 1), 1, 0)


def load_texts(path: Path | None) -> dict[str, Texts]:
    """The texts per language: from ``path`` when given, else the built-in ones.

    A file that cannot be read, lacks a language or a field, or uses a placeholder the
    summary does not fill is a ``ConfigurationError`` naming the setting.
    """
    try:
        if path is None:
            raw = resources.files("vault.rights").joinpath("data/export_texts.json").read_text()
        else:
            raw = path.read_text(encoding="utf-8")
        data = json.loads(raw)
        texts = {lang: Texts.model_validate(data[lang]) for lang in LANGUAGES}
        for value in texts.values():
            render(value, _SAMPLE)
    except (OSError, ValueError, KeyError, TypeError, IndexError, ValidationError) as error:
        raise ConfigurationError(
            "VAULT_EXPORT_TEXTS_FILE cannot be used: it must be JSON with 'tr' and 'en' texts "
            f"of the built-in file's shape ({type(error).__name__})"
        ) from None
    return texts


def _day(value: datetime) -> str:
    return value.date().isoformat()


def render(texts: Texts, facts: Facts) -> str:
    """The summary as plain text, one language."""
    lines = [texts.title, "=" * len(texts.title), "", texts.intro, ""]
    for section in (texts.categories, texts.purposes, texts.recipients, texts.retention):
        lines += [section.heading, "-" * len(section.heading)]
        lines += [f"- {item}" for item in section.items]
        lines.append("")
    f = texts.facts
    lines += [f.heading, "-" * len(f.heading)]
    if facts.recordings and facts.first_call is not None and facts.last_call is not None:
        lines.append(f.recordings.format(recordings=facts.recordings))
        lines.append(f.period.format(first=_day(facts.first_call), last=_day(facts.last_call)))
    else:
        lines.append(f.no_recordings)
    lines.append(f.accesses.format(accesses=facts.accesses, denied=facts.denied))
    lines.append(
        f.generated.format(
            created_at=facts.created_at.isoformat(timespec="seconds"), export_id=facts.export_id
        )
    )
    lines.append("")
    return "\n".join(lines)
