"""The recognizers the engine runs by default, grouped as ``generic/`` and by language."""

from __future__ import annotations

from vault.redaction.base import Recognizer
from vault.redaction.recognizers.en.address import EnglishAddressRecognizer
from vault.redaction.recognizers.en.national_insurance import (
    NationalInsuranceRecognizer,
    SpokenNationalInsuranceRecognizer,
)
from vault.redaction.recognizers.generic.context import ContextRecognizer
from vault.redaction.recognizers.generic.email import EmailRecognizer
from vault.redaction.recognizers.generic.iban import IbanRecognizer
from vault.redaction.recognizers.generic.known import KnownValuesRecognizer
from vault.redaction.recognizers.generic.numbers import ChecksumRecognizer
from vault.redaction.recognizers.generic.person import PersonRecognizer
from vault.redaction.recognizers.tr.address import TurkishAddressRecognizer


def default_recognizers() -> list[Recognizer]:
    return [
        KnownValuesRecognizer(),
        EmailRecognizer(),
        IbanRecognizer(),
        ChecksumRecognizer(),
        ContextRecognizer(),
        PersonRecognizer(),
        TurkishAddressRecognizer(),
        EnglishAddressRecognizer(),
        NationalInsuranceRecognizer(),
        SpokenNationalInsuranceRecognizer(),
    ]
