"""The audit detail of a search: personal values as tags, everything else readable."""

from __future__ import annotations

import pytest

from models.tables import AuditEntry
from vault.redaction.engine import RedactionError, Redactor
from vault.redaction.types import EntityType
from vault.search.audit import MAX_DETAIL, WITHHELD, describe, redact_query
from vault.search.schemas import SearchFilters

REDACTED = [
    ("0532 418 27 90", "[PHONE_NUMBER]"),
    ("iade 0 532 418 27 90", "iade [PHONE_NUMBER]"),
    ("Ahmet Yılmaz", "[PERSON]"),
    ("ayşe kaya iade", "[PERSON] iade"),
    ("ilknur yıldız şikayet", "[PERSON] şikayet"),
    ("cancel jane doe", "cancel [PERSON]"),
    ("ahmet.yilmaz@example.com.tr", "[EMAIL_ADDRESS]"),
    ("4111 1111 1111 1111", "[CARD_NUMBER]"),
    ("10000000146", "[NATIONAL_ID]"),
    ("TR330006100519786457841326", "[IBAN]"),
]
KEPT = [
    "iptal",
    '"iptal etmek istiyorum"',
    "iade* NOT kargo",
    "fatura OR ödeme",
    "cancel my subscription",
    "charged twice",
    "speak to a manager",
    "internet hız",
    "2 ay",
    "umut",
    "will refund",
    "mark the bill",
    "can i cancel",
]


@pytest.mark.parametrize(("query", "logged"), REDACTED)
def test_personal_values_become_tags(query: str, logged: str) -> None:
    assert redact_query(query) == logged


@pytest.mark.parametrize("query", KEPT)
def test_ordinary_queries_are_kept_as_typed(query: str) -> None:
    assert redact_query(query) == query


class _Failing(Redactor):
    def analyze(self, *args: object, **kwargs: object) -> list[object]:  # type: ignore[override]
        raise RedactionError("ran out of time")


def test_a_query_the_engine_cannot_redact_is_withheld() -> None:
    detail = describe(
        query="0532 418 27 90", filters=SearchFilters(), sort="date", engine=_Failing([])
    )
    assert detail == f'q="{WITHHELD}" sort=date'


def test_the_detail_fits_its_column() -> None:
    assert AuditEntry.__table__.c.detail.type.length == MAX_DETAIL  # type: ignore[attr-defined]
    filters = SearchFilters(
        entity_types=list(EntityType),
        agent_id="x" * 128,
        language="tr",
        speaker="customer",
        min_duration=1,
        max_duration=2,
    )
    detail = describe(query="a@b.co " * 71, filters=filters, sort="relevance")
    assert len(detail) <= MAX_DETAIL
    assert detail.endswith("sort=relevance")
