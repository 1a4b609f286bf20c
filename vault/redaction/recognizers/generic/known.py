"""What the call's metadata already says about the customer, found wherever it is said.

The customer's name (whole, and each part: ``Yılmaz'ın`` is still Yılmaz) in any casing and
with or without Turkish letters; the phone number, e-mail and customer id written or spoken
(digit words, grouped number words: any reading of a number run whose digits match).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import regex

from vault.redaction import numbers
from vault.redaction.base import Recognizer
from vault.redaction.document import TIMEOUT, Document
from vault.redaction.text import normalise
from vault.redaction.types import EntityType, Finding

_SUFFIX = r"(?:['’]\p{L}{1,8})?"
MIN_PART = 3  # shorter name parts ("Su", "Ay") would match ordinary words


def _digits(value: str) -> str:
    return "".join(c for c in value if c.isdigit())


def phone_forms(phone: str) -> set[str]:
    """The digit strings the same phone number may be read as."""
    digits = _digits(phone)
    if not digits:
        return set()
    forms = {digits}
    national = digits
    for prefix in ("0090", "90", "0044", "44", "0"):
        if national.startswith(prefix) and len(national) - len(prefix) >= 9:
            national = national[len(prefix) :]
            break
    forms |= {national, "0" + national, "90" + national, "44" + national}
    return {f for f in forms if len(f) >= 7}


def _letters(word: str) -> str:
    """A pattern for ``word`` that allows combining marks after each letter (``i̇brahim``)."""
    return "".join(regex.escape(c) + r"\p{M}*" for c in word)


class KnownValuesRecognizer(Recognizer):
    name = "known"
    entities: ClassVar[tuple[EntityType, ...]] = (
        EntityType.PERSON,
        EntityType.PHONE_NUMBER,
        EntityType.EMAIL_ADDRESS,
        EntityType.CUSTOMER_ID,
    )

    def analyze(self, doc: Document) -> Iterator[Finding]:
        known = doc.known
        if known.name:
            yield from self._name(doc, known.name)
        if known.email:
            yield from self._literal(doc, known.email, EntityType.EMAIL_ADDRESS)
        if known.customer_id:
            yield from self._literal(doc, known.customer_id, EntityType.CUSTOMER_ID)
            digits = _digits(known.customer_id)
            if len(digits) >= 4:
                yield from self._spoken(doc, {digits}, EntityType.CUSTOMER_ID)
        if known.phone:
            yield from self._spoken(doc, phone_forms(known.phone), EntityType.PHONE_NUMBER)

    def _name(self, doc: Document, name: str) -> Iterator[Finding]:
        parts = [_letters(p) for p in normalise(name).split() if len(p) >= MIN_PART]
        whole = r"\s*".join(parts)  # the recogniser sometimes writes "Alikaya"
        alternatives = [whole, *parts] if parts else []
        for alternative in alternatives:
            pattern = regex.compile(rf"(?<![\p{{L}}\p{{M}}]){alternative}{_SUFFIX}(?![\p{{L}}])")
            for match in pattern.finditer(doc.plain, timeout=TIMEOUT):
                yield Finding(match.start(), match.end(), EntityType.PERSON, 1.0, self.name)

    def _literal(self, doc: Document, value: str, entity: EntityType) -> Iterator[Finding]:
        target = normalise(value)
        if len(target) < 3:
            return
        pattern = regex.compile(r"(?<![\p{L}0-9])" + regex.escape(target) + r"(?![\p{L}0-9])")
        for match in pattern.finditer(doc.plain, timeout=TIMEOUT):
            yield Finding(match.start(), match.end(), entity, 1.0, self.name)

    def _spoken(self, doc: Document, forms: set[str], entity: EntityType) -> Iterator[Finding]:
        if not forms:
            return
        for run in doc.runs:
            for reading in numbers.readings(run):
                digits = reading.digits
                hit = next((f for f in forms if f in digits), None)
                if hit is None:
                    continue
                yield Finding(run.start, run.end, entity, 1.0, self.name)
                break
