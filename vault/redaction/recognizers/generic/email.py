"""E-mail addresses, written (``ad.soyad@firma.com.tr``) or spoken (``ad nokta soyad at gmail
nokta com``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import regex

from vault.redaction.base import Pattern, PatternRecognizer, compile_pattern
from vault.redaction.document import TIMEOUT, Document
from vault.redaction.types import EntityType, Finding

_WORD = r"[\p{L}\p{M}0-9_+-]+"
_DOT = r"(?:nokta|dot|period)"
_JOIN = r"(?:nokta|dot|period|alt\s+çizgi|underscore|tire|dash|hyphen)"
_AT = r"(?:at|et|@|\(at\))"
_TLD = r"(?:com|net|org|edu|gov|info|io|co|tr|uk|de|biz|me|ie|eu|nl|fr|us|ca|au)"


_AT_SPOKEN = regex.compile(
    r"(?<!\p{L})(?:at|et)(?:\s+(?:işareti|sign))?(?!\p{L})|@(?:\s+işareti)?",
    regex.IGNORECASE | regex.VERSION1,
)
_DOMAIN = regex.compile(
    rf"\G\s*{_WORD}(?:\s*(?:\.|\s{_DOT}\s)\s*{_WORD})*\s*(?:\.|\s{_DOT}\s)\s*{_TLD}(?!\p{{L}})",
    regex.IGNORECASE | regex.VERSION1,
)
_LOCAL_TOKEN = regex.compile(r"([\p{L}\p{M}0-9_+.-]+)\s*$", regex.VERSION1)
_JOINER = regex.compile(rf"(?:\s+{_JOIN}\s+|\s*\.\s*|\s+)$", regex.IGNORECASE | regex.VERSION1)
_STOP = frozenset(
    [
        "is",
        "to",
        "my",
        "the",
        "at",
        "et",
        "adresim",
        "adresi",
        "adres",
        "mail",
        "email",
        "e-mail",
        "e-posta",
        "posta",
        "faturalar",
        "gönderin",
        "adresime",
        "email's",
        "address",
        "it's",
        "its",
        "on",
        "şu",
        "bu",
        "ve",
        "and",
        "please",
        "lütfen",
        "send",
        "yazın",
        "me",
        "us",
        "was",
        "new",
        "yeni",
        "olarak",
        "gelsin",
        "online",
        "visit",
        "website",
        "sitemiz",
        "sitemize",
        "e-postam",
        "epostam",
        "mailim",
    ]
)
MAX_LOCAL_TOKENS = 4


def spoken(doc: Document) -> Iterator[Finding]:
    """E-mails dictated word by word: ``raymond charlton at outlook dot com``,
    ``orhan alt çizgi akar et işareti outlook nokta com``. The address runs back from the
    at-sign over up to four words, stopping at punctuation and at words like "adresim"."""
    for at in _AT_SPOKEN.finditer(doc.text, timeout=TIMEOUT):
        domain = _DOMAIN.match(doc.text, at.end(), timeout=TIMEOUT)
        if domain is None:
            continue
        # A written "@" takes the one word glued to it; a spoken "at" up to four.
        tokens = 1 if at.group().startswith("@") else MAX_LOCAL_TOKENS
        start = _local_start(doc.text, at.start(), tokens)
        if start is not None:
            yield Finding(start, domain.end(), EntityType.EMAIL_ADDRESS, 0.9, "email")


def _local_start(text: str, end: int, tokens: int) -> int | None:
    start: int | None = None
    position = end
    floor = max(0, end - 200)
    for _ in range(tokens):
        head = text[floor:position]
        token = _LOCAL_TOKEN.search(head)
        if token is None or token.group(1).casefold() in _STOP:
            break
        if floor + token.start(1) > 0 and text[floor + token.start(1) - 1] in "'’":
            break  # the tail of "it's", not a word of the address
        start = floor + token.start(1)
        joiner = _JOINER.search(text[floor:start])
        if joiner is None or regex.search(r"[,;:!?]", joiner.group()):
            break
        position = floor + joiner.start()
    return start


class EmailRecognizer(PatternRecognizer):
    name = "email"
    entities: ClassVar[tuple[EntityType, ...]] = (EntityType.EMAIL_ADDRESS,)
    patterns: ClassVar[tuple[Pattern, ...]] = (
        compile_pattern(
            "written",
            r"(?<![\p{L}\p{M}0-9._%+-])[\p{L}\p{M}0-9._%+-]+@[\p{L}\p{M}0-9-]+(?:\.[\p{L}\p{M}0-9-]+)*\.\p{L}{2,24}\b",
            1.0,
        ),
        compile_pattern(
            # The recogniser runs a dictated address together: "john.smithatgmail.com".
            "run-together",
            r"(?<![\p{L}0-9._-])[\p{L}0-9._-]{2,64}(?:at|et)(?:gmail|googlemail|hotmail|"
            r"outlook|live|yahoo|icloud|me|yandex|mail|aol|proton|protonmail|gmx|btinternet|sky|"
            r"virginmedia|ttmail|superonline)\.(?:com|net|co\.uk|com\.tr|co|uk|tr|de)\b",
            0.9,
        ),
    )

    def analyze(self, doc: Document) -> Iterator[Finding]:
        yield from super().analyze(doc)
        yield from spoken(doc)
