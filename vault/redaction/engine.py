"""The redaction engine: run every recognizer, settle overlaps, replace end to start."""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import regex

from vault.errors import VaultError
from vault.redaction import numbers
from vault.redaction.base import Recognizer
from vault.redaction.document import Document
from vault.redaction.overlap import resolve, trim
from vault.redaction.types import EntityType, Finding, Known, Turn

log = logging.getLogger(__name__)

_TURKISH_LETTERS = regex.compile(r"[çğışöüÇĞİŞÖÜ]")
_TURKISH_WORDS = regex.compile(
    r"\b(ve|bir|bu|şu|için|ile|mi|mı|mu|numaram|evet|hayır|teşekkür\w*|merhaba|lütfen|"
    r"benim|var|yok|değil|nasıl|ne|çok|olarak|misiniz|mısınız|efendim|tamam)\b",
    regex.IGNORECASE,
)
_ENGLISH_WORDS = regex.compile(
    r"\b(the|and|is|it's|you|your|my|to|of|for|please|thanks|thank|yes|no|can|could|what|"
    r"this|that|on|in|with|have|i'm|i|a|an|be|will|would|number|card)\b",
    regex.IGNORECASE,
)
_CAPITALISED = regex.compile(r"\b\p{Lu}\p{L}*", regex.VERSION1)


def guess_language(text: str) -> str:
    """``tr`` or ``en``: Turkish function words and letters (outside names, which are
    capitalised: "this is Gökhan" is English) against English function words."""
    lowered = _CAPITALISED.sub(" ", text)
    turkish = len(_TURKISH_LETTERS.findall(lowered)) + 2 * len(_TURKISH_WORDS.findall(text))
    english = 2 * len(_ENGLISH_WORDS.findall(text))
    return "tr" if turkish > english else "en"


class RedactionError(VaultError):
    """The text could not be redacted; it must not be shown (the message holds no text)."""


@dataclass(frozen=True)
class Redaction:
    text: str
    findings: tuple[Finding, ...]


class Redactor:
    def __init__(self, recognizers: Sequence[Recognizer] | None = None) -> None:
        if recognizers is None:
            from vault.redaction.recognizers import default_recognizers  # noqa: PLC0415

            recognizers = default_recognizers()
        self.recognizers = tuple(recognizers)

    def analyze(
        self,
        text: str,
        *,
        lang: str | None = None,
        known: Known | None = None,
        turns: Sequence[Turn] = (),
    ) -> list[Finding]:
        doc = Document(
            text=text,
            lang=lang if lang in ("tr", "en") else guess_language(text),
            known=known or Known(),
            turns=tuple(turns),
        )
        findings: list[Finding] = []
        for recognizer in self.recognizers:
            if recognizer.supports(doc.lang):
                try:
                    findings.extend(recognizer.analyze(doc))
                except TimeoutError:
                    # Fail closed: a text the engine could not read in time is not redacted.
                    raise RedactionError(
                        f"the {recognizer.name} recognizer ran out of time on this text"
                    ) from None
        findings.extend(repeats(doc, findings))
        return [trim(text, f) for f in resolve(findings)]

    def redact(
        self,
        text: str,
        *,
        lang: str | None = None,
        known: Known | None = None,
        turns: Sequence[Turn] = (),
    ) -> Redaction:
        findings = self.analyze(text, lang=lang, known=known, turns=turns)
        return Redaction(replace(text, findings), tuple(findings))


_TEXTUAL = {EntityType.PERSON, EntityType.ADDRESS, EntityType.EMAIL_ADDRESS}
MIN_REPEAT_DIGITS = 3


@functools.cache
def shared_redactor() -> Redactor:
    """One engine per process for short texts (queries, notes): building one loads the
    lexicons, which costs far more than redacting a line. The engine keeps no state between
    calls, so threads may share it."""
    return Redactor()


def repeats(doc: Document, findings: Sequence[Finding]) -> list[Finding]:
    """A value said twice is personal both times: the agent reading a code back ("9184'ü
    giriyorum"), a number confirmed later in the call, in the same or another reading."""
    secrets: dict[str, EntityType] = {}
    for finding in findings:
        if finding.entity_type in _TEXTUAL:
            continue
        for run in doc.runs:
            if run.start >= finding.start and run.end <= finding.end:
                for reading in numbers.readings(run):
                    if len(reading.digits) >= MIN_REPEAT_DIGITS:
                        secrets.setdefault(reading.digits, finding.entity_type)
    if not secrets:
        return []
    out = []
    for run in doc.runs:
        if any(f.start <= run.start and run.end <= f.end for f in findings):
            continue
        for reading in numbers.readings(run):
            entity = secrets.get(reading.digits)
            if entity is not None:
                out.append(Finding(run.start, run.end, entity, 0.8, "repeat"))
                break
    return out


def replace(text: str, findings: Sequence[Finding]) -> str:
    """``text`` with each finding replaced by its tag, working from the end to the start."""
    out = text
    for finding in sorted(findings, key=lambda f: f.start, reverse=True):
        out = out[: finding.start] + f"[{finding.entity_type.value}]" + out[finding.end :]
    return out
