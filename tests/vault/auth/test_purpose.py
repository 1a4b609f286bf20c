"""``X-Access-Purpose``: a configured code, optionally ``:`` and a case reference; nothing else."""

from __future__ import annotations

import pytest

from vault.auth.purpose import parse_purpose
from vault.config import DEFAULT_PURPOSES
from vault.errors import PurposeRequired

ACCEPTED: list[tuple[str, str]] = [
    ("dispute", "dispute"),
    ("dispute:CASE-1", "dispute:CASE-1"),
    ("dispute:CASE-2291", "dispute:CASE-2291"),
    ("Dispute", "dispute"),
    ("DISPUTE:case-1", "dispute:case-1"),
    ("  dispute  ", "dispute"),
    (" dispute : CASE-1 ", "dispute:CASE-1"),
    ("quality-review", "quality-review"),
    ("rights-request:KVKK/2026/0042", "rights-request:KVKK/2026/0042"),
    ("fraud-investigation:INC#77", "fraud-investigation:INC#77"),
    ("legal-claim:a.b_c-d", "legal-claim:a.b_c-d"),
    ("regulator-request:1", "regulator-request:1"),
    ("customer-complaint:" + "A" * 64, "customer-complaint:" + "A" * 64),
]

REFUSED: list[tuple[str | None, str]] = [
    (None, "needs an X-Access-Purpose"),
    ("", "needs an X-Access-Purpose"),
    ("   ", "needs an X-Access-Purpose"),
    ("gossip", "unknown access purpose"),
    ("curiosity:CASE-1", "unknown access purpose"),
    ("disputes", "unknown access purpose"),
    ("dis pute", "unknown access purpose"),
    (":CASE-1", "unknown access purpose"),
    ("DİSPUTE", "unknown access purpose"),  # Turkish dotted capital I does not fold to "i"
    ("dispute:", "case or ticket id"),
    ("dispute: ", "case or ticket id"),
    ("dispute:Ahmet Yılmaz", "case or ticket id"),
    ("dispute:çağrı-1", "case or ticket id"),
    ("dispute:-CASE-1", "case or ticket id"),
    ("dispute:.hidden", "case or ticket id"),
    ("dispute:CASE:1", "case or ticket id"),
    ("dispute:CASE;DROP TABLE", "case or ticket id"),
    ("dispute:CASE\n1", "case or ticket id"),
    ("dispute:CASE\x001", "case or ticket id"),
    ("dispute:ahmet@example.com", "case or ticket id"),
    ("dispute:0532 418 27 90", "case or ticket id"),
    ("customer-complaint:" + "A" * 65, "case or ticket id"),
]


@pytest.mark.parametrize(("value", "expected"), ACCEPTED, ids=[v for v, _ in ACCEPTED])
def test_accepted(value: str, expected: str) -> None:
    assert parse_purpose(value, allowed=DEFAULT_PURPOSES) == expected


@pytest.mark.parametrize(("value", "why"), REFUSED, ids=[repr(v) for v, _ in REFUSED])
def test_refused(value: str | None, why: str) -> None:
    with pytest.raises(PurposeRequired) as caught:
        parse_purpose(value, allowed=DEFAULT_PURPOSES)
    message = str(caught.value)
    assert why in message
    # The refusal is shown to the caller and may be logged: it never repeats what was sent.
    if value and value.strip():
        assert value.strip() not in message
        reference = value.partition(":")[2].strip()
        if reference:
            assert reference not in message


def test_the_configured_list_decides() -> None:
    allowed = ("audit-sample",)
    assert parse_purpose("audit-sample:Q3", allowed=allowed) == "audit-sample:Q3"
    with pytest.raises(PurposeRequired, match="audit-sample"):
        parse_purpose("dispute:CASE-1", allowed=allowed)


def test_the_refusal_lists_the_accepted_codes() -> None:
    with pytest.raises(PurposeRequired) as caught:
        parse_purpose(None, allowed=DEFAULT_PURPOSES)
    for code in DEFAULT_PURPOSES:
        assert code in str(caught.value)
