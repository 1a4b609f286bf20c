"""The redaction engine's values: entity types, findings, what the call already tells us."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EntityType(StrEnum):
    PERSON = "PERSON"
    PHONE_NUMBER = "PHONE_NUMBER"
    EMAIL_ADDRESS = "EMAIL_ADDRESS"
    NATIONAL_ID = "NATIONAL_ID"
    TAX_ID = "TAX_ID"
    IBAN = "IBAN"
    BANK_ACCOUNT = "BANK_ACCOUNT"
    CARD_NUMBER = "CARD_NUMBER"
    CARD_EXPIRY = "CARD_EXPIRY"
    CARD_CVV = "CARD_CVV"
    CUSTOMER_ID = "CUSTOMER_ID"
    ADDRESS = "ADDRESS"
    DATE_OF_BIRTH = "DATE_OF_BIRTH"
    VERIFICATION_CODE = "VERIFICATION_CODE"


PAYMENT_CARD = frozenset({EntityType.CARD_NUMBER, EntityType.CARD_EXPIRY, EntityType.CARD_CVV})
"""What PCI DSS forbids keeping after authorisation, even encrypted (the audio included)."""


@dataclass(frozen=True, order=True)
class Finding:
    """One recognised entity: ``text[start:end]`` is personal data of ``entity_type``.

    ``repr`` shows positions and type only: the matched text is never part of a finding.
    """

    start: int
    end: int
    entity_type: EntityType
    score: float
    recognizer: str

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError("a finding needs 0 <= start < end")

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, repr=False)
class Known:
    """What the call's metadata already says about the customer."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None
    customer_id: str | None = None

    def __repr__(self) -> str:
        return "Known(<redacted>)"


@dataclass(frozen=True)
class Turn:
    """A stretch of the text said by one speaker (``agent``, ``customer`` or ``mixed``)."""

    start: int
    end: int
    speaker: str
