"""Normalising personal identifiers and turning them into keyed blind indexes."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

import regex


def normalise_phone(phone: str) -> str:
    """Digits in international form: ``0532 123 45 67`` and ``+90 532 123 4567`` agree.

    A national Turkish number (leading 0, or 10 digits starting with 5) gains the 90 prefix;
    ``00`` is the international call prefix.
    """
    digits = regex.sub(r"\D", "", phone)
    if digits.startswith("00"):
        digits = digits[2:]
    elif len(digits) == 11 and digits.startswith("0"):
        digits = "90" + digits[1:]
    elif len(digits) == 10 and digits.startswith("5"):
        digits = "90" + digits
    return digits


def normalise_email(email: str) -> str:
    return unicodedata.normalize("NFC", email.strip()).casefold()


def normalise_customer_id(customer_id: str) -> str:
    return unicodedata.normalize("NFC", customer_id.strip())


def blind_index(index_key: bytes, *, kind: str, value: str) -> str:
    """HMAC-SHA256 of a normalised value: equal values match, nothing can be read back."""
    message = kind.encode() + b"\x00" + value.encode()
    return hmac.new(index_key, message, hashlib.sha256).hexdigest()
