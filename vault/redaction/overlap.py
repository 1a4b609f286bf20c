"""The one overlap policy: overlapping findings become one entity covering all of them.

Recall comes first, so no character a recognizer claimed is given back: the entity spans the
union of an overlapping group. Its type is that of a finding covering the whole group if there
is one (an e-mail holding the customer's name), else the group's most confident finding (then
the longest, then the more specific type, in ``PRIORITY`` order).
"""

from __future__ import annotations

from collections.abc import Iterable

import regex

from vault.redaction.types import EntityType, Finding

PRIORITY = (
    EntityType.CARD_NUMBER,
    EntityType.IBAN,
    EntityType.NATIONAL_ID,
    EntityType.TAX_ID,
    EntityType.CARD_CVV,
    EntityType.CARD_EXPIRY,
    EntityType.VERIFICATION_CODE,
    EntityType.BANK_ACCOUNT,
    EntityType.EMAIL_ADDRESS,
    EntityType.PHONE_NUMBER,
    EntityType.CUSTOMER_ID,
    EntityType.DATE_OF_BIRTH,
    EntityType.ADDRESS,
    EntityType.PERSON,
)
_RANK = {entity: rank for rank, entity in enumerate(PRIORITY)}


def _best(group: list[Finding]) -> Finding:
    """A finding that covers the whole group names it (an e-mail holding the customer's name,
    an address holding a street named after a person); otherwise the most confident."""
    start = min(f.start for f in group)
    end = max(f.end for f in group)
    covering = [f for f in group if f.start == start and f.end == end]
    candidates = covering or group
    return max(candidates, key=lambda f: (f.score, f.length, -_RANK[f.entity_type]))


def resolve(findings: Iterable[Finding]) -> list[Finding]:
    """Non-overlapping entities in text order."""
    ordered = sorted(findings, key=lambda f: (f.start, -f.end))
    out: list[Finding] = []
    group: list[Finding] = []
    end = -1
    for finding in ordered:
        if group and finding.start >= end:
            out.append(_merge(group))
            group = []
        group.append(finding)
        end = max(end, finding.end) if len(group) > 1 else finding.end
    if group:
        out.append(_merge(group))
    return out


def _merge(group: list[Finding]) -> Finding:
    best = _best(group)
    start = min(f.start for f in group)
    end = max(f.end for f in group)
    return Finding(start, end, best.entity_type, best.score, best.recognizer)


_SUFFIX = regex.compile(r"['’](?:\p{L}{1,6})$", regex.VERSION1)


def trim(text: str, finding: Finding) -> Finding:
    """Leave a suffix after an apostrophe outside the entity ("Yılmaz'ın", "9184'ü",
    "Patel's"): it is grammar, not personal data, and the quality team needs it to read on."""
    match = _SUFFIX.search(text, finding.start, finding.end)
    if match is None or match.start() <= finding.start:
        return finding
    return Finding(
        finding.start, match.start(), finding.entity_type, finding.score, finding.recognizer
    )
