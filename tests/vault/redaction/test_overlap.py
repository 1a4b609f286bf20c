"""One overlap policy: the union of an overlapping group, typed by its most confident finding."""

from __future__ import annotations

import pytest

from vault.redaction.engine import replace
from vault.redaction.overlap import resolve
from vault.redaction.types import EntityType, Finding

E = EntityType


def f(start: int, end: int, entity: EntityType, score: float = 0.9) -> Finding:
    return Finding(start, end, entity, score, "test")


CASES = [
    (
        "disjoint stay apart",
        [f(0, 3, E.PERSON), f(5, 9, E.PHONE_NUMBER)],
        [(0, 3, E.PERSON), (5, 9, E.PHONE_NUMBER)],
    ),
    (
        "touching stay apart",
        [f(0, 3, E.PERSON), f(3, 6, E.PERSON)],
        [(0, 3, E.PERSON), (3, 6, E.PERSON)],
    ),
    (
        "overlap becomes the union",
        [f(0, 5, E.PHONE_NUMBER, 0.7), f(3, 9, E.CARD_NUMBER, 1.0)],
        [(0, 9, E.CARD_NUMBER)],
    ),
    (
        "the container names the group",
        [f(0, 10, E.ADDRESS), f(2, 4, E.PERSON, 0.95)],
        [(0, 10, E.ADDRESS)],
    ),
    ("chains merge", [f(0, 4, E.PERSON), f(3, 7, E.PERSON), f(6, 9, E.PERSON)], [(0, 9, E.PERSON)]),
    (
        "equal scores: the longer wins",
        [f(0, 4, E.PHONE_NUMBER), f(2, 9, E.CUSTOMER_ID)],
        [(0, 9, E.CUSTOMER_ID)],
    ),
    (
        "equal score and length: the more specific type",
        [f(0, 5, E.PHONE_NUMBER), f(0, 5, E.CARD_NUMBER)],
        [(0, 5, E.CARD_NUMBER)],
    ),
    ("nothing in, nothing out", [], []),
]


@pytest.mark.parametrize(("name", "findings", "expected"), CASES, ids=[c[0] for c in CASES])
def test_resolve(
    name: str, findings: list[Finding], expected: list[tuple[int, int, EntityType]]
) -> None:
    assert [(r.start, r.end, r.entity_type) for r in resolve(findings)] == expected


def test_replacement_runs_from_the_end() -> None:
    text = "Ayşe Kaya, kart 4111 1111 1111 1111."
    findings = [f(0, 9, E.PERSON), f(16, 35, E.CARD_NUMBER)]
    assert replace(text, findings) == "[PERSON], kart [CARD_NUMBER]."


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (3, 3), (5, 2)])
def test_a_finding_needs_a_real_span(start: int, end: int) -> None:
    with pytest.raises(ValueError, match="start < end"):
        Finding(start, end, E.PERSON, 1.0, "test")


def test_a_finding_never_shows_text() -> None:
    assert "Ayşe" not in repr(f(0, 4, E.PERSON))
