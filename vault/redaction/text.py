"""Turkish-aware folding that keeps every character where it was.

Python's ``str.lower`` maps ``İ`` to two characters and ``I`` to ``i``, which is wrong for
Turkish and shifts offsets. ``fold`` lower-cases one character to one character with Turkish
rules (``İ→i``, ``I→ı``), so an offset in the folded text is the offset in the original;
``ascii_fold`` also drops diacritics (``ş→s``, ``ı→i``, ``ğ→g``) for spelling-insensitive
matching.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_TURKISH = {"İ": "i", "I": "ı"}
_ASCII = str.maketrans(
    {"ı": "i", "ş": "s", "ğ": "g", "ç": "c", "ö": "o", "ü": "u", "â": "a", "î": "i", "û": "u"}
)


@lru_cache(maxsize=4096)
def _fold_char(char: str, turkish: bool) -> str:
    if turkish and char in _TURKISH:
        return _TURKISH[char]
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


def fold(text: str, *, turkish: bool = True) -> str:
    """Lower-case ``text`` one character for one character, with Turkish rules by default."""
    return "".join(_fold_char(c, turkish) for c in text)


def ascii_fold(text: str) -> str:
    """``fold`` and then drop diacritics, still one character for one character."""
    folded = fold(text).translate(_ASCII)
    out = []
    for char in folded:
        if ord(char) < 128:
            out.append(char)
            continue
        base = unicodedata.normalize("NFD", char)[0]
        out.append(base if ord(base) < 128 else char)
    return "".join(out)


def normalise(text: str) -> str:
    """Canonical comparison form of a short value: NFC, folded, diacritics dropped, spaces
    squeezed. Lengths may change: use it for comparing values, not for offsets."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("i\u0307", "i")
    return " ".join(ascii_fold(text).split())
